"""弱信号: per town × level-1 category, the last 7 days against that cell's own weekly mean
over the 12 weeks before. A cell is a spike when it has at least MIN_COUNT cases and at least
RATIO times its baseline (a quiet cell's baseline counts as FLOOR a week)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from concord.cases.models import Case
from concord.core.dates import local_midnight
from concord.geo.models import Division, DivisionLevel

from .choices import WarningStatus
from .models import SpikeWarning

WINDOW_DAYS = 7
BASELINE_WEEKS = 12
MIN_COUNT = 5  # one, two … four cases are never a spike
RATIO = 3.0
FLOOR = 1.0
EVIDENCE_MAX = 200


def _level_one(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.annotate(top=Coalesce("category__parent_id", "category_id"))


def _counts(cases: QuerySet[Case], start: dt.datetime, end: dt.datetime) -> dict:
    rows = (
        _level_one(cases)
        .filter(received_at__gte=start, received_at__lt=end)
        .values("town_id", "top")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(row["town_id"], row["top"]): row["n"] for row in rows}


def sweep_spikes(today: dt.date | None = None) -> list[SpikeWarning]:
    """Raise a warning for each spiking cell not warned of in an overlapping window.

    Idempotent: a cell warned of within the last WINDOW_DAYS is not raised again (the same
    spike seen by tomorrow's sweep), and the (town, category, window_end) constraint stops
    two sweeps at once.
    """
    today = today or timezone.localdate()
    end = local_midnight(today + dt.timedelta(days=1))
    start = end - dt.timedelta(days=WINDOW_DAYS)
    base_start = start - dt.timedelta(weeks=BASELINE_WEEKS)
    cases = Case.objects.filter(
        merged_into__isnull=True, town__isnull=False, category__isnull=False
    )
    recent = _counts(cases, start, end)
    baseline = _counts(cases, base_start, start)
    window_start = today - dt.timedelta(days=WINDOW_DAYS - 1)
    warned = set(
        SpikeWarning.objects.filter(window_end__gte=window_start).values_list(
            "town_id", "category_id"
        )
    )
    raised = []
    for (town, category), count in sorted(recent.items(), key=str):
        mean = baseline.get((town, category), 0) / BASELINE_WEEKS
        ratio = count / max(mean, FLOOR)
        if count < MIN_COUNT or ratio < RATIO or (town, category) in warned:
            continue
        ids = (
            _level_one(cases)
            .filter(town_id=town, top=category, received_at__gte=start, received_at__lt=end)
            .order_by("pk")
            .values_list("pk", flat=True)[:EVIDENCE_MAX]
        )
        try:
            with transaction.atomic():
                raised.append(
                    SpikeWarning.objects.create(
                        town_id=town,
                        category_id=category,
                        window_start=window_start,
                        window_end=today,
                        count=count,
                        baseline=round(mean, 2),
                        baseline_weeks=BASELINE_WEEKS,
                        ratio=round(ratio, 1),
                        case_ids=list(ids),
                    )
                )
        except IntegrityError:
            continue  # another sweep raised it a moment ago
    return raised


def open_warnings(division: Division | None = None) -> QuerySet[SpikeWarning]:
    """The open warnings in a division's subtree, newest first (for the dashboard)."""
    warnings = SpikeWarning.objects.filter(status=WarningStatus.OPEN).select_related(
        "town", "category"
    )
    if division is None or division.level == DivisionLevel.COUNTY:
        return warnings
    return warnings.filter(town_id=division.town_code)
