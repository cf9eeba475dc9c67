"""群众服务 pages: no login. Submit a dispute or a request for online mediation, track it with
the tracking code and the last four digits of the phone, rate it once it is resolved, book a
legal-aid or counselling slot.

Nothing personal travels in a URL: the forms post, and what a page must remember (the code
just issued, the case found, the booking made) stays in the session.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concord.appointments import services as appointments
from concord.appointments.models import Appointment, Desk
from concord.appointments.views import BOOKING_DAYS
from concord.cases.models import Case
from concord.core.errors import InvalidInput, ServiceError
from concord.evaluation.choices import RatingChannel
from concord.evaluation.forms import CitizenRatingForm
from concord.evaluation.ratings import rate_case

from . import services, throttle
from .forms import BookingForm, SubmitForm, TrackForm
from .progress import progress

# Session keys.
SUBMITTED, TRACKED, BOOKED = "portal_submitted", "portal_case", "portal_booked"


def _limited(request: HttpRequest, rule: throttle.Limit, who: str) -> HttpResponse:
    response = render(request, "portal/limited.html", {"rule": rule}, status=429)
    response["Retry-After"] = str(throttle.retry_after(rule, who))
    return response


def _slots(desk: Desk | None = None):
    """The free slots the portal offers: those of the coming BOOKING_DAYS, as staff see."""
    until = timezone.now() + dt.timedelta(days=BOOKING_DAYS)
    return appointments.bookable(desk).filter(starts_at__lt=until)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"can_book": _slots().exists()})


@never_cache
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    """The submission form; a valid one is registered and answered with its tracking code."""
    rule, ip = throttle.limit("submit"), throttle.client_ip(request)
    if throttle.exceeded(rule, ip):
        return _limited(request, rule, ip)
    if request.method == "GET":
        kind = request.GET.get("kind")
        initial = {"kind": kind} if kind in services.KINDS else {}
        return render(request, "portal/submit.html", {"form": SubmitForm(initial=initial)})
    form = SubmitForm(request.POST)
    if form.is_valid():
        try:
            case = services.submit(submission=form.submission())
        except InvalidInput as exc:
            form.place(exc)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            throttle.count(rule, ip)
            request.session[SUBMITTED] = case.tracking_code
            return redirect("portal:submitted")
    return render(request, "portal/submit.html", {"form": form}, status=422)


@never_cache
@require_GET
def submitted(request: HttpRequest) -> HttpResponse:
    code = request.session.get(SUBMITTED)
    if not code:
        return redirect("portal:home")
    return render(request, "portal/submitted.html", {"code": code})


def _tracked(request: HttpRequest) -> Case | None:
    case_id = request.session.get(TRACKED)
    if not isinstance(case_id, int):
        return None
    return Case.objects.select_related("lead_org").filter(pk=case_id).first()


def _progress_page(request, case: Case, rating_form=None, error: str = "", status: int = 200):
    context = {
        "progress": progress(case),
        "rating_form": rating_form or CitizenRatingForm(),
        "error": error,
    }
    return render(request, "portal/progress.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Look a case up by code and phone; once found, its progress until the visitor leaves."""
    if request.method == "GET":
        case = _tracked(request)
        if case is not None:
            return _progress_page(request, case)
        return render(request, "portal/track.html", {"form": TrackForm()})
    ip = throttle.client_ip(request)
    if not throttle.take(throttle.limit("track"), ip):
        return _limited(request, throttle.limit("track"), ip)
    form = TrackForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/track.html", {"form": form}, status=422)
    code, last4 = form.cleaned_data["code"].strip().upper(), form.cleaned_data["last4"]
    per_code = throttle.limit("code")
    if throttle.exceeded(per_code, code):
        return _limited(request, per_code, code)
    case = services.find_case(code, last4)
    if case is None:
        throttle.count(per_code, code)
        form.add_error(None, gettext("未找到匹配的事项，请核对查询码和联系电话后4位"))
        return render(request, "portal/track.html", {"form": form}, status=404)
    # A new session id for what the visitor may now see (no fixation of a planted one).
    request.session.cycle_key()
    request.session[TRACKED] = case.pk
    return redirect("portal:track")


@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    """Forget the case found (a shared phone, another case to look up)."""
    request.session.pop(TRACKED, None)
    return redirect("portal:track")


@never_cache
@require_POST
def rate(request: HttpRequest) -> HttpResponse:
    """The citizen's rating of the round just resolved: once per round (evaluation.ratings)."""
    case = _tracked(request)
    if case is None:
        messages.error(request, gettext("请先输入查询码和联系电话后4位查询事项"))
        return redirect("portal:track")
    form = CitizenRatingForm(request.POST)
    if not form.is_valid():
        return _progress_page(request, case, form, status=422)
    try:
        rating = rate_case(case, channel=RatingChannel.PORTAL, **form.cleaned_data)
    except InvalidInput as exc:
        form.place_errors(exc)
        return _progress_page(request, case, form, status=422)
    except ServiceError as exc:
        return _progress_page(request, case, form, error=exc.message, status=exc.status)
    messages.success(
        request,
        gettext("感谢您的评价！您的评价为「%(label)s」。")
        % {"label": rating.get_satisfaction_display()},
    )
    return redirect("portal:track")


@never_cache
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest) -> HttpResponse:
    """预约: the desks with free slots; for the chosen desk (?desk=code) its booking form."""
    desk = appointments.active_desks().filter(code=request.GET.get("desk", "")).first()
    if desk is None:
        desks = [(d, _slots(d).count()) for d in appointments.active_desks()]
        return render(request, "portal/desks.html", {"desks": desks})
    rule, ip = throttle.limit("submit"), throttle.client_ip(request)
    if throttle.exceeded(rule, ip):
        return _limited(request, rule, ip)
    form = BookingForm(request.POST or None, slots=_slots(desk))
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                appointment = appointments.book(actor=None, **form.params())
            except InvalidInput as exc:
                form.place(exc)
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                throttle.count(rule, ip)
                request.session[BOOKED] = appointment.pk
                return redirect("portal:booked")
    return render(request, "portal/book.html", {"desk": desk, "form": form}, status=status)


@never_cache
@require_GET
def booked(request: HttpRequest) -> HttpResponse:
    appointment_id = request.session.get(BOOKED)
    appointment = (
        Appointment.objects.select_related("slot__desk").filter(pk=appointment_id).first()
        if isinstance(appointment_id, int)
        else None
    )
    if appointment is None:
        return redirect("portal:book")
    return render(
        request,
        "portal/booked.html",
        {"appointment": appointment, "slot": appointments.describe(appointment.slot)},
    )
