"""Batch referrals from a court's spreadsheet: CSV (UTF-8 or GBK/GB18030) or XLSX.

The file is judged by its bytes, not its name: a renamed picture or archive, a zip bomb, a
file over 5 MB or over 2,000 rows is refused with a message saying which. Every row is
checked and shown with its line number before anything is written; a file with any bad row
writes nothing, and a confirmed file is imported in one transaction (batches.py). A 案号
already referred by the court is skipped, so importing the same file again adds nothing.

Cells are data, never formulas: a text beginning with = + - @ is kept as text, and a cell
that holds a live Excel formula is refused (its value would be whatever Excel last computed).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concord.core.errors import InvalidInput
from concord.orgs.models import Organisation

from .models import CourtReferral
from .services import Lookups, Person, ReferralDraft, check_draft, normalise_number

FILE_MAX_BYTES = 5 * 1024 * 1024
ROWS_MAX = 2000
# Blank lines between rows are tolerated (sheets often carry formatted empty rows), but not a
# sheet padded to a million rows.
LINES_MAX = 20_000
COLUMNS_MAX = 40
# A 2,000-row workbook unzips to about 1 MB: far beyond this is a zip bomb.
UNZIPPED_MAX = 30 * 1024 * 1024
ZIP_ENTRIES_MAX = 200


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the file's column name: the courts' files are in Chinese in any UI language
    required: bool
    help: str
    example: str


COLUMNS = [
    Column(
        "court_case_number",
        "案号",
        True,
        gettext_lazy("法院案号；同一法院的案号只登记一次，重复导入自动跳过"),
        "(2026)浙0604民诉前调1234号",
    ),
    Column("type", "案由", True, gettext_lazy("委派调解案由的名称或编码"), "物业服务合同纠纷"),
    Column(
        "kind", "委派方式", False, gettext_lazy("诉前调解或委派调解，不填为诉前调解"), "诉前调解"
    ),
    Column("plaintiff", "原告", True, gettext_lazy("姓名或单位名称"), "王建国"),
    Column("plaintiff_phone", "原告电话", False, gettext_lazy("手机号或带区号的固话"), ""),
    Column("plaintiff_id_number", "原告身份证号", False, gettext_lazy("18位，请设为文本格式"), ""),
    Column("defendant", "被告", True, gettext_lazy("姓名或单位名称"), "上虞某物业服务有限公司"),
    Column("defendant_phone", "被告电话", False, gettext_lazy("手机号或带区号的固话"), ""),
    Column("defendant_id_number", "被告身份证号", False, gettext_lazy("18位，请设为文本格式"), ""),
    Column(
        "description",
        "案情摘要",
        True,
        gettext_lazy("纠纷经过与诉讼请求，5000字以内"),
        "原告主张被告拖欠物业费2年共计3600元。",
    ),
    Column(
        "division",
        "发生地",
        False,
        gettext_lazy("乡镇（街道）或村（社区）名称，或12位区划代码"),
        "百官街道",
    ),
    Column("address", "详细地址", False, gettext_lazy("小区、门牌等"), ""),
    Column("amount", "标的额", False, gettext_lazy("单位：元"), "3600"),
]
HEADERS = {c.header: c.key for c in COLUMNS} | {
    "案由/类型": "type",
    "类型": "type",
    "纠纷类型": "type",
    "原告姓名": "plaintiff",
    "原告联系电话": "plaintiff_phone",
    "被告姓名": "defendant",
    "被告联系电话": "defendant_phone",
    "调解类型": "kind",
    "标的金额": "amount",
}
HEADER_OF = {c.key: c.header for c in COLUMNS}
# Error keys of check_draft → the column at fault.
FIELD_COLUMN = {
    "court_case_number": "court_case_number",
    "type": "type",
    "kind": "kind",
    "description": "description",
    "division": "division",
    "address": "address",
    "amount": "amount",
}
SIDE_COLUMN = {"plaintiffs": "plaintiff", "defendants": "defendant"}
# Leading bytes of files people rename to .xlsx or .csv by mistake (or not by mistake).
MAGIC = [
    (b"\x89PNG\r\n\x1a\n", gettext_lazy("PNG 图片")),
    (b"\xff\xd8\xff", gettext_lazy("JPEG 图片")),
    (b"GIF8", gettext_lazy("GIF 图片")),
    (b"%PDF", gettext_lazy("PDF 文件")),
    (b"\xd0\xcf\x11\xe0", gettext_lazy("旧版 Excel（.xls）或 Word 文件，请另存为 .xlsx")),
    (b"Rar!", gettext_lazy("RAR 压缩包")),
    (b"7z\xbc\xaf", gettext_lazy("7z 压缩包")),
    (b"\x1f\x8b", gettext_lazy("gzip 压缩包")),
    # Programs renamed to .csv: said as such, not as a file in an unknown encoding.
    (b"MZ", gettext_lazy("可执行程序（.exe）")),
    (b"\x7fELF", gettext_lazy("可执行程序")),
]


def _refuse(message: str):
    return InvalidInput({"file": message})


@dataclass
class Row:
    line: int
    values: dict[str, str]
    formulas: list[str] = field(default_factory=list)  # headers of cells holding formulas


# ---------------------------------------------------------------- reading the file


def read_upload(upload: UploadedFile | None) -> list[Row]:
    """The data rows of an uploaded CSV or XLSX, keyed by column; InvalidInput on "file"."""
    if upload is None:
        raise _refuse(_("请选择要上传的 CSV 或 Excel（.xlsx）文件"))
    if upload.size is not None and upload.size > FILE_MAX_BYTES:
        raise _too_big(upload.size)
    data = upload.read(FILE_MAX_BYTES + 1)
    if len(data) > FILE_MAX_BYTES:
        raise _too_big(len(data))
    if not data.strip():
        raise _refuse(_("文件是空的"))
    name = (upload.name or "").lower()
    if data.startswith(b"PK\x03\x04"):
        grid = _xlsx_grid(data)
    else:
        for magic, what in MAGIC:
            if data.startswith(magic):
                raise _refuse(
                    _("上传的是%(what)s，不是 Excel（.xlsx）或 CSV 文件") % {"what": what}
                )
        if name.endswith((".xlsx", ".xlsm")):
            raise _refuse(
                _("文件扩展名是 .xlsx，但内容不是 Excel 工作簿（可能是改了扩展名的文件）")
            )
        grid = _csv_grid(data)
    return _rows(grid)


def _too_big(size: int) -> InvalidInput:
    return _refuse(
        _("文件不能超过5 MB（现为%(size).1f MB），请分批导入") % {"size": size / 1024 / 1024}
    )


Cell = tuple[str, bool]  # (text, is a formula)


def _xlsx_grid(data: bytes) -> list[tuple[int, list[Cell]]]:
    _check_zip(data)
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a damaged workbook
        raise _refuse(_("无法读取该 Excel 文件：文件已损坏或不是 .xlsx 格式")) from None
    grid = []
    try:
        sheet = book.worksheets[0]
        # A workbook's <dimension> may claim "A1" (some exporters write it so): read on.
        sheet.reset_dimensions()
        for line, row in enumerate(sheet.iter_rows(max_col=COLUMNS_MAX), start=1):
            if line > LINES_MAX:
                raise _too_many()
            grid.append((line, [_cell(c) for c in row]))
    except InvalidInput:
        raise
    except Exception:
        raise _refuse(_("无法读取该 Excel 文件：工作表内容已损坏")) from None
    finally:
        book.close()
    return grid


def _check_zip(data: bytes) -> None:
    """A real workbook: a readable zip with the workbook parts, of sane unpacked size. The
    sizes in the zip's directory bind: Python's zip reader stops at the declared size."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse(_("Excel 文件已损坏，无法打开")) from None
    if len(entries) > ZIP_ENTRIES_MAX or sum(e.file_size for e in entries) > UNZIPPED_MAX:
        raise _refuse(_("Excel 文件解压后过大（疑似压缩炸弹），已拒绝"))
    names = {e.filename for e in entries}
    if not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
        raise _refuse(_("压缩包不是 Excel 工作簿（.xlsx），请上传 Excel 或 CSV 文件"))


