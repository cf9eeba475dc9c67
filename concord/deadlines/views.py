"""Deadline pages: the 时限 card on the case page, extension requests and decisions, and the
超期督办 page. Each view parses, checks, calls one service and renders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from concord.accounts.models import User
from concord.accounts.permissions import SUPERVISE_ROLES, can_see_overdue
from concord.cases.models import Case
from concord.cases.scope import case_or_404, visible_cases
from concord.core.errors import InvalidInput, ServiceError
from concord.core.views import case_url, form_refused, redirect_to_case, refused

from .extensions import decide_extension, request_extension
from .forms import ExtensionRequestForm
from .letters import letter_response
from .models import Deadline, Extension, ExtensionStatus, Supervision
from .queries import on_time_rates, overdue_deadlines
from .supervision import issue_supervision
from .sweep import responsible_org

RATE_WINDOW_DAYS = 90


@dataclass
class NodeRow:
    deadline: Deadline
    owner: object
    form: ExtensionRequestForm | None = None
    pending: list[Extension] = field(default_factory=list)


def deadline_card(case: Case, user: User) -> dict:
    """What the 时限 and 督办 cards of a case page show to this user: the deadlines come with
    the case (scope.get_visible_case_with_history); two queries more."""
    deadlines = list(case.deadlines.all())
    prefetch_related_objects(
        deadlines,
        Prefetch(
            "extensions",
            Extension.objects.filter(status=ExtensionStatus.REQUESTED).select_related(
                "requested_by"
            ),
            to_attr="pending",
        ),
    )
    rows = []
    for deadline in deadlines:
        deadline.case = case
        rows.append(_row(deadline, user))
    return {
        "rows": rows,
        "pending": [e for row in rows for e in row.pending],
        "can_decide": user.role in SUPERVISE_ROLES,
        "can_supervise": user.role in SUPERVISE_ROLES and case.lead_org_id is not None,
        "supervisions": case.supervisions.select_related(
            "issuer_org", "target_org", "issued_by"
        ).order_by("-issued_at"),
    }


def _row(deadline: Deadline, user: User) -> NodeRow:
    owner = responsible_org(deadline)
    row = NodeRow(deadline, owner, pending=getattr(deadline, "pending", []))
    node = deadline.node
    if (
        not deadline.met_at
        and owner is not None
        and owner.pk == user.organisation_id
        and node.extension_max > deadline.extension
        and not row.pending
    ):
        row.form = ExtensionRequestForm(deadline=deadline)
    return row


@login_required
@require_POST
def ask_for_extension(request: HttpRequest, case_id: int, deadline_id: int) -> HttpResponse:
    case = case_or_404(request, case_id)
    deadline = get_object_or_404(
        case.deadlines.select_related("node", "task__organisation"), pk=deadline_id
    )
    deadline.case = case
    form = ExtensionRequestForm(request.POST, deadline=deadline)
    if form.is_valid():
        try:
            request_extension(deadline, actor=request.user, **form.params())
        except InvalidInput as exc:
            form.place(exc)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, gettext("已提交「%(node)s」的延期申请") % {"node": deadline.label}
            )
            return redirect_to_case(request, case.pk)
    context = {"case": case, "row": NodeRow(deadline, None, form)}
    template = "deadlines/_extension_form.html"
    return form_refused(request, form, template, context, case_url(case.pk))


@login_required
@require_POST
def decide(request: HttpRequest, extension_id: int) -> HttpResponse:
    extension = get_object_or_404(Extension.objects.select_related("deadline"), pk=extension_id)
    case = case_or_404(request, extension.deadline.case_id)
    approve = request.POST.get("approve") == "1"
    try:
        extension = decide_extension(
            extension, actor=request.user, approve=approve, comment=request.POST.get("comment", "")
        )
    except ServiceError as exc:
        return refused(request, exc, case_url(case.pk))
    if approve:
        text = gettext("已批准「%(node)s」延期%(amount)d%(unit)s")
    else:
        text = gettext("已不批准「%(node)s」的延期申请")
    messages.success(
        request,
        text
        % {
            "node": extension.deadline.label,
            "amount": extension.amount,
            "unit": extension.deadline.node.get_unit_display(),
        },
    )
    return redirect_to_case(request, case.pk)


@login_required
@require_POST
def supervise(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_or_404(request, case_id)
    days = request.POST.get("reply_days", "")
    try:
        supervision = issue_supervision(
            case,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            reply_days=int(days) if days.strip().isdigit() and len(days) < 4 else -1,
        )
    except ServiceError as exc:
        return refused(request, exc, case_url(case.pk))
    messages.success(request, gettext("已督办%(org)s") % {"org": supervision.target_org.name})
    return redirect_to_case(request, case.pk)


@login_required
def letter(request: HttpRequest, supervision_id: int, kind: str) -> HttpResponse:
    supervision = get_object_or_404(
        Supervision.objects.select_related("case", "deadline__node", "target_org", "issuer_org"),
        pk=supervision_id,
    )
    case_or_404(request, supervision.case_id)
    try:
        return letter_response(supervision, kind)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect_to_case(request, supervision.case_id)


@login_required
def overdue(request: HttpRequest) -> HttpResponse:
    if not can_see_overdue(request.user):
        raise Http404
    now = timezone.now()
    cases = visible_cases(request.user)
    page = Paginator(overdue_deadlines(cases), settings.CONCORD["PAGE_SIZE"]).get_page(
        request.GET.get("page")
    )
    for deadline in page:
        deadline.owner = responsible_org(deadline)
    since = now - dt.timedelta(days=RATE_WINDOW_DAYS)
    context = {
        "page": page,
        "now": now,
        "rates": on_time_rates(cases, since=since),
        "window_days": RATE_WINDOW_DAYS,
    }
    return render(request, "deadlines/overdue.html", context)
