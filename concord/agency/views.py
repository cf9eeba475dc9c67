"""信访代办 pages: the card on the case page (assign or reassign an agent, the errand log, log
an errand, finish) and the agent's list. Each view parses, checks, calls one service and
renders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from concord.accounts.models import User
from concord.accounts.permissions import SUPERVISE_ROLES
from concord.cases.choices import OPEN_STATUSES
from concord.cases.models import Case
from concord.cases.scope import case_or_404
from concord.core.errors import NotFound
from concord.core.views import case_url, submit
from concord.orgs.models import OrgKind

from . import services
from .forms import AssignForm, ErrandForm, FinishForm
from .models import Agency, AgencyStatus

LIST_MAX = 100


@dataclass
class Card:
    case: Case
    user: User
    current: Agency | None
    past: list[Agency]
    can_assign: bool
    assign_form: AssignForm | None
    errand_form: ErrandForm | None
    finish_form: FinishForm | None
    today: dt.date

    @property
    def shown(self) -> bool:
        return self.case.type in services.AGENCY_TYPES and bool(
            self.current or self.past or self.can_assign
        )

    @property
    def more_than_once(self) -> bool:
        """An agency case whose citizen still came more than once: 未实现"最多跑一次"."""
        return bool(self.current or self.past) and self.case.visits_count > 1


def case_card(case: Case, user: User) -> Card:
    agencies = list(
        case.agencies.select_related("agent__organisation", "assigned_by", "ended_by")
        .prefetch_related("errands")
        .order_by("-assigned_at", "-pk")
    )
    current = next((a for a in agencies if a.is_active), None)
    past = [a for a in agencies if not a.is_active]
    can = (
        services.can_assign(user, case)
        and case.status in OPEN_STATUSES
        and case.type in services.AGENCY_TYPES
    )
    card = Card(case, user, current, past, can, None, None, None, timezone.localdate())
    if can:
        card.assign_form = AssignForm(case=case, reassign=current is not None)
    if current is not None:
        current.case = case
        if user.pk == current.agent_id:
            card.errand_form = ErrandForm(agency_id=current.pk)
        if services.can_finish(user, current):
            card.finish_form = FinishForm(agency_id=current.pk)
    return card


def _agency_or_404(request: HttpRequest, agency_id: int) -> Agency:
    try:
        return services.get_visible_agency(request.user, agency_id)
    except NotFound:
        raise Http404(gettext("信访代办不存在")) from None


def _back(request: HttpRequest, agency: Agency) -> str:
    if request.POST.get("back") == "mine":
        return reverse("agency:mine")
    return case_url(agency.case_id)


@login_required
@require_POST
def assign(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_or_404(request, case_id)
    form = AssignForm(request.POST, case=case)

    def act() -> str:
        agency = services.assign(case, actor=request.user, **form.params())
        return gettext("已指派代办员：%(name)s") % {"name": agency.agent}

    context = {"case": case, "form": form}
    template, back = "agency/_assign_form.html", case_url(case.pk)
    return submit(request, form, act, template=template, context=context, back=back)


@login_required
@require_POST
def errand(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = _agency_or_404(request, agency_id)
    form = ErrandForm(request.POST, agency_id=agency.pk)

    def act() -> str:
        services.log_errand(agency, actor=request.user, **form.params())
        return gettext("已记录代办情况")

    context = {"agency": agency, "form": form, "back": request.POST.get("back", "case")}
    template, back = "agency/_errand_form.html", _back(request, agency)
    return submit(request, form, act, template=template, context=context, back=back)


@login_required
@require_POST
def finish(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = _agency_or_404(request, agency_id)
    form = FinishForm(request.POST, agency_id=agency.pk)

    def act() -> str:
        services.finish(agency, actor=request.user, note=form.cleaned_data["note"])
        return gettext("信访代办已办结")

    context = {"agency": agency, "form": form, "back": request.POST.get("back", "case")}
    template, back = "agency/_finish_form.html", _back(request, agency)
    return submit(request, form, act, template=template, context=context, back=back)


def oversees(user: User) -> bool:
    """Who sees every active agency of their scope on the list: the assigners and
    supervisors, and the town centers."""
    org = user.organisation
    return (
        user.role in services.ASSIGNER_ROLES
        or user.role in SUPERVISE_ROLES
        or (org is not None and org.kind == OrgKind.TOWN_CENTER)
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The agent's cases (active first) with the last errand and the days since, and for
    those who oversee, the other active agencies of their scope."""
    user = request.user
    today = timezone.localdate()
    rows = services.with_last_errand(
        services.visible_agencies(user).select_related("case", "agent__organisation")
    )
    own = list(rows.filter(agent=user).order_by("status", "-assigned_at", "-pk")[:LIST_MAX])
    others = []
    if oversees(user):
        others = list(
            rows.filter(status=AgencyStatus.ACTIVE)
            .exclude(agent=user)
            .order_by("assigned_at", "pk")[:LIST_MAX]
        )
    for agency in [*own, *others]:
        agency.days_since = services.days_since(agency, agency.last_at, today)
    for agency in own:
        agency.errand_form = ErrandForm(agency_id=agency.pk) if agency.is_active else None
    context = {"own": own, "others": others, "oversees": oversees(user)}
    return render(request, "agency/mine.html", context)
