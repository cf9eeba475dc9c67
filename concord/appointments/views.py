"""预约服务 pages: a desk's agenda by day or week with free and booked places and the booking
form; cancel and mark attended; the card on the case page. Each view parses, checks, calls
one service and renders."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from concord.accounts.models import User
from concord.cases.models import Case
from concord.cases.scope import visible_cases
from concord.core.errors import InvalidInput, ServiceError
from concord.core.views import form_refused, redirect_after_post, refused

from . import services
from .agenda import agenda
from .forms import AgendaForm, BookingForm
from .models import Desk

# How far ahead the booking form offers slots.
BOOKING_DAYS = 28


def case_card(case: Case, user: User) -> dict:
    """The case's appointments (one query) and, for staff who book, the way to book one."""
    appointments = list(
        case.appointments.select_related("slot__desk").order_by("slot__starts_at", "pk")
    )
    can_book = services.can_book(user)
    return {
        "case": case,
        "appointments": appointments,
        "can_book": can_book,
        "desks": list(services.active_desks()) if can_book else [],
    }


def _offered(desk: Desk | None):
    until = timezone.now() + dt.timedelta(days=BOOKING_DAYS)
    return services.bookable(desk).filter(starts_at__lt=until)


def _booking_form(user: User, desk: Desk | None, data=None, initial=None) -> BookingForm:
    return BookingForm(data, initial=initial, slots=_offered(desk), cases=visible_cases(user))


def agenda_url(desk: Desk, day: dt.date, view: str = "week", case: int | None = None) -> str:
    """The agenda of a desk; `case` keeps the case being booked for while paging."""
    params = {"desk": desk.code, "date": day.isoformat(), "view": view}
    query = urlencode(params | ({"case": case} if case else {}))
    return f"{reverse('appointments:desk')}?{query}"


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    """A desk's day or week: each slot with its places and bookings; the booking form."""
    user = request.user
    desks = services.active_desks()
    form = AgendaForm(request.GET, desks=desks)
    context = {"desks": list(desks), "form": form, "can_book": services.can_book(user)}
    if not context["desks"] or not form.is_valid():
        return render(request, "appointments/desk.html", context)
    chosen = form.cleaned_data["desk"]
    first, last = form.span()
    days, rows = agenda(chosen, first, last, user)
    step = dt.timedelta(days=1 if form.cleaned_data["view"] == "day" else 7)
    view = form.cleaned_data["view"]
    initial, linked = {}, None
    if request.GET.get("slot", "").isdigit():
        initial["slot"] = int(request.GET["slot"])
    if request.GET.get("case", "").isdigit():
        linked = visible_cases(user).filter(pk=int(request.GET["case"])).first()
        if linked is not None:
            initial["case"] = linked.tracking_code
    date = form.cleaned_data["date"]
    keep = linked.pk if linked else None
    context |= {
        "desk": chosen,
        "days": days,
        "rows": rows,
        "view": view,
        "today": timezone.localdate(),
        "linked": linked,
        "prev_url": agenda_url(chosen, first - step, view, keep),
        "next_url": agenda_url(chosen, first + step, view, keep),
        "today_url": agenda_url(chosen, timezone.localdate(), view, keep),
        "week_url": agenda_url(chosen, date, "week", keep),
        "day_url": agenda_url(chosen, date, "day", keep),
        "booking_form": (
            _booking_form(user, chosen, initial=initial) if context["can_book"] else None
        ),
    }
    return render(request, "appointments/desk.html", context)


@login_required
@require_POST
def book(request: HttpRequest) -> HttpResponse:
    user = request.user
    chosen = Desk.objects.filter(code=request.POST.get("desk", ""), active=True).first()
    form = _booking_form(user, chosen, data=request.POST)
    back = agenda_url(chosen, timezone.localdate()) if chosen else reverse("appointments:desk")
    if form.is_valid():
        try:
            appointment = services.book(actor=user, **form.params())
        except InvalidInput as exc:
            form.place(exc)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            slot = appointment.slot
            messages.success(
                request,
                gettext("已为%(name)s预约%(slot)s")
                % {"name": appointment.name, "slot": services.describe(slot)},
            )
            day = timezone.localtime(slot.starts_at).date()
            return redirect_after_post(request, agenda_url(slot.desk, day, "day"))
    context = {"form": form, "desk": chosen}
    return form_refused(request, form, "appointments/_booking_form.html", context, back)


def _act(request: HttpRequest, appointment_id: int, act) -> HttpResponse:
    try:
        appointment = services.get_appointment(appointment_id)
    except ServiceError as exc:
        return refused(request, exc, reverse("appointments:desk"))
    slot = appointment.slot
    back = agenda_url(slot.desk, timezone.localtime(slot.starts_at).date(), "day")
    if request.POST.get("back") == "case" and appointment.case_id:
        back = reverse("cases:detail", args=[appointment.case_id])
    try:
        appointment = act(appointment)
    except ServiceError as exc:
        return refused(request, exc, back)
    messages.success(
        request,
        gettext("%(name)s %(slot)s：%(status)s")
        % {
            "name": appointment.name,
            "slot": services.describe(slot),
            "status": appointment.get_status_display(),
        },
    )
    return redirect_after_post(request, back)


@login_required
@require_POST
def cancel(request: HttpRequest, appointment_id: int) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _act(
        request,
        appointment_id,
        lambda a: services.cancel(a, actor=request.user, reason=reason),
    )


@login_required
@require_POST
def mark(request: HttpRequest, appointment_id: int) -> HttpResponse:
    attended = request.POST.get("attended") == "1"
    return _act(
        request,
        appointment_id,
        lambda a: services.mark(a, actor=request.user, attended=attended),
    )
