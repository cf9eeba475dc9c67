"""The slot generator: a desk's week of slots on the county's working calendar."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core.errors import InvalidInput
from concord.deadlines.workdays import get_calendar

from .models import SLOT_MINUTES_MAX, SLOT_MINUTES_MIN, Desk, Slot

WEEK = 7


def generate_week(desk: Desk, *, day: dt.date) -> list[Slot]:
    """Slots for the working days of the week (Monday to Sunday) holding `day`: each period of
    the calendar's office hours cut into `desk.slot_minutes` pieces (a remainder too short for
    one is left out), with the desk's capacity and staff name.

    Holidays are skipped and 调休 make-up weekends included, as the calendar says. Slots the
    desk already has, and those already begun, are left alone: generating twice adds nothing.
    Returns the new slots."""
    minutes = desk.slot_minutes
    if not SLOT_MINUTES_MIN <= minutes <= SLOT_MINUTES_MAX:
        raise InvalidInput({"slot_minutes": _("每个时段应为5至480分钟")})
    calendar = get_calendar()
    monday = day - dt.timedelta(days=day.weekday())
    length = dt.timedelta(minutes=minutes)
    now = timezone.now()
    wanted = []
    for offset in range(WEEK):
        date = monday + dt.timedelta(days=offset)
        if not calendar.is_workday(date):
            continue
        for opens, closes in calendar.periods:
            start = dt.datetime.combine(date, opens, tzinfo=calendar.tz)
            end_of_period = dt.datetime.combine(date, closes, tzinfo=calendar.tz)
            while start + length <= end_of_period:
                if start > now:
                    wanted.append((start, start + length))
                start += length
    with transaction.atomic():
        have = set(
            Slot.objects.filter(desk=desk, starts_at__in=[s for s, _ in wanted]).values_list(
                "starts_at", flat=True
            )
        )
        slots = [
            Slot(
                desk=desk,
                starts_at=start,
                ends_at=end,
                capacity=max(desk.capacity, 1),
                staff_name=desk.staff_name,
            )
            for start, end in wanted
            if start not in have
        ]
        return Slot.objects.bulk_create(slots, ignore_conflicts=True)
