"""Audit entries as CSV or XLSX: the auditor's search and the access report, as filtered. Cells
are data: text a spreadsheet would run as a formula is neutralised (cases.export.safe_cell)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from functools import cache

from django.apps import apps
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from concord.cases.export import safe_cell

from .models import AuditAction, AuditEntry, record

EXPORT_MAX_ROWS = 200_000
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
HEADERS = [
    gettext_lazy("序号"),
    gettext_lazy("时间"),
    gettext_lazy("操作人账号"),
    gettext_lazy("操作人"),
    gettext_lazy("角色"),
    gettext_lazy("所属组织"),
    gettext_lazy("动作"),
    gettext_lazy("对象类型"),
    gettext_lazy("对象编号"),
    gettext_lazy("IP"),
    gettext_lazy("详情"),
    gettext_lazy("本条哈希"),
]


@cache
def object_label(object_type: str) -> str:
    """The model's name for an object type (party → 当事人), or the type itself."""
    for model in apps.get_models():
        if model._meta.model_name == object_type:
            return str(model._meta.verbose_name)
    return object_type


def detail_text(detail: dict) -> str:
    return json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else ""


def _row(entry: AuditEntry) -> list:
    actor = entry.actor
    return [
        entry.seq,
        timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M:%S"),
        actor.username if actor else "",
        actor.full_name if actor else _("（系统或未登录）"),
        actor.get_role_display() if actor else "",
        actor.organisation.name if actor and actor.organisation else "",
        entry.get_action_display(),
        object_label(entry.object_type) if entry.object_type else "",
        entry.object_id,
        entry.ip or "",
        detail_text(entry.detail),
        entry.entry_hash,
    ]


def rows(entries: QuerySet[AuditEntry]) -> Iterable[list]:
    chosen = entries.select_related("actor__organisation")[:EXPORT_MAX_ROWS]
    for entry in chosen.iterator(chunk_size=2000):
        yield [safe_cell(v) for v in _row(entry)]


def export_body(entries: QuerySet[AuditEntry], kind: str) -> tuple[bytes, int]:
    """The file's bytes and the number of entries in it."""
    header = [str(h) for h in HEADERS]
    count = 0
    if kind == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        for row in rows(entries):
            writer.writerow(row)
            count += 1
        # A byte-order mark: Excel opens a UTF-8 CSV in Chinese only with one.
        return ("\ufeff" + buffer.getvalue()).encode("utf-8"), count
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("审计记录"))
    sheet.append(header)
    for row in rows(entries):
        sheet.append([_text(sheet, v) if isinstance(v, str) else v for v in row])
        count += 1
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), count


def _text(sheet, value: str) -> WriteOnlyCell:
    # Object ids and hashes stay text (a long digit string would lose its last digits).
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def file_response(body: bytes, kind: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=FORMATS[kind])
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{kind}"'
    return response


def export(
    *,
    actor,
    entries: QuerySet[AuditEntry],
    kind: str,
    report: str,
    detail: dict,
    ip: str | None = None,
) -> HttpResponse:
    """The file, with its own EXPORT entry (written after the file's rows were read, so the
    export never lists itself)."""
    body, count = export_body(entries, kind)
    with transaction.atomic():
        record(
            actor=actor,
            action=AuditAction.EXPORT,
            detail={"report": report, "format": kind, "rows": count, **detail},
            ip=ip,
        )
    return file_response(body, kind, report)
