"""五调联动 pages: the report (counts per type and direction, open hand-overs, recent ones) and
the case card's hand-over and return. Each view parses, checks, calls one service, renders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from concord.accounts.models import User
from concord.cases.models import Case
from concord.cases.scope import case_or_404, visible_cases
from concord.core.errors import InvalidInput, ServiceError
from concord.core.views import case_url, form_refused, redirect_after_post

from . import services
from .forms import HandoverForm, PeriodForm, ReturnForm

RECENT_MAX = 50


def case_card(
    case: Case,
    user: User,
    handover_form: HandoverForm | None = None,
    return_form: ReturnForm | None = None,
) -> dict:
    """What the 五调联动 card shows this user: the case's hand-overs and, for the center's
    staff, the hand-over and return forms (three queries)."""
    handovers = services.case_handovers(case)
    can_act = services.can_hand_over(user)
    waiting = services.open_handovers(case.handovers.all()).order_by("at", "pk")
    if can_act:
        handover_form = handover_form or HandoverForm()
        return_form = return_form or ReturnForm(open_handovers=waiting)
    return {
        "case": case,
        "user": user,
        "handovers": handovers,
        "can_act": can_act,
        "any_open": any(h.is_open for h in handovers),
        "handover_form": handover_form,
        "return_form": return_form,
    }


@login_required
@require_POST
def hand_over(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_or_404(request, case_id)
    form = HandoverForm(request.POST)
    if form.is_valid():
        try:
            handover = services.hand_over(case, actor=request.user, **form.params())
        except InvalidInput as exc:
            form.place(exc)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("已记录：%(what)s") % {"what": _said(handover)})
            return redirect_after_post(request, case_url(case.pk))
    context = {"case": case, "form": form}
    return form_refused(request, form, "linkage/_handover_form.html", context, case_url(case.pk))


@login_required
@require_POST
def record_return(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_or_404(request, case_id)
    form = ReturnForm(request.POST, open_handovers=services.open_handovers(case.handovers.all()))
    if form.is_valid():
        try:
            handover = services.record_return(
                form.cleaned_data["answers"], actor=request.user, **form.params()
            )
        except InvalidInput as exc:
            form.place(exc)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("已记录：%(what)s") % {"what": _said(handover)})
            return redirect_after_post(request, case_url(case.pk))
    context = {"case": case, "form": form}
    return form_refused(request, form, "linkage/_return_form.html", context, case_url(case.pk))


def _said(handover) -> str:
    text = f"{handover.get_linkage_type_display()} · {handover.kind_label} {handover.partner.name}"
    if handover.outcome:
        text += f"（{handover.get_outcome_display()}）"
    return text


@login_required
def report(request: HttpRequest) -> HttpResponse:
    """Counts per type × direction for a period, what is still open, and the latest
    hand-overs: a dispatcher, leader or admin over their scope, a partner over its own."""
    user = request.user
    if not services.can_see_report(user):
        raise PermissionDenied(gettext("五调联动统计仅供调度员、领导、管理员和联动单位查看"))
    form = PeriodForm(request.GET)
    rows, recent, seen = None, [], set()
    handovers = services.visible_handovers(user)
    if form.is_valid():
        span = form.span()
        rows = services.stats(handovers, **span)
        recent = services.flag_open(
            handovers.filter(at__gte=span["start"], at__lt=span["end"])
            .select_related("case", "partner", "by", "answer")
            .order_by("-at", "-pk")[:RECENT_MAX]
        )
        # A partner sees its hand-overs, but a case page only when the case is in its scope.
        ids = {h.case_id for h in recent}
        seen = set(visible_cases(user).filter(pk__in=ids).values_list("pk", flat=True))
    partner_view = user.role not in services.SUPERVISE_ROLES
    if rows is not None and partner_view:
        own = services.linkage_type_of(user.organisation)
        rows = [r for r in rows if r["type"] == own]
    totals = None
    if rows is not None:
        totals = {k: sum(r[k] for r in rows) for k in ("in", "out", "in_open", "out_open")}
    context = {
        "form": form,
        "rows": rows,
        "totals": totals,
        "recent": recent,
        "seen": seen,
        "partner_view": partner_view,
        "recent_max": RECENT_MAX,
    }
    return render(request, "linkage/report.html", context)
