"""The error report of an import: every row left out, with its line in the file, the reasons,
and its cells as read, so that the uploader can correct them (and import the report itself:
its extra columns are ignored). Cells are data: text a spreadsheet would run as a formula is
neutralised (cases.export.safe_cell), in CSV as in XLSX."""

from __future__ import annotations

import csv
import io
import json

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from concord.cases.export import safe_cell

from .models import ImportJob, RowProblem
from .profiles import FIELDS


def report_rows(job: ImportJob) -> list[list[str]]:
    """The header, then one row per problem row."""
    header = [_("行号"), _("错误原因"), *job.header]
    rows = [[safe_cell(str(h)) for h in header]]
    width = len(job.header)
    for problem in RowProblem.objects.filter(job=job).order_by("line").iterator(chunk_size=2000):
        cells = json.loads(problem.values) if problem.values else []
        cells = (cells + [""] * width)[:width]
        rows.append([problem.line, safe_cell(problem.reasons), *(safe_cell(c) for c in cells)])
    return rows


def csv_response(job: ImportJob) -> HttpResponse:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(report_rows(job))
    # A byte-order mark: Excel opens a UTF-8 CSV in Chinese only with one.
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    return response


def xlsx_response(job: ImportJob) -> HttpResponse:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("有误行"))
    sheet.column_dimensions["B"].width = 60
    for row in report_rows(job):
        sheet.append([_text(sheet, v) if isinstance(v, str) else v for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.xlsx"'
    return response


# The template's example: a closed case from the old system and an open one.
EXAMPLES = [
    {
        "source_id": "OLD-2024-00017",
        "received_at": "2024-05-06 09:30",
        "type": "dispute",
        "channel": "walk_in",
        "category": "邻里纠纷/噪音扰民",
        "description": "楼上住户夜间装修噪音扰民，多次协商未果，申请调解。",
        "address": "上虞区百官街道龙山社区3幢",
        "applicant_name": "王建国",
        "applicant_phone": "13857510001",
        "respondent_name": "李明",
        "status": "archived",
        "result": "mediated",
        "resolved_at": "2024-05-20 16:00",
        "satisfaction": "satisfied",
    },
    {
        "source_id": "OLD-2024-00018",
        "received_at": "2024-06-01 14:10",
        "type": "complaint",
        "channel": "phone",
        "category": "物业纠纷",
        "description": "小区电梯停运一个月，物业未予维修。",
        "division": "崧厦街道",
        "applicant_name": "赵女士",
        "applicant_phone": "0575-82123456",
    },
]


def template_response(kind: str) -> HttpResponse:
    """An empty canonical file (SPEC §11) with two example rows to overwrite."""
    rows = [list(FIELDS)] + [[example.get(name, "") for name in FIELDS] for example in EXAMPLES]
    if kind == "csv":
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        body = ("\ufeff" + buffer.getvalue()).encode("utf-8")
        content_type = "text/csv; charset=utf-8"
    else:
        book = Workbook(write_only=True)
        sheet = book.create_sheet(_("事项"))
        for row in rows:
            sheet.append([_text(sheet, value) for value in row])
        buffer = io.BytesIO()
        book.save(buffer)
        body = buffer.getvalue()
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="cases-import-template.{kind}"'
    return response


def _text(sheet, value: str) -> WriteOnlyCell:
    # Phone and ID numbers stay text (an 18-digit number would lose its last digits).
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell
