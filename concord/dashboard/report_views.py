"""统计报表 page: ask for a month's or a quarter's report of one's territory, and download the
reports made (on request or by the schedule). The list polls while one is being made. Each
view parses, checks, calls one service and renders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from concord.audit.models import AuditAction
from concord.audit.models import record as audit
from concord.core.documents import CONTENT_TYPES
from concord.core.errors import InvalidInput, ServiceError

from . import report_periods
from .choices import PeriodKind, ReportStatus
from .report_forms import ReportForm
from .reports import (
    can_report,
    filename,
    report_divisions,
    request_report,
    visible_reports,
)
from .scope import territory

LIST_MAX = 50
FILE_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": CONTENT_TYPES["docx"],
}
BUSY = (ReportStatus.PENDING, ReportStatus.RUNNING)


@login_required
@require_http_methods(["GET", "POST"])
def reports(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can_report(user):
        raise Http404
    divisions = report_divisions(user)
    status = 200
    if request.method == "POST":
        form = ReportForm(request.POST, divisions=divisions)
        try:
            report = request_report(
                actor=user,
                division=form.data.get("division"),
                kind=form.data.get("kind"),
                period=form.data.get("period"),
            )
        except InvalidInput as exc:
            form.place(exc)
            status = 422
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            status = exc.status
        else:
            if report.status == ReportStatus.READY:
                messages.success(
                    request, gettext("报表已生成：%(title)s") % {"title": report.title}
                )
            else:
                messages.success(
                    request,
                    gettext("正在生成报表：%(title)s，完成后可在下方下载")
                    % {"title": report.title},
                )
            return redirect("dashboard:reports")
    else:
        today = timezone.localdate()
        last_month = report_periods.recent(today)[1]
        initial = {
            "kind": PeriodKind.MONTH,
            "period": last_month.code,
            "division": territory(user).code,
        }
        form = ReportForm(initial=initial, divisions=divisions)
    listing = list(visible_reports(user)[:LIST_MAX])
    context = {
        "form": form,
        "reports": listing,
        "busy": any(report.status in BUSY for report in listing),
        "periods": report_periods.recent(timezone.localdate()),
    }
    if request.htmx and request.method == "GET":
        return render(request, "dashboard/_reports_list.html", context)
    return render(request, "dashboard/reports.html", context, status=status)


@login_required
@require_GET
def report_file(request: HttpRequest, report_id: int, kind: str) -> FileResponse:
    """A made report's XLSX or DOCX, to those who may see its division; every download is
    audited like any export."""
    if not can_report(request.user) or kind not in FILE_TYPES:
        raise Http404
    report = visible_reports(request.user).filter(pk=report_id, status=ReportStatus.READY).first()
    if report is None:
        raise Http404(gettext("报表不存在"))
    try:
        handle = getattr(report, kind).open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(gettext("报表文件不存在")) from None
    audit(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=report,
        detail={"report": report.period.code, "division": report.division_id, "file": kind},
    )
    return FileResponse(
        handle, as_attachment=True, filename=filename(report, kind), content_type=FILE_TYPES[kind]
    )
