"""联合会商 pages: the card on the case page (schedule a 3+X, record its minutes, record a
joint reception), the list page (my organisation's decisions and consultations), marking a
decision done, and the minutes as Word or PDF. Each view parses, checks, calls one service and
renders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
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
from concord.cases.scope import case_or_404, visible_cases
from concord.core.dates import local_time
from concord.core.documents import document_response
from concord.core.errors import InvalidInput, NotFound, ServiceError
from concord.core.views import (
    case_url,
    redirect_after_post,
    refused,
    submit,
)

from . import services
from .documents import minutes_document
from .forms import DoneForm, MinutesForm, ReceptionForm, ScheduleForm
from .models import Consultation, Decision, JointReception

LIST_MAX = 100


@dataclass
class Card:
    case: Case
    user: User
    consultations: list[Consultation]
    receptions: list[JointReception]
    can_organise: bool
    is_group: bool
    group_least: int
    today: dt.date
    schedule_form: ScheduleForm | None = None
    reception_form: ReceptionForm | None = None

    @property
    def shown(self) -> bool:
        return bool(self.consultations or self.receptions or self.can_organise)


def case_card(case: Case, user: User) -> Card:
    """What the 联合会商 card of a case page shows this user: the consultations with their
    seats and decisions, the joint receptions, and the forms the user may fill in."""
    consultations = list(services.with_details(case.consultations.all()))
    receptions = list(
        case.joint_receptions.select_related("recorded_by").prefetch_related("departments")
    )
    can = services.can_organise(user, case) and case.status in OPEN_STATUSES
    least = settings.CONCORD["GROUP_MATTER_PEOPLE"]
    group = case.people_count >= least
    card = Card(case, user, consultations, receptions, can, group, least, timezone.localdate())
    if can:
        card.schedule_form = ScheduleForm()
        if card.is_group:
            card.reception_form = ReceptionForm()
    for c in consultations:
        c.case = case
        c.minutes_form = None
        if not c.is_held and services.can_record_minutes(user, c):
            c.minutes_form = MinutesForm(consultation=c)
    return card


def _consultation_or_404(request: HttpRequest, consultation_id: int) -> Consultation:
    try:
        return services.get_visible_consultation(request.user, consultation_id)
    except NotFound:
        raise Http404(gettext("联合会商不存在")) from None


@login_required
@require_POST
def schedule(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_or_404(request, case_id)
    form = ScheduleForm(request.POST)

    def act() -> str:
        consultation = services.schedule(case, actor=request.user, **form.params())
        when = local_time(consultation.scheduled_at)
        return gettext("已安排联合会商：%(when)s") % {"when": when}

    context = {"case": case, "form": form}
    template, back = "consultations/_schedule_form.html", case_url(case.pk)
    return submit(request, form, act, template=template, context=context, back=back)


@login_required
@require_POST
def minutes(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = _consultation_or_404(request, consultation_id)
    form = MinutesForm(request.POST, consultation=consultation)

    def act() -> str:
        services.record_minutes(consultation, actor=request.user, **form.params())
        return gettext("已录入会商纪要")

    context = {"consultation": consultation, "form": form}
    template, back = "consultations/_minutes_form.html", case_url(consultation.case_id)
    return submit(request, form, act, template=template, context=context, back=back)


@login_required
@require_POST
def reception(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_or_404(request, case_id)
    form = ReceptionForm(request.POST)

    def act() -> str:
        services.record_reception(case, actor=request.user, **form.params())
        return gettext("已记录联合接访")

    context = {"case": case, "form": form}
    template, back = "consultations/_reception_form.html", case_url(case.pk)
    return submit(request, form, act, template=template, context=context, back=back)


@login_required
@require_POST
def done(request: HttpRequest, decision_id: int) -> HttpResponse:
    try:
        decision = services.get_visible_decision(request.user, decision_id)
    except NotFound:
        raise Http404(gettext("会商议定事项不存在")) from None
    back = reverse("consultations:list")
    if request.POST.get("back") == "case":
        back = case_url(decision.case_id)
    form = DoneForm(request.POST, decision_id=decision.pk)
    if not form.is_valid():
        return refused(request, InvalidInput({"note": form.errors["note"][0]}), back)
    try:
        services.mark_done(decision, actor=request.user, note=form.cleaned_data["note"])
    except ServiceError as exc:
        return refused(request, exc, back)
    messages.success(request, gettext("议定事项已办结"))
    return redirect_after_post(request, back)


@login_required
def document(request: HttpRequest, consultation_id: int, kind: str) -> HttpResponse:
    consultation = _consultation_or_404(request, consultation_id)
    try:
        return document_response(
            minutes_document(consultation),
            kind,
            gettext("会商纪要-%(code)s") % {"code": consultation.case.tracking_code},
        )
    except ServiceError as exc:
        back = reverse("consultations:list")
        return refused(request, exc, back)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """我单位的会商事项 (the organisation's decisions), the consultations the user takes part
    in or oversees, and for a supervisor the overdue decisions on the cases they see."""
    user = request.user
    today = timezone.localdate()
    own = Decision.objects.none()
    if user.organisation_id:
        own = Decision.objects.filter(organisation_id=user.organisation_id)
    # Open ones first by due date, then the latest done; meetings to come first, soonest
    # first, then the latest held (NULLs placed alike on SQLite and PostgreSQL).
    own = list(
        own.select_related("case", "consultation").order_by(
            F("done_at").desc(nulls_first=True), "due_date", "pk"
        )[:LIST_MAX]
    )
    consultations = list(
        services.with_details(services.related_consultations(user)).order_by(
            F("held_at").desc(nulls_first=True), "scheduled_at", "pk"
        )[:LIST_MAX]
    )
    supervisor = user.role in SUPERVISE_ROLES
    overdue = []
    if supervisor:
        overdue = list(
            Decision.objects.filter(
                case__in=visible_cases(user).values("pk"), done_at=None, due_date__lt=today
            )
            .select_related("case", "organisation")
            .order_by("due_date", "pk")[:LIST_MAX]
        )
    seen = set(
        visible_cases(user)
        .filter(pk__in={c.case_id for c in consultations} | {d.case_id for d in own})
        .values_list("pk", flat=True)
    )
    context = {
        "decisions": own,
        "consultations": consultations,
        "overdue": overdue,
        "supervisor": supervisor,
        "visible_case_ids": seen,
        "today": today,
    }
    return render(request, "consultations/list.html", context)
