"""Export of a case list to XLSX: masked personal data, no live formulas, audited."""

import io

from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from openpyxl import Workbook

from concord.accounts.models import User
from concord.audit.models import AuditAction, record

from .choices import PartyRole
from .models import Case, Party

EXPORT_MAX_ROWS = 100_000
HEADERS = [
    _("查询码"),
    _("收到时间"),
    _("类型"),
    _("来源渠道"),
    _("类别"),
    _("标题"),
    _("乡镇（街道）"),
    _("详细地址"),
    _("涉及人数"),
    _("涉及金额（元）"),
    _("风险等级"),
    _("状态"),
    _("主办单位"),
    _("办理结果"),
    _("满意度"),
    _("申请人"),
    _("申请人电话"),
]


def safe_cell(value):
    """Text that a spreadsheet would run as a formula is written as plain text (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _row(case: Case) -> list:
    applicant = next(iter(case.parties.all()), None)
    return [
        case.tracking_code,
        timezone.localtime(case.received_at).strftime("%Y-%m-%d %H:%M"),
        case.get_type_display(),
        case.get_channel_display(),
        str(case.category) if case.category else "",
        case.title,
        case.town.name if case.town else "",
        case.address,
        case.people_count,
        float(case.amount) if case.amount is not None else None,
        case.get_risk_level_display(),
        case.get_status_display(),
        case.lead_org.name if case.lead_org else "",
        case.get_result_display(),
        case.get_satisfaction_display(),
        applicant.name if applicant else "",
        applicant.phone_masked if applicant else "",
    ]


def export_response(user: User, cases: QuerySet[Case], filters) -> HttpResponse:
    applicants = Prefetch("parties", Party.objects.filter(role=PartyRole.APPLICANT))
    cases = cases.prefetch_related(applicants)[:EXPORT_MAX_ROWS]
    book = Workbook(write_only=True)
    sheet = book.create_sheet(pgettext("export sheet name", "事项"))
    sheet.append([str(header) for header in HEADERS])
    count = 0
    for case in cases.iterator(chunk_size=2000):
        sheet.append([safe_cell(v) for v in _row(case)])
        count += 1
    buffer = io.BytesIO()
    book.save(buffer)
    filters_used = {k: v for k, v in (filters.data.items() if filters.is_bound else []) if v}
    record(actor=user, action=AuditAction.EXPORT, detail={"rows": count, "filters": filters_used})
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="cases-{stamp}.xlsx"'
    return response
