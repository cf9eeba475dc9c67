"""The county's working calendar as stored: loading the official schedule, editing it, reading it.

The calendar is read on every deadline computation, so each process keeps one in memory and
reloads it only when its `Revision` moved (any edit, in any process, moves it).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from concord.core.errors import InvalidInput
from concord.core.jobs import enqueue
from concord.core.models import Revision

from .calendar import WorkCalendar
from .models import (
    FIRST_YEAR,
    LAST_YEAR,
    CalendarDay,
    CalendarYear,
    DaySource,
    OfficeHours,
)

DEFAULT_OFFICE_HOURS = ((dt.time(8, 30), dt.time(12, 0)), (dt.time(13, 30), dt.time(17, 30)))

# chinese-calendar names its holidays in English; the center reads them in Chinese.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}

REVISION = "calendar"


def load_official_calendar() -> int:
    """Enter every year the `chinese-calendar` package covers; days already present (perhaps
    corrected by the admin) are kept. Returns how many days were added."""
    from chinese_calendar import constants

    names = {**constants.holidays, **constants.workdays}
    years = {day.year for day in names}
    days = [
        CalendarDay(
            day=day,
            is_workday=day in constants.workdays,
            name=_day_name(names[day], day in constants.workdays),
            source=DaySource.PACKAGE,
        )
        for day in sorted(names)
    ]
    with transaction.atomic():
        known = set(CalendarDay.objects.filter(day__in=names).values_list("day", flat=True))
        CalendarDay.objects.bulk_create([d for d in days if d.day not in known])
        CalendarYear.objects.bulk_create(
            [CalendarYear(year=y, source=DaySource.PACKAGE) for y in sorted(years)],
            ignore_conflicts=True,
        )
        if not OfficeHours.objects.exists():
            OfficeHours.objects.bulk_create(
                OfficeHours(opens=a, closes=b) for a, b in DEFAULT_OFFICE_HOURS
            )
        added = len(days) - len(known)
        if added:
            calendar_changed()
    return added


def _day_name(english: str, is_workday: bool) -> str:
    name = HOLIDAY_NAMES.get(english, english)
    return _("调休上班（%(holiday)s）") % {"holiday": name} if is_workday else name


def set_day(day: dt.date, *, is_workday: bool, name: str = "") -> CalendarDay:
    """Mark one day as a holiday or a working day (a local holiday, next year's notice)."""
    check_day(day)
    if len(name) > 40:
        raise InvalidInput({"name": _("名称不能超过40字")})
    saved, _created = CalendarDay.objects.update_or_create(
        day=day,
        defaults={"is_workday": is_workday, "name": name.strip(), "source": DaySource.ADMIN},
    )
    return saved


def check_day(day: dt.date) -> None:
    """Refuse a day outside the years the calendar can hold or whose year is not set up."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise InvalidInput(
            {
                "day": _("只能设置%(first)d至%(last)d年的日期")
                % {"first": FIRST_YEAR, "last": LAST_YEAR}
            }
        )
    if not CalendarYear.objects.filter(year=day.year).exists():
        raise InvalidInput(
            {
                "day": _("%(year)d年的节假日安排尚未建立，请先添加该年度") % {"year": day.year},
            }
        )


def calendar_changed(**_signal) -> None:
    """Count an edit, so that every process reloads the calendar on its next computation, and
    set the running deadlines again once the edit is committed. Connected to every save and
    delete of days, years and office hours."""
    Revision.bump(REVISION)
    enqueue("concord.deadlines.services.recompute_open")


def get_calendar() -> WorkCalendar:
    """The calendar as stored now (one small query when nothing changed since the last call)."""
    return Revision.cached(REVISION, _load_calendar)


def _load_calendar() -> WorkCalendar:
    periods = tuple(OfficeHours.objects.values_list("opens", "closes")) or DEFAULT_OFFICE_HOURS
    return WorkCalendar(
        tz=ZoneInfo(settings.TIME_ZONE),
        periods=periods,
        days=dict(CalendarDay.objects.values_list("day", "is_workday")),
        years=frozenset(CalendarYear.objects.values_list("year", flat=True)),
    )
