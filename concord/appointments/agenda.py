"""A desk's agenda for the 预约服务 page: its days, and for the week view a grid of the slots
by time of day (one row per start–end) and day (one column each), in two queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from concord.accounts.models import User
from concord.core.dates import local_midnight
from concord.deadlines.workdays import get_calendar

from . import services
from .choices import AppointmentStatus
from .forms import weekday
from .models import Appointment, Desk, Slot


@dataclass
class Day:
    date: dt.date
    weekday: str
    workday: bool
    slots: list[Slot] = field(default_factory=list)


@dataclass
class Row:
    """One time of day across the week: `cells` holds each day's slot at that time, or None."""

    start: str
    end: str
    cells: list[tuple[Day, Slot | None]]


def agenda(desk: Desk, first: dt.date, last: dt.date, user: User) -> tuple[list[Day], list[Row]]:
    """The days from `first` to `last` with their slots, each slot told its free places,
    whether it has begun, its bookings (who may act on each) and those holding a place."""
    slots = services.with_places(
        Slot.objects.filter(
            desk=desk,
            starts_at__gte=local_midnight(first),
            starts_at__lt=local_midnight(last + dt.timedelta(days=1)),
        ).select_related("desk")
    ).prefetch_related(
        Prefetch(
            "appointments",
            Appointment.objects.select_related("case", "booked_by").order_by("status", "booked_at"),
        )
    )
    calendar = get_calendar()
    days = {}
    day = first
    while day <= last:
        days[day] = Day(day, weekday(day), calendar.is_workday(day))
        day += dt.timedelta(days=1)
    now = timezone.now()
    times: dict[tuple[str, str], dict[dt.date, Slot]] = {}
    for slot in slots:
        slot.free = max(slot.capacity - slot.taken, 0)
        slot.begun = slot.starts_at <= now
        bookings = list(slot.appointments.all())
        for appointment in bookings:
            appointment.can_handle = services.can_handle(user, appointment)
        slot.holding = [a for a in bookings if a.status != AppointmentStatus.CANCELLED]
        start, end = timezone.localtime(slot.starts_at), timezone.localtime(slot.ends_at)
        days[start.date()].slots.append(slot)
        times.setdefault((f"{start:%H:%M}", f"{end:%H:%M}"), {})[start.date()] = slot
    rows = [
        Row(start, end, [(d, by_day.get(d.date)) for d in days.values()])
        for (start, end), by_day in sorted(times.items())
    ]
    return list(days.values()), rows
