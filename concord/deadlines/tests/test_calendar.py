"""Working time on the 2026 calendar as the State Council set it, 调休 included."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from concord.core.errors import InvalidInput
from concord.deadlines.calendar import Unit
from concord.deadlines.workdays import get_calendar, load_official_calendar, set_day

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


@pytest.fixture
def calendar(db):
    load_official_calendar()
    return get_calendar()


def test_the_official_schedule_is_loaded_with_chinese_names(calendar):
    assert not calendar.is_workday(dt.date(2026, 10, 1))  # 国庆节, a Thursday
    assert calendar.is_workday(dt.date(2026, 10, 10))  # 调休: a Saturday at work
    assert calendar.is_workday(dt.date(2026, 9, 30)) and not calendar.is_workday(
        dt.date(2026, 10, 11)
    )
    from concord.deadlines.models import CalendarDay

    assert CalendarDay.objects.get(day=dt.date(2026, 10, 1)).name == "国庆节"
    assert CalendarDay.objects.get(day=dt.date(2026, 10, 10)).name == "调休上班（国庆节）"
    assert load_official_calendar() == 0  # a second load adds nothing


def test_petition_fifteen_and_sixty_days_across_national_day(calendar):
    registered = at(2026, 9, 29, 10, 0)
    # 15 days, the start day not counted: the holiday inside the period does not stretch it.
    assert calendar.add(registered, 15, Unit.CALENDAR_DAYS).at == at(2026, 10, 14, 23, 59, 59)
    # 60 days end on Saturday 28 November: moved to Monday 30 November (art. 85).
    assert calendar.add(registered, 60, Unit.CALENDAR_DAYS).at == at(2026, 11, 30, 23, 59, 59)
    # A period whose last day is inside the holiday ends on the first working day after it.
    assert calendar.add(at(2026, 9, 22, 9, 0), 15, Unit.CALENDAR_DAYS).at == at(
        2026, 10, 8, 23, 59, 59
    )
    # Without the art. 85 rule the period is exact.
    assert calendar.add(registered, 15, Unit.CALENDAR_DAYS, art85=False).at == at(
        2026, 10, 14, 10, 0
    )


def test_one_working_day_counts_the_make_up_saturday(calendar):
    assigned = at(2026, 10, 9, 15, 0)  # Friday after National Day
    assert calendar.add(assigned, 1, Unit.WORKING_DAYS).at == at(2026, 10, 10, 17, 30)
    # The Friday before the holiday: the next working day is after it.
    assert calendar.add(at(2026, 9, 30, 15, 0), 1, Unit.WORKING_DAYS).at == at(2026, 10, 8, 17, 30)


def test_two_working_hours_from_friday_afternoon_before_qingming(calendar):
    # Friday 3 April 16:50; Saturday to Monday is 清明节: 40 minutes on Friday, 80 on Tuesday.
    due = calendar.add(at(2026, 4, 3, 16, 50), 2, Unit.WORKING_HOURS)
    assert due.at == at(2026, 4, 7, 9, 50) and not due.provisional
    # Started during lunch: the clock starts at 13:30.
    assert calendar.add(at(2026, 4, 3, 12, 15), 1, Unit.WORKING_HOURS).at == at(2026, 4, 3, 14, 30)


def test_minutes_are_wall_time(calendar):
    assert calendar.add(at(2026, 10, 1, 23, 50), 40, Unit.MINUTES).at == at(2026, 10, 2, 0, 30)


def test_a_five_day_pause_moves_the_deadline_five_days(calendar):
    accepted = at(2026, 9, 29, 10, 0)
    paused = [(at(2026, 10, 12, 9, 0), at(2026, 10, 17, 9, 0))]
    due = calendar.deadline(accepted, 60, Unit.CALENDAR_DAYS, pauses=paused)
    assert due.at == at(2026, 12, 3, 23, 59, 59)  # 28 Nov + 5 days, a Thursday
    # In working days the pause gives back the office time it took (Mon–Fri: 5 days).
    start = at(2026, 11, 2, 9, 0)
    plain = calendar.deadline(start, 10, Unit.WORKING_DAYS)
    moved = calendar.deadline(
        start, 10, Unit.WORKING_DAYS, pauses=[(at(2026, 11, 9, 0, 0), at(2026, 11, 14, 0, 0))]
    )
    assert plain.at == at(2026, 11, 16, 17, 30) and moved.at == at(2026, 11, 23, 17, 30)


def test_working_time_between_two_moments(calendar):
    # Friday 16:00 to Tuesday 9:00 over 清明节: 90 minutes on Friday, 30 on Tuesday.
    assert calendar.working_minutes_between(at(2026, 4, 3, 16, 0), at(2026, 4, 7, 9, 0)) == 120
    assert calendar.working_minutes_between(at(2026, 4, 7, 9, 0), at(2026, 4, 3, 16, 0)) == 0


def test_warnings_count_back_in_their_own_unit(calendar):
    due = at(2026, 10, 10, 17, 30)  # the make-up Saturday
    assert calendar.before(due, 1, Unit.WORKING_DAYS) == at(2026, 10, 9, 17, 30)
    # 8:30–9:00 on the first day back, then the last half hour before the holiday.
    assert calendar.before(at(2026, 10, 8, 9, 0), 1, Unit.WORKING_HOURS) == at(2026, 9, 30, 17, 0)
    assert calendar.before(due, 15, Unit.MINUTES) == at(2026, 10, 10, 17, 15)


def test_a_year_without_a_schedule_is_the_plain_week_and_provisional(calendar):
    # 2027's notice is not out yet: 1 January 2027 (a Friday) counts as a working day.
    due = calendar.add(at(2026, 12, 31, 9, 0), 1, Unit.WORKING_DAYS)
    assert due.at == at(2027, 1, 1, 17, 30) and due.provisional
    assert not calendar.add(at(2026, 12, 1, 9, 0), 5, Unit.WORKING_DAYS).provisional


def test_editing_a_day_reloads_the_calendar_everywhere(calendar):
    set_day(dt.date(2026, 12, 31), is_workday=False, name="县级调休")
    assert not get_calendar().is_workday(dt.date(2026, 12, 31))


@pytest.mark.parametrize(
    ("day", "field"),
    [(dt.date(2027, 1, 1), "day"), (dt.date(1999, 5, 1), "day"), (dt.date(2101, 1, 1), "day")],
)
def test_a_day_in_an_unsupported_year_is_refused_with_a_message(calendar, day, field):
    with pytest.raises(InvalidInput) as refused:
        set_day(day, is_workday=False, name="假日")
    assert field in refused.value.errors and "年" in refused.value.errors[field]


def test_office_hours_must_open_before_they_close():
    from concord.deadlines.calendar import WorkCalendar

    with pytest.raises(ValueError, match="end before they start"):
        WorkCalendar(tz=SH, periods=((dt.time(12, 0), dt.time(8, 30)),))
