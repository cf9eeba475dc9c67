"""Working time on the Chinese calendar: holidays, make-up working days (调休), office hours.

A `WorkCalendar` is plain data and arithmetic, no database: `add` a period in one of four
units to a moment, and measure the working time between two moments. Days of a year whose
official schedule is not loaded follow the plain week (Monday to Friday) and the results say
they are provisional, so a deadline that runs into next year is still set, and is set again
when the State Council's notice is entered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import models
from django.utils.translation import gettext_lazy as _

DAY = dt.timedelta(days=1)
# A period in days ends at midnight; one second before it stays on its own date.
END_OF_DAY = dt.time(23, 59, 59)


class Unit(models.TextChoices):
    MINUTES = "minutes", _("分钟")
    WORKING_HOURS = "working_hours", _("工作小时")
    WORKING_DAYS = "working_days", _("工作日")
    CALENDAR_DAYS = "calendar_days", _("自然日")


WORKING_UNITS = (Unit.WORKING_HOURS, Unit.WORKING_DAYS)


@dataclass(frozen=True)
class Due:
    """When a period ends, and whether a day of an unscheduled year decided it."""

    at: dt.datetime
    provisional: bool = False


@dataclass
class WorkCalendar:
    """`days` maps the exceptional days of scheduled years to whether they are working days
    (holidays on weekdays: False; 调休 weekends: True); `years` are the scheduled years."""

    tz: ZoneInfo
    periods: tuple[tuple[dt.time, dt.time], ...]
    days: Mapping[dt.date, bool] = field(default_factory=dict)
    years: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        if not self.periods:
            raise ValueError("a working day needs at least one period of office hours")
        for start, end in self.periods:
            if start >= end:
                raise ValueError(f"office hours {start}–{end} end before they start")
        self.periods = tuple(sorted(self.periods))
        self.minutes_per_day = sum(_minutes(s, e) for s, e in self.periods)

    # Days -------------------------------------------------------------------------------

    def is_workday(self, day: dt.date) -> bool:
        if day in self.days:
            return self.days[day]
        return day.weekday() < 5

    def is_scheduled(self, day: dt.date) -> bool:
        return day.year in self.years

    def next_workday(self, day: dt.date) -> dt.date:
        """`day` itself when it is a working day, else the first working day after it."""
        while not self.is_workday(day):
            day += DAY
        return day

    # Periods ----------------------------------------------------------------------------

    def add(self, start: dt.datetime, amount: int, unit: str, *, art85: bool = True) -> Due:
        """The moment `amount` `unit`s after `start`.

        - minutes: wall-clock minutes (summons: arrive within 40 minutes, day or night);
        - working hours: office minutes only, on working days;
        - working days: the end of office hours on the `amount`-th working day after the day
          of `start` (that day itself is not counted);
        - calendar days: with `art85` (民事诉讼法 art. 85) the start day is not counted and the
          period ends at midnight of its last day, moved to the next working day when that day
          is a holiday or rest day; without it, exactly `amount` × 24 hours.
        """
        if amount < 0:
            raise ValueError("a period cannot be negative")
        local = start.astimezone(self.tz)
        if unit == Unit.MINUTES:
            return Due(start + dt.timedelta(minutes=amount))
        if unit == Unit.WORKING_HOURS:
            return self.add_working_minutes(local, amount * 60)
        if unit == Unit.WORKING_DAYS:
            day, provisional = local.date(), False
            for _ in range(amount):
                day += DAY
                while not self.is_workday(day):
                    provisional |= not self.is_scheduled(day)
                    day += DAY
                provisional |= not self.is_scheduled(day)
            if amount == 0:
                return Due(start)
            return Due(self._at(day, self.periods[-1][1]), provisional)
        if unit == Unit.CALENDAR_DAYS:
            if not art85:
                return Due(start + amount * DAY)
            last = local.date() + amount * DAY
            provisional = not self.is_scheduled(last)
            moved = self.next_workday(last)
            provisional |= moved != last and not self.is_scheduled(moved)
            return Due(self._at(moved, END_OF_DAY), provisional)
        raise ValueError(f"unknown unit {unit!r}")

    def add_working_minutes(self, start: dt.datetime, minutes: float) -> Due:
        """`start` moved forward by `minutes` of office time."""
        local = start.astimezone(self.tz)
        if minutes <= 0:
            return Due(start)
        remaining = dt.timedelta(minutes=minutes)
        day, provisional = local.date(), False
        while True:
            if self.is_workday(day):
                for opens, closes in self.periods:
                    begin = max(self._at(day, opens), local)
                    end = self._at(day, closes)
                    if begin >= end:
                        continue
                    provisional |= not self.is_scheduled(day)
                    if remaining <= end - begin:
                        return Due(begin + remaining, provisional)
                    remaining -= end - begin
            else:
                provisional |= not self.is_scheduled(day)
            day += DAY

    def before(self, moment: dt.datetime, amount: int, unit: str) -> dt.datetime:
        """The moment `amount` `unit`s before `moment`, for warnings ahead of a due time:
        working hours count office time back; working days step back over working days and
        keep the office's closing time; calendar days and minutes are wall time."""
        if amount <= 0:
            return moment
        if unit == Unit.WORKING_HOURS:
            return self.subtract_working_minutes(moment, amount * 60)
        if unit == Unit.WORKING_DAYS:
            day = moment.astimezone(self.tz).date()
            for _ in range(amount):
                day -= DAY
                while not self.is_workday(day):
                    day -= DAY
            return self._at(day, self.periods[-1][1])
        if unit == Unit.CALENDAR_DAYS:
            return moment - amount * DAY
        if unit == Unit.MINUTES:
            return moment - dt.timedelta(minutes=amount)
        raise ValueError(f"unknown unit {unit!r}")

    def subtract_working_minutes(self, end: dt.datetime, minutes: float) -> dt.datetime:
        """`end` moved back by `minutes` of office time."""
        local = end.astimezone(self.tz)
        remaining = dt.timedelta(minutes=minutes)
        day = local.date()
        while True:
            if self.is_workday(day):
                for opens, closes in reversed(self.periods):
                    finish = min(self._at(day, closes), local)
                    begin = self._at(day, opens)
                    if finish <= begin:
                        continue
                    if remaining <= finish - begin:
                        return finish - remaining
                    remaining -= finish - begin
            day -= DAY

    def working_minutes_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Office minutes from `start` to `end` (0 when `end` is not after `start`)."""
        if end <= start:
            return 0.0
        a, b = start.astimezone(self.tz), end.astimezone(self.tz)
        total = dt.timedelta()
        day = a.date()
        while day <= b.date():
            if self.is_workday(day):
                for opens, closes in self.periods:
                    begin = max(self._at(day, opens), a)
                    finish = min(self._at(day, closes), b)
                    if finish > begin:
                        total += finish - begin
            day += DAY
        return total.total_seconds() / 60

    def deadline(
        self,
        start: dt.datetime,
        amount: int,
        unit: str,
        *,
        art85: bool = True,
        pauses: Iterable[tuple[dt.datetime, dt.datetime]] = (),
    ) -> Due:
        """`add`, with the clock stopped during each (closed) pause: calendar days count the
        pause in whole days, working units in office time, minutes in wall time."""
        pauses = sorted(pauses)
        if unit == Unit.CALENDAR_DAYS and art85:
            days = sum(_local_days(s, e, self.tz) for s, e in pauses)
            return self.add(start, amount + days, unit)
        due = self.add(start, amount, unit, art85=art85)
        at, provisional = due.at, due.provisional
        for pause_start, pause_end in pauses:
            if pause_end <= pause_start:
                continue
            if unit in WORKING_UNITS:
                minutes = self.working_minutes_between(pause_start, pause_end)
                moved = self.add_working_minutes(at, minutes)
                at, provisional = moved.at, provisional or moved.provisional
            else:
                at += pause_end - pause_start
        return Due(at, provisional)

    def _at(self, day: dt.date, time: dt.time) -> dt.datetime:
        return dt.datetime.combine(day, time, tzinfo=self.tz)


def _local_days(start: dt.datetime, end: dt.datetime, tz: ZoneInfo) -> int:
    return max(0, (end.astimezone(tz).date() - start.astimezone(tz).date()).days)


def _minutes(start: dt.time, end: dt.time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
