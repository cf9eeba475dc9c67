"""Moments as the center reads them: local time (Asia/Shanghai), to the minute."""

import datetime as dt

from django.utils import timezone
from django.utils.formats import date_format


def local_time(moment: dt.datetime, fmt: str = "Y-m-d H:i") -> str:
    return date_format(timezone.localtime(moment), fmt)


def local_midnight(day: dt.date) -> dt.datetime:
    """The start of a local day, for date-range reports."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def chinese_date(day: dt.date | dt.datetime) -> str:
    """A date as official documents write it (2026年11月30日); a moment by its local day."""
    if isinstance(day, dt.datetime):
        day = timezone.localtime(day).date()
    return f"{day.year}年{day.month}月{day.day}日"
