"""Reading an uploaded table: CSV (UTF-8, or GBK/GB18030 as government offices save it) or
XLSX, judged by its bytes and never by its name.

Refused, with a message that says which, before anything is parsed: a file over the size
limit, a picture or PDF renamed to .xlsx or .csv, an old .xls or an encrypted workbook, a zip
that is not a workbook (no OOXML content-types part naming a spreadsheet), a zip bomb (too
much unpacked data, or an entry packed far beyond what XML packs to), a CSV in an encoding
other than UTF-8 and GB18030 (UTF-16 "Unicode text" included), a binary file.

Rows come out one at a time, as lists of text, with their line in the file (the sheet's row
number; for CSV the line a record starts on, counting the header and blank lines), so a file
of 100,000 rows is never held whole as cells. A cell that holds a live Excel formula comes
out as its formula text: it is data like any other, and exports neutralise text that starts
with = + - @ (cases.export.safe_cell).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concord.core.errors import InvalidInput

COLUMNS_MAX = 60
ZIP_ENTRIES_MAX = 500
# What a workbook's XML packs to: sheets and shared strings compress 5–20 times. A zip bomb's
# entry of zeros packs a thousand times and more.
RATIO_MAX = 100
RATIO_FROM_BYTES = 1024 * 1024  # small parts may pack well: judged only above this size
UNZIPPED_MAX = 600 * 1024 * 1024
CONTENT_TYPES = "[Content_Types].xml"
SPREADSHEET = b"spreadsheetml"
# Leading bytes of files people rename to .xlsx or .csv by mistake (or not by mistake).
MAGIC = [
    (b"\x89PNG\r\n\x1a\n", gettext_lazy("PNG 图片")),
    (b"\xff\xd8\xff", gettext_lazy("JPEG 图片")),
    (b"GIF8", gettext_lazy("GIF 图片")),
    (b"%PDF", gettext_lazy("PDF 文件")),
    (
        b"\xd0\xcf\x11\xe0",
        gettext_lazy("旧版 Excel（.xls）、加密的 Excel 或 Word 文件，请另存为 .xlsx 或 CSV"),
    ),
    (b"Rar!", gettext_lazy("RAR 压缩包")),
    (b"7z\xbc\xaf", gettext_lazy("7z 压缩包")),
    (b"\x1f\x8b", gettext_lazy("gzip 压缩包")),
    # Programs renamed to .csv: said as such, not as a file in an unknown encoding.
    (b"MZ", gettext_lazy("可执行程序（.exe）")),
    (b"\x7fELF", gettext_lazy("可执行程序")),
]


def refuse(message: str) -> InvalidInput:
    return InvalidInput({"file": message})


@dataclass
class Table:
    """An opened table: its header row and an iterator over the data rows after it."""

    kind: str  # "csv" or "xlsx"
    header: list[str]
    header_line: int
    # Data lines expected (blank ones included): for the progress bar, None when unknown.
    total: int | None
    encoding: str  # of a CSV: "utf-8" or "gb18030"
    lines: Iterator[tuple[int, list[str]]] = field(repr=False)
    rows_max: int = 0

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line, cells) of every row after the header that is not blank; InvalidInput once
        there are more than `rows_max`."""
        count = 0
        for line, cells in self.lines:
            if not any(cells):
                continue
            count += 1
            if self.rows_max and count > self.rows_max:
                raise refuse(_("文件超过%(max)d行，请分成几个文件导入") % {"max": self.rows_max})
            yield line, cells

    def close(self) -> None:
        """Let go of the file before the last row (the preview reads only the first ones)."""
        self.lines.close()


def open_table(stream: BinaryIO, *, rows_max: int) -> Table:
    """The table in a seekable binary stream (an upload, a stored file, a file on disk), with
    its header read; InvalidInput under "file" saying why it cannot be read."""
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if not head.strip():
        raise refuse(_("文件是空的"))
    if head.startswith(b"PK\x03\x04"):
        table = _xlsx(stream)
    else:
        for magic, what in MAGIC:
            if head.startswith(magic):
                raise refuse(_("上传的是%(what)s，不是 Excel（.xlsx）或 CSV 文件") % {"what": what})
        table = _csv(stream.read())
    table.rows_max = rows_max
    return table


def _header(lines: Iterator[tuple[int, list[str]]]) -> tuple[int, list[str]]:
    """The first row that is not blank, without the empty cells after its last name."""
    for line, cells in lines:
        if any(cells):
            while not cells[-1]:
                cells = cells[:-1]
            return line, cells
    raise refuse(_("文件中没有内容"))


# ------------------------------------------------------------------------------------ XLSX


