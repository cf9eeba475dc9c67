"""The feedback file for a source system (12345 回访/办结反馈): its answered work orders in a
date range, one row each, as the hotline's operators read them back into their own system."""

from __future__ import annotations

import datetime as dt
import io

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from concord.cases.choices import CaseStatus
from concord.cases.export import EXPORT_MAX_ROWS, safe_cell
from concord.cases.models import Case
from concord.core.dates import local_midnight, local_time
from concord.core.errors import InvalidInput

from .models import ExternalSystem

HEADERS = [
    gettext_lazy("工单编号"),
    gettext_lazy("查询码"),
    gettext_lazy("办理状态"),
    gettext_lazy("办理结果"),
    gettext_lazy("答复内容"),
    gettext_lazy("办结时间"),
    gettext_lazy("满意度"),
]
# Answered and not reopened since: what can be reported back as the answer.
ANSWERED = (CaseStatus.RESOLVED, CaseStatus.RATED, CaseStatus.ARCHIVED)
SPAN_MAX_DAYS = 366


def parse_range(since: str | None, until: str | None) -> tuple[dt.date, dt.date]:
    """`from` and `to` as YYYY-MM-DD, both included; by default this month up to today."""
    today = timezone.localdate()
    errors = {}
    first = _date(since, "from", errors) or today.replace(day=1)
    last = _date(until, "to", errors) or today
    if not errors and first > last:
        errors["from"] = _("开始日期不能晚于结束日期")
    if not errors and (last - first).days >= SPAN_MAX_DAYS:
        errors["to"] = _("一次最多导出%(days)d天") % {"days": SPAN_MAX_DAYS}
    if errors:
        raise InvalidInput(errors)
    return first, last


def _date(value: str | None, field: str, errors: dict) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        errors[field] = _("日期应为 YYYY-MM-DD 格式，例如 2026-11-01（收到「%(value)s」）") % {
            "value": value[:20]
        }
        return None


def answered_cases(
    cases: QuerySet[Case], system: ExternalSystem, first: dt.date, last: dt.date
) -> QuerySet[Case]:
    return cases.filter(
        source=system.code,
        status__in=ANSWERED,
        resolved_at__gte=local_midnight(first),
        resolved_at__lt=local_midnight(last + dt.timedelta(days=1)),
    ).order_by("resolved_at", "id")


def workbook(cases: QuerySet[Case]) -> tuple[bytes, int]:
    """The rows as XLSX (every text through safe_cell: no formula survives) and their count."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("办结反馈"))
    sheet.append([str(header) for header in HEADERS])
    count = 0
    for case in cases[:EXPORT_MAX_ROWS].iterator(chunk_size=2000):
        row = [
            case.source_id,
            case.tracking_code,
            case.get_status_display(),
            case.get_result_display(),
            case.reply,
            local_time(case.resolved_at),
            case.get_satisfaction_display(),
        ]
        sheet.append([safe_cell(value) for value in row])
        count += 1
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), count
