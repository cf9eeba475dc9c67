"""Rows in the canonical format (SPEC §11) and files made of them: CSV in any encoding, XLSX
written with openpyxl as Excel would save it."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from concord.core.pii import id_check_digit
from concord.imports.profiles import CANONICAL_COLUMNS as CANONICAL


def id_number(serial: int) -> str:
    first17 = f"33068219{80 + serial % 20:02d}0101{serial % 1000:03d}"
    return first17 + id_check_digit(first17)


def canonical(serial: int, **changes) -> list[str]:
    """A valid row: every third one closed history (resolved, rated, archived in turn)."""
    kind = serial % 6
    values = {
        "source_id": f"LEGACY-{serial:06d}",
        "received_at": f"2025-{1 + serial % 11:02d}-{1 + serial % 28:02d} 09:{serial % 60:02d}",
        "type": "dispute",
        "channel": "phone",
        "category": ["邻里纠纷/噪音扰民", "neighbour-noise", "物业纠纷", "拖欠工资"][serial % 4],
        "title": "",
        "description": f"第{serial}号：楼上装修噪音扰民，协商未果，请求调解。",
        "division": "",
        "address": ["上虞区百官街道龙山社区3幢", "崧厦街道祝温村3组", "曹娥街道", ""][serial % 4],
        "applicant_name": f"申请人{serial}",
        "applicant_phone": f"138{serial % 100_000_000:08d}",
        "applicant_id_number": id_number(serial) if serial % 5 == 0 else "",
        "respondent_name": f"被申请人{serial}" if serial % 2 else "",
        "status": ["", "registered", "resolved", "已评价", "archived", ""][kind],
        "result": ["", "", "mediated", "调解成功", "solved", ""][kind],
        "resolved_at": ["", "", "2025-12-20 10:00", "2025-12-21", "2025-12-22 16:30", ""][kind],
        "satisfaction": ["", "", "", "满意", "basically_satisfied", ""][kind],
        **changes,
    }
    return [values.get(h, "") for h in CANONICAL]


def csv_bytes(rows, header=CANONICAL, encoding="utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, header=CANONICAL, formulas: dict | None = None) -> bytes:
    """`formulas`: {(row index, column index): formula} written as live formula cells; all
    other text, even text starting with =, as string cells."""
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            cell = sheet.cell(row=r, column=c, value=value)
            if formulas and (r - 2, c - 1) in formulas:
                cell.value = formulas[r - 2, c - 1]
            elif isinstance(value, str):
                cell.data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, "application/octet-stream")