def _xlsx(stream: BinaryIO) -> Table:
    _check_workbook(stream)
    from openpyxl import load_workbook

    stream.seek(0)
    try:
        book = load_workbook(stream, read_only=True, data_only=False)
        sheet = book.worksheets[0]
        last = sheet.max_row
        # The <dimension> a writer declares is a hint (some write "A1"): openpyxl would stop
        # reading there, so the rows are read to the end whatever it says.
        sheet.reset_dimensions()
    except Exception:  # openpyxl raises many kinds for a damaged workbook
        raise refuse(_("无法读取该 Excel 文件：文件已损坏或不是 .xlsx 格式")) from None
    lines = _sheet_lines(book, sheet)
    header_line, header = _header(lines)
    total = last - header_line if last and last > header_line else None
    return Table("xlsx", header, header_line, total, "", lines)


def _check_workbook(stream: BinaryIO) -> None:
    """A real workbook of sane unpacked size. The sizes in the zip's directory bind: Python's
    zip reader stops at the declared size, so a lying entry cannot unpack more."""
    try:
        archive = zipfile.ZipFile(stream)
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise refuse(_("Excel 文件已损坏，无法打开")) from None
    names = {e.filename for e in entries}
    if CONTENT_TYPES not in names:
        raise refuse(_("压缩包不是 Excel 工作簿（.xlsx），请上传 Excel 或 CSV 文件"))
    bomb = _("Excel 文件解压后过大（疑似压缩炸弹），已拒绝")
    if len(entries) > ZIP_ENTRIES_MAX or sum(e.file_size for e in entries) > UNZIPPED_MAX:
        raise refuse(bomb)
    for entry in entries:
        if entry.flag_bits & 0x1:
            raise refuse(_("Excel 文件已加密，请取消密码后再上传"))
        packed = max(entry.compress_size, 1)
        if entry.file_size > RATIO_FROM_BYTES and entry.file_size > RATIO_MAX * packed:
            raise refuse(bomb)
    types = archive.getinfo(CONTENT_TYPES)
    if types.file_size > RATIO_FROM_BYTES or SPREADSHEET not in archive.read(types):
        raise refuse(
            _("文件不是 Excel 工作簿（可能是 Word、PPT 或其他压缩包），请上传 .xlsx 或 CSV")
        )


def _sheet_lines(book, sheet) -> Iterator[tuple[int, list[str]]]:
    try:
        for line, row in enumerate(sheet.iter_rows(min_row=1, max_col=COLUMNS_MAX), start=1):
            yield line, [_cell_text(cell) for cell in row]
    except InvalidInput:
        raise
    except Exception:
        raise refuse(_("无法读取该 Excel 文件：工作表内容已损坏")) from None
    finally:
        book.close()


def _cell_text(cell) -> str:
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()  # formulas too: their text, kept as text
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # phone numbers typed as numbers
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0).isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


# ------------------------------------------------------------------------------------- CSV


def decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV and its encoding: UTF-8 (with or without a byte-order mark), else
    GB18030, which reads GBK and GB2312 too. Excel's "Unicode text" (UTF-16) and anything
    else is refused."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise refuse(
            _("文件是 UTF-16 编码（Excel「Unicode 文本」），请另存为「CSV UTF-8（逗号分隔）」")
        )
    text = encoding = None
    for candidate in ("utf-8-sig", "gb18030"):
        try:
            text, encoding = data.decode(candidate), candidate.removesuffix("-sig")
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise refuse(_("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV"))
    if "\x00" in text:
        raise refuse(_("文件含有二进制内容，不是 CSV 文本文件"))
    return text, encoding


def _csv(data: bytes) -> Table:
    text, encoding = decode(data)
    del data
    lines = _physical_lines(text)
    first = next((line for line in _physical_lines(text) if line.strip()), "")
    delimiter = max(",\t;", key=first.count)
    records = _csv_lines(lines, delimiter)
    header_line, header = _header(records)
    total = text.count("\n") + (not text.endswith("\n")) - header_line
    return Table("csv", header, header_line, max(total, 0), encoding, records)


def _physical_lines(text: str) -> Iterator[str]:
    """The text's lines, ends kept, one at a time: a 50 MB file is not copied into a list or
    a StringIO (which holds 4 bytes a character) beside its text."""
    start, size = 0, len(text)
    while start < size:
        end = text.find("\n", start)
        if end == -1:
            yield text[start:]
            return
        yield text[start : end + 1]
        start = end + 1


def _csv_lines(lines: Iterator[str], delimiter: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(lines, delimiter=delimiter)
    line = 1
    try:
        for record in reader:
            yield line, [value.strip() for value in record[:COLUMNS_MAX]]
            line = reader.line_num + 1
    except csv.Error as exc:
        raise refuse(
            _("CSV 格式错误（第%(line)d行）：%(error)s") % {"line": reader.line_num, "error": exc}
        ) from None
