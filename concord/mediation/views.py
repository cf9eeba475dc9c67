"""Mediation pages: the 调解员库 team page (list, add, edit) and the 调解 card's actions on the
case page (start, schedule a session, finish); what follows a mediation is in
agreement_views. Each view parses, checks, calls one service and renders."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from concord.accounts.models import User
from concord.cases.models import Case
from concord.cases.scope import case_or_404
from concord.core.dates import local_time
from concord.core.errors import InvalidInput, ServiceError
from concord.core.views import case_url, form_refused, redirect_to_case, refused

from .choices import ChainStep, MediationStatus
from .forms import FinishForm, MediatorForm, SessionForm, SessionRecordForm, StartForm
from .models import Mediation, Mediator, Session
from .panels import ChainPanel, agreement_panel, chain_panel
from .pool import MediatorFilterForm, success_rate, suggest_mediators, with_record
from .services import (
    MEDIABLE_STATUSES,
    can_keep_pool,
    can_mediate,
    can_read_pool,
    finish_mediation,
    record_session,
    save_mediator,
    schedule_session,
    start_mediation,
)

# ---------------------------------------------------------------- the case card


@dataclass
class Card:
    case: Case
    current: Mediation | None
    past: list[Mediation]
    can_act: bool
    suggestions: list
    start_form: StartForm | None
    session_form: SessionForm | None
    finish_form: FinishForm | None
    chain: ChainPanel | None = None


def mediation_card(case: Case, user: User) -> Card:
    """What the 调解 card of a case page shows to this user."""
    mediations = list(
        case.mediations.prefetch_related(
            Prefetch("mediators", Mediator.objects.select_related("organisation")),
            Prefetch("sessions", Session.objects.select_related("room__organisation")),
            "agreement__parties",
        ).select_related("ended_by", "agreement__confirmation__court")
    )
    current = next((m for m in mediations if m.is_open), None)
    past = [m for m in mediations if not m.is_open]
    can_act = can_mediate(user, case, current) and case.status in MEDIABLE_STATUSES
    for mediation in past:
        # The agreement and its confirmation follow a succeeded mediation.
        succeeded = mediation.status == MediationStatus.SUCCEEDED
        mediation.panel = agreement_panel(mediation, user) if succeeded else None
    card = Card(case, current, past, can_act, [], None, None, None)
    card.chain = chain_panel(case, mediations, user)
    if current is None and can_act and not _moved_on(past, card.chain):
        card.suggestions = suggest_mediators(case)
        card.start_form = StartForm()
    if current is not None and can_act:
        card.session_form = SessionForm(mediation_id=current.pk)
        card.finish_form = FinishForm(mediation_id=current.pk)
        now = timezone.now()
        for session in current.sessions.all():
            if session.starts_at <= now:
                initial = {
                    "attendees": session.attendees,
                    "record": session.record,
                    "version": session.version,
                }
                session.record_form = SessionRecordForm(session_id=session.pk, initial=initial)
    return card


def _moved_on(past: list[Mediation], chain: ChainPanel | None) -> bool:
    """No new mediation is offered once the latest one settled the dispute (unless the court
    rejected its agreement) or the case went on to court."""
    if chain is not None and chain.chain.current in (ChainStep.GUIDED, ChainStep.LITIGATION):
        return True
    settled = bool(past) and past[0].status == MediationStatus.SUCCEEDED
    return settled and (chain is None or chain.chain.basis is None)


def mediation_or_404(request: HttpRequest, mediation_id: int) -> Mediation:
    mediation = get_object_or_404(Mediation, pk=mediation_id)
    mediation.case = case_or_404(request, mediation.case_id)
    return mediation


@login_required
@require_POST
def start(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_or_404(request, case_id)
    form = StartForm(request.POST)
    if not form.is_valid():
        return refused(
            request, InvalidInput({"mediators": gettext("所选调解员不可用")}), case_url(case.pk)
        )
    try:
        mediation = start_mediation(case, actor=request.user, mediators=form.chosen())
    except ServiceError as exc:
        return refused(request, exc, case_url(case.pk))
    names = "、".join(m.name for m in mediation.mediators.all())
    messages.success(request, gettext("已发起调解，调解员：%(names)s") % {"names": names})
    return redirect_to_case(request, case.pk)


@login_required
@require_POST
def schedule(request: HttpRequest, mediation_id: int) -> HttpResponse:
    mediation = mediation_or_404(request, mediation_id)
    form = SessionForm(request.POST, mediation_id=mediation.pk)
    if form.is_valid():
        try:
            session = schedule_session(mediation, actor=request.user, **form.params())
        except InvalidInput as exc:
            form.place(exc)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                gettext("已安排调解：%(when)s，%(place)s")
                % {"when": local_time(session.starts_at), "place": _place(session)},
            )
            return redirect_to_case(request, mediation.case_id)
    context = {"case": mediation.case, "mediation": mediation, "form": form}
    template = "mediation/_session_form.html"
    return form_refused(request, form, template, context, case_url(mediation.case_id))


@login_required
@require_POST
def finish(request: HttpRequest, mediation_id: int) -> HttpResponse:
    mediation = mediation_or_404(request, mediation_id)
    form = FinishForm(request.POST, mediation_id=mediation.pk)
    if form.is_valid():
        try:
            mediation = finish_mediation(mediation, actor=request.user, **form.params())
        except InvalidInput as exc:
            form.place(exc)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            text = gettext("调解已结束：%(status)s")
            messages.success(request, text % {"status": mediation.get_status_display()})
            return redirect_to_case(request, mediation.case_id)
    context = {"case": mediation.case, "mediation": mediation, "form": form}
    template = "mediation/_finish_form.html"
    return form_refused(request, form, template, context, case_url(mediation.case_id))


@login_required
@require_POST
def session_record(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_object_or_404(Session.objects.select_related("mediation"), pk=session_id)
    session.mediation.case = case_or_404(request, session.mediation.case_id)
    form = SessionRecordForm(request.POST, session_id=session.pk)
    if form.is_valid():
        try:
            record_session(session, actor=request.user, **form.params())
        except InvalidInput as exc:
            form.place(exc)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("已保存调解记录"))
            return redirect_to_case(request, session.mediation.case_id)
    context = {"session": session, "form": form}
    template = "mediation/_record_form.html"
    return form_refused(request, form, template, context, case_url(session.mediation.case_id))


def _place(session: Session) -> str:
    return str(session.room) if session.room_id else gettext("线上调解")


# ---------------------------------------------------------------- the team page


@login_required
def mediator_list(request: HttpRequest) -> HttpResponse:
    if not can_read_pool(request.user):
        raise Http404  # other roles do not learn the page exists
    form = MediatorFilterForm(request.GET or None)
    mediators = with_record(Mediator.objects.all()).order_by("organisation__code", "name")
    if form.is_bound:
        mediators = form.filter(mediators) if form.is_valid() else mediators.none()
    rows = list(mediators)
    for mediator in rows:
        mediator.rate = success_rate(mediator)
    context = {"form": form, "mediators": rows, "can_edit": can_keep_pool(request.user)}
    template = "mediation/_mediator_table.html" if request.htmx else "mediation/mediators.html"
    return render(request, template, context)


def _edit(request: HttpRequest, mediator: Mediator | None) -> HttpResponse:
    if not can_keep_pool(request.user):
        raise Http404
    form = MediatorForm(request.POST or None, instance=mediator)
    if request.method == "POST" and form.is_valid():
        try:
            version = form.cleaned_data["version"]
            saved = save_mediator(form.instance, actor=request.user, version=version)
        except InvalidInput as exc:
            form.place(exc)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            text = (
                gettext("已添加调解员「%(name)s」")
                if mediator is None
                else gettext("已保存调解员「%(name)s」")
            )
            messages.success(request, text % {"name": saved.name})
            return redirect("mediation:mediators")
    status = 422 if form.errors else 200
    context = {"form": form, "mediator": mediator}
    return render(request, "mediation/mediator_form.html", context, status=status)


@login_required
def mediator_new(request: HttpRequest) -> HttpResponse:
    return _edit(request, None)


@login_required
def mediator_edit(request: HttpRequest, mediator_id: int) -> HttpResponse:
    return _edit(request, get_object_or_404(Mediator, pk=mediator_id))
