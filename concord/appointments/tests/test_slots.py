"""The slot generator: office hours cut into slots on the working days of a week, holidays
skipped and 调休 make-up days worked, as the 2026 calendar says."""

import datetime as dt

import time_machine

from concord.appointments.models import Slot
from concord.appointments.slots import generate_week
from concord.deadlines.workdays import get_calendar

from .conftest import SH, local


def test_labour_day_week_skips_the_holiday_and_works_the_make_up_saturday(legal_aid):
    calendar = get_calendar()
    assert not calendar.is_workday(dt.date(2026, 5, 5))  # 劳动节
    assert calendar.is_workday(dt.date(2026, 5, 9))  # Saturday, 调休上班
    with time_machine.travel(dt.datetime(2026, 4, 28, 12, tzinfo=SH), tick=False):
        added = generate_week(legal_aid, day=dt.date(2026, 5, 7))
        assert generate_week(legal_aid, day=dt.date(2026, 5, 4)) == []  # twice: nothing new
    days = sorted({s.starts_at.astimezone(SH).date().day for s in Slot.objects.all()})
    assert days == [6, 7, 8, 9]  # Mon 4 and Tue 5 are holidays, Sunday 10 rests
    # 08:30–12:00 holds three hours, 13:30–17:30 four: seven a day.
    assert len(added) == 28 and Slot.objects.count() == 28
    saturday = Slot.objects.filter(starts_at__date=dt.date(2026, 5, 9)).order_by("starts_at")
    assert [s.starts_at.astimezone(SH).strftime("%H:%M") for s in saturday] == [
        "08:30",
        "09:30",
        "10:30",
        "13:30",
        "14:30",
        "15:30",
        "16:30",
    ]
    first = saturday.first()
    assert (first.capacity, first.staff_name) == (2, "值班律师")
    assert first.ends_at - first.starts_at == dt.timedelta(hours=1)


def test_slots_already_begun_are_not_generated(legal_aid):
    with time_machine.travel(local(6, 10), tick=False):  # Wednesday 10:00
        generate_week(legal_aid, day=dt.date(2026, 5, 6))
    first = Slot.objects.order_by("starts_at").first()
    assert first.starts_at == local(6, 10, 30)


def test_half_hour_slots_fill_the_morning(desks):
    counselling = desks["counselling"]
    counselling.slot_minutes = 30
    counselling.save()
    with time_machine.travel(dt.datetime(2026, 5, 31, tzinfo=SH), tick=False):
        generate_week(counselling, day=dt.date(2026, 6, 1))
    monday = Slot.objects.filter(starts_at__date=dt.date(2026, 6, 1))
    assert monday.count() == 7 + 8  # 08:30–12:00 and 13:30–17:30 in half hours
