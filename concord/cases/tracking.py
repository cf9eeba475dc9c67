"""Tracking codes: short, unique and readable over the phone (SY2611230042)."""

import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .models import TrackingSequence


def format_tracking_code(day: datetime.date, sequence: int) -> str:
    return f"{settings.CONCORD['TRACKING_PREFIX']}{day:%y%m%d}{sequence:04d}"


def _advance(day: datetime.date, count: int) -> int:
    """Add `count` to the day's counter and return its new value, in one statement.

    One upsert (SQLite ≥ 3.35 and PostgreSQL) holds the row lock for that statement only
    when called outside a transaction, so concurrent intakes do not queue behind each
    other's whole registration. A failed registration leaves a gap, never a duplicate.
    """
    table = connection.ops.quote_name(TrackingSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, last) VALUES (%s, %s) "
            f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + excluded.last "
            "RETURNING last",
            [day, count],
        )
        return cursor.fetchone()[0]


def next_tracking_code(moment: datetime.datetime | None = None) -> str:
    day = timezone.localdate(moment or timezone.now())
    return format_tracking_code(day, _advance(day, 1))


def reserve_tracking_codes(day: datetime.date, count: int) -> list[str]:
    """Reserve `count` consecutive codes of one day at once (bulk seeding and imports)."""
    last = _advance(day, count)
    return [format_tracking_code(day, n) for n in range(last - count + 1, last + 1)]