def _cell(cell) -> Cell:
    value = cell.value
    if value is None:
        return "", False
    if getattr(cell, "data_type", "") == "f" or not isinstance(
        value, str | int | float | dt.date | dt.time | dt.timedelta
    ):
        return str(value), True  # formulas (also array and data-table formulas)
    if isinstance(value, bool):
        return ("1" if value else "0"), False
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # phone numbers typed as numbers
    if isinstance(value, dt.date | dt.time):
        return value.isoformat(), False
    return str(value), False


def _csv_grid(data: bytes) -> list[tuple[int, list[Cell]]]:
    text = None
    for encoding in ("utf-8-sig", "gb18030"):  # GB18030 reads GBK and GB2312 as well
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise _refuse(_("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV"))
    if "\x00" in text:
        raise _refuse(_("文件含有二进制内容，不是 CSV 文本文件"))
    reader = csv.reader(io.StringIO(text, newline=""))
    grid, line = [], 1
    try:
        for record in reader:
            if len(grid) >= LINES_MAX:
                raise _too_many()
            grid.append((line, [(v, False) for v in record[:COLUMNS_MAX]]))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise _refuse(
            _("CSV 格式错误（第%(line)d行）：%(error)s") % {"line": reader.line_num, "error": exc}
        ) from None
    return grid


def _too_many() -> InvalidInput:
    return _refuse(
        _("表格行数过多（含空行超过%(max)d行），请删除空行或分批导入") % {"max": LINES_MAX}
    )


