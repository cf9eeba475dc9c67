"""Tracking codes: short, unique and readable over the phone (SY2611230042)."""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import TrackingSequence


def format_tracking_code(day: datetime.date, sequence: int) -> str:
    return f"{settings.CONCORD['TRACKING_PREFIX']}{day:%y%m%d}{sequence:04d}"


def next_tracking_code(moment: datetime.datetime | None = None) -> str:
    """Take the next number of the day. The row lock serialises concurrent intakes."""
    day = timezone.localdate(moment or timezone.now())
    with transaction.atomic():
        TrackingSequence.objects.get_or_create(day=day)
        TrackingSequence.objects.filter(day=day).update(last=F("last") + 1)
        sequence = TrackingSequence.objects.get(day=day).last
    return format_tracking_code(day, sequence)


def reserve_tracking_codes(day: datetime.date, count: int) -> list[str]:
    """Reserve `count` consecutive codes of one day at once (bulk seeding and imports)."""
    with transaction.atomic():
        TrackingSequence.objects.get_or_create(day=day)
        TrackingSequence.objects.filter(day=day).update(last=F("last") + count)
        last = TrackingSequence.objects.get(day=day).last
    return [format_tracking_code(day, n) for n in range(last - count + 1, last + 1)]
