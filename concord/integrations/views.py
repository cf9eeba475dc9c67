"""系统对接 pages: the webhook delivery log with its 重新发送, and a source system's feedback
file. For the dispatchers and the administrators; the configuration is in the admin."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from concord.accounts.models import Role, User
from concord.audit.models import AuditAction
from concord.audit.models import record as audit
from concord.cases.scope import visible_cases
from concord.core.errors import InvalidInput
from concord.core.views import refusal_text

from . import feedback, webhooks
from .choices import DeliveryStatus
from .forms import DeliveryFilterForm
from .models import ExternalSystem, WebhookDelivery

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
INTEGRATION_ROLES = frozenset({Role.DISPATCHER, Role.ADMIN})


def can_see_integrations(user: User) -> bool:
    return user.is_authenticated and user.role in INTEGRATION_ROLES


def _allowed(request: HttpRequest) -> None:
    if not can_see_integrations(request.user):
        raise PermissionDenied(_("只有调度员和管理员可以查看系统对接"))


@login_required
def deliveries(request: HttpRequest) -> HttpResponse:
    """回调投递记录: newest first, filtered by system, state and event."""
    _allowed(request)
    form = DeliveryFilterForm(request.GET or None)
    rows = WebhookDelivery.objects.select_related("webhook__system", "case")
    status = 200
    if form.is_bound and not form.is_valid():
        rows, status = rows.none(), 400
    elif form.is_bound:
        if system := form.cleaned_data["system"]:
            rows = rows.filter(webhook__system=system)
        for field in ("status", "event"):
            if value := form.cleaned_data[field]:
                rows = rows.filter(**{field: value})
    counts = dict(WebhookDelivery.objects.values_list("status").annotate(n=Count("id")).order_by())
    page = Paginator(rows, settings.CONCORD["PAGE_SIZE"]).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "totals": [(s, counts.get(s.value, 0)) for s in DeliveryStatus],
        "systems": ExternalSystem.objects.all(),
        "max_attempts": webhooks.MAX_ATTEMPTS,
    }
    return render(request, "integrations/deliveries.html", context, status=status)


@login_required
@require_POST
def resend(request: HttpRequest, delivery_id: int) -> HttpResponse:
    """重新发送 a failed delivery: a new round of attempts, starting with the next run."""
    _allowed(request)
    delivery = get_object_or_404(WebhookDelivery, pk=delivery_id)
    if webhooks.resend(WebhookDelivery.objects.filter(pk=delivery.pk)):
        messages.success(
            request, _("已重新排队，将在半分钟内发送（投递编号 %(id)s）") % {"id": delivery.pk}
        )
    else:
        messages.error(
            request,
            _("投递 %(id)s 当前状态为「%(status)s」，只有失败的投递可以重新发送")
            % {"id": delivery.pk, "status": delivery.get_status_display()},
        )
    # Back to the list as it was filtered (only the log's own parameters).
    keep = {
        k: v for k, v in request.GET.items() if k in ("system", "status", "event", "page") and v
    }
    url = reverse("integrations:deliveries")
    return redirect(f"{url}?{urlencode(keep)}" if keep else url)


@login_required
def feedback_export(request: HttpRequest, code: str) -> HttpResponse:
    """The answered work orders of one source system (12345) as XLSX, `from`–`to` by the date
    they were answered (办结时间)."""
    _allowed(request)
    system = get_object_or_404(ExternalSystem, code=code)
    try:
        first, last = feedback.parse_range(request.GET.get("from"), request.GET.get("to"))
    except InvalidInput as exc:
        return HttpResponse(refusal_text(exc), status=400, content_type="text/plain; charset=utf-8")
    cases = feedback.answered_cases(visible_cases(request.user), system, first, last)
    body, count = feedback.workbook(cases)
    audit(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=system,
        detail={"report": "feedback", "from": str(first), "to": str(last), "rows": count},
    )
    response = HttpResponse(body, content_type=XLSX)
    name = f"feedback-{system.code}-{first:%Y%m%d}-{last:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