def _rows(grid: list[tuple[int, list[Cell]]]) -> list[Row]:
    filled = [(line, cells) for line, cells in grid if any(text.strip() for text, _f in cells)]
    if not filled:
        raise _refuse(_("文件中没有内容"))
    (_line, header), data = filled[0], filled[1:]
    keys: list[str | None] = []
    for text, _formula in header:
        name = "".join(text.split()).replace("（", "(").replace("）", ")").lstrip("\ufeff")
        key = HEADERS.get(name)
        if key is not None and key in keys:
            raise _refuse(_("列「%(name)s」出现了两次") % {"name": name})
        keys.append(key)
    missing = [c.header for c in COLUMNS if c.required and c.key not in keys]
    if missing:
        raise _refuse(
            _("缺少必填列：%(names)s。请使用页面提供的模板") % {"names": "、".join(missing)}
        )
    if not data:
        raise _refuse(_("文件只有表头，没有数据行"))
    if len(data) > ROWS_MAX:
        raise _refuse(
            _("一次最多导入%(max)d行（本文件%(count)d行），请分批导入")
            % {"max": ROWS_MAX, "count": len(data)}
        )
    rows = []
    for line, cells in data:
        row = Row(line, {})
        for key, (text, formula) in zip(keys, cells, strict=False):
            if key is None:
                continue
            row.values[key] = text.strip()
            if formula:
                row.formulas.append(HEADER_OF[key])
        rows.append(row)
    return rows


# ---------------------------------------------------------------- checking the rows


@dataclass
class RowResult:
    line: int
    draft: ReferralDraft
    number: str
    errors: list[str]
    existing: CourtReferral | None = None


@dataclass
class Preview:
    rows: list[RowResult]

    @property
    def bad(self) -> list[RowResult]:
        return [r for r in self.rows if r.errors]

    @property
    def new(self) -> list[RowResult]:
        return [r for r in self.rows if not r.errors and r.existing is None]

    @property
    def skipped(self) -> list[RowResult]:
        return [r for r in self.rows if r.existing is not None]


def draft_of(row: Row) -> ReferralDraft:
    v = row.values.get
    return ReferralDraft(
        court_case_number=v("court_case_number", ""),
        type=v("type", ""),
        kind=v("kind", ""),
        description=v("description", ""),
        plaintiffs=[
            Person(v("plaintiff", ""), v("plaintiff_phone", ""), v("plaintiff_id_number", ""))
        ],
        defendants=[
            Person(v("defendant", ""), v("defendant_phone", ""), v("defendant_id_number", ""))
        ],
        division=v("division", ""),
        address=v("address", ""),
        amount=v("amount", "") or None,
    )


def preview(court: Organisation, rows: list[Row]) -> Preview:
    """Every row checked against the rules and the court's earlier referrals, by line."""
    lookups = Lookups()
    drafts = [(row, draft_of(row)) for row in rows]
    numbers = [normalise_number(d.court_case_number) for _row, d in drafts]
    earlier = {
        r.court_case_number: r
        for r in CourtReferral.objects.filter(
            court=court, court_case_number__in=set(numbers)
        ).select_related("case")
    }
    seen: dict[str, int] = {}
    results = []
    for (row, draft), number in zip(drafts, numbers, strict=True):
        errors = [
            _("「%(column)s」是公式，请将公式转换为数值后再导入") % {"column": column}
            for column in row.formulas
        ]
        if number and number in seen:
            errors.append(_("案号与第%(line)d行重复") % {"line": seen[number]})
        seen.setdefault(number, row.line)
        existing = earlier.get(number)
        if existing is None:
            try:
                check_draft(draft, lookups)
            except InvalidInput as exc:
                errors += [f"{column_of(key)}：{message}" for key, message in exc.errors.items()]
        results.append(RowResult(row.line, draft, number, errors, existing))
    return Preview(results)


def column_of(key: str) -> str:
    """The column header an error key of check_draft is about (plaintiffs[0].phone → 原告电话)."""
    head, _dot, part = key.partition(".")
    side = SIDE_COLUMN.get(head.split("[")[0])
    if side is not None:
        suffix = {"phone": "_phone", "id_number": "_id_number"}.get(part, "")
        return HEADER_OF[side + suffix]
    return HEADER_OF.get(FIELD_COLUMN.get(key, ""), key)


# ---------------------------------------------------------------- the template


def template_xlsx() -> bytes:
    """An empty sheet with the headers (ID and phone columns as text), and the notes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("委派案件")
    sheet.append([c.header for c in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.cell(row=1, column=index).font = Font(bold=True)
        sheet.column_dimensions[letter].width = 34 if column.key == "description" else 18
        if column.key.endswith(("phone", "id_number")) or column.key == "court_case_number":
            # Typed as text: an 18-digit ID number typed as a number loses its last digits.
            sheet.column_dimensions[letter].number_format = "@"
    notes = book.create_sheet(_("填写说明"))
    notes.append([_("列名"), _("必填"), _("说明"), _("示例")])
    for column in COLUMNS:
        required = _("是") if column.required else _("否")
        notes.append([column.header, required, str(column.help), column.example])
    for letter, width in zip("ABCD", (14, 6, 48, 36), strict=True):
        notes.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def template_csv() -> bytes:
    """The header line, UTF-8 with a byte-order mark so that Excel opens it in Chinese."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow([c.header for c in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
