"""Daily KPI counts per town, so a year of a million cases sums 7,000 rows, not a million.

`IntakeDay` holds, for the cases received on one local day in one town, each KPI's good and n
as `kpis` counts them. A case that changes gets a new `updated_at` (the lifecycle sets it on
every step; the deadline sweep on every breach), so a refresh recounts the days and towns of
the cases changed since the last one. A periodic job refreshes every 30 seconds and rebuilds
everything once a day (catching what no `updated_at` tells: a case deleted, or moved to
another day or town by a correction). A read refreshes first too, so figures are as live as a
direct count, but never waits: while another refresh runs, it reads the rows as they are; with
no rollup yet, or a backlog too large to recount in a request, it counts directly. On SQLite
(the zero-setup default, a demo-sized county) reads always count directly.

Only the parts that do not depend on the moment are kept here; the rest (cases still waiting
for hand-down, summonses) is counted live by `kpis`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from concord.cases.choices import Channel
from concord.cases.models import Case, Category
from concord.core.caching import cached, keep
from concord.core.dates import local_midnight
from concord.geo.models import Division, DivisionLevel

from . import kpis
from .models import IntakeDay, RollupMark

# Clock differences between application servers and the database, and, on SQLite (no view of
# other transactions), changes stamped just before a refresh and committed after it.
SLACK = dt.timedelta(seconds=5)
# More changed day-towns than this are left to the periodic job; a read counts directly.
MAX_TOUCHED_IN_READ = 200
ONE_DAY = dt.timedelta(days=1)


def refresh() -> int:
    """The periodic job: recount the day-towns changed since the last refresh (everything
    the first time); returns how many rows were written."""
    return _refresh(wait=True, limit=None) or 0


def rebuild() -> int:
    """The daily full recount."""
    return _refresh(wait=True, limit=None, full=True) or 0


def _refresh(*, wait: bool, limit: int | None, full: bool = False) -> int | None:
    """Recount what changed since the mark; None when the rollup cannot answer now (no
    rollup yet, or more than `limit` day-towns to recount, when reading)."""
    with transaction.atomic():
        marks = RollupMark.objects.select_for_update(skip_locked=not wait)
        mark = marks.filter(pk=1).first()
        if mark is None:
            if RollupMark.objects.filter(pk=1).exists():
                return 0  # another refresh holds it: read the rows as they are
            if limit is not None:
                return None
            mark = RollupMark.objects.create(pk=1)
        if mark.refreshed_at is None and limit is not None:
            return None
        counted_to = _safe_mark()
        cases = kpis.unmerged(Case.objects.all())
        if mark.refreshed_at is None or full:
            IntakeDay.objects.all().delete()
        else:
            changed = Case.objects.filter(updated_at__gte=mark.refreshed_at - SLACK)
            touched = set(_by_day(changed).values_list("day", "town_id").distinct())
            if limit is not None and len(touched) > limit:
                return None
            if not touched:
                return 0
            cases = cases.filter(_received_in(touched))
            IntakeDay.objects.filter(_rows_of(touched)).delete()
        _without_jit()
        fresh = [
            IntakeDay(
                day=row["day"],
                town_id=row["town_id"],
                breakdown=kpis.breakdown_of(row),
                **{
                    f"{key}_{part}": row[f"{key}__{part}"]
                    for key in kpis.STORED
                    for part in ("good", "n")
                },
            )
            for row in _counted(cases)
        ]
        IntakeDay.objects.bulk_create(fresh, batch_size=1000)
        mark.refreshed_at = counted_to
        mark.save(update_fields=["refreshed_at"])
    return len(fresh)


def _safe_mark() -> dt.datetime:
    """Now, or the start of the oldest transaction still running elsewhere: its changes are
    stamped after that start and seen by the next refresh once it commits."""
    now = timezone.now()
    if connection.vendor != "postgresql":
        return now
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(xact_start) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        oldest = cursor.fetchone()[0]
    return min(now, oldest) if oldest else now


def _without_jit() -> None:
    # The recount's many-branched condition sends PostgreSQL's JIT compiler into seconds of
    # work for a query that runs in one.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")


def _rows(division: Division, period: kpis.Period):
    rows = IntakeDay.objects.filter(day__gte=period.first, day__lte=period.last)
    if division.level == DivisionLevel.TOWN:
        rows = rows.filter(town_id=division.code)
    return rows


def _rollup_covers(division: Division, whole: bool) -> bool:
    """Whether the rollup holds the answer: all the division's cases, the county or a town."""
    # The embedded single-file database locks for every writer: a read that refreshed would
    # queue behind the writes it reports on. Its small county counts directly.
    return whole and division.level != DivisionLevel.VILLAGE and connection.vendor != "sqlite"


def _from_rollup(division: Division, whole: bool) -> bool:
    """Whether the rollup answers: it covers the question and nothing too large is left to
    recount."""
    return _rollup_covers(division, whole) and _fresh()


def _fresh() -> bool:
    return _refresh(wait=False, limit=MAX_TOUCHED_IN_READ) is not None


def figures(
    cases: QuerySet[Case], division: Division, period: kpis.Period, *, whole: bool
) -> dict[str, kpis.Figure]:
    """Every KPI of `cases` in `division` over the period: summed from the rollup when `cases`
    are all the division's cases (`whole`) and it is the county or a town, else counted.

    The rollup's sums are the same for everyone who sees the whole division, and every
    command screen asks for them every 30 seconds: they are kept that long in the cache."""
    if not _rollup_covers(division, whole):
        return kpis.compute(cases, period.first, period.last)
    key = f"kpis:{division.code}:{period.first}:{period.last}"
    if (counts := cached(key)) is None:
        if not _fresh():
            return kpis.compute(cases, period.first, period.last)
        sums = _rows(division, period).aggregate(
            **{
                f"{name}__{part}": Sum(f"{name}_{part}", default=0)
                for name in kpis.STORED
                for part in ("good", "n")
            }
        )
        counts = kpis.with_live_counts(kpis.counts_of(sums), cases, period)
        keep(key, counts, settings.CONCORD["KPI_CACHE_SECONDS"])
    return kpis.figures_of(counts)


@dataclass
class Volume:
    """The intake broken down, each entry (key, name, n, n the same period last year)."""

    channel: list[tuple]
    category: list[tuple]
    town: list[tuple]
    month: list[tuple]  # (month "2026-03", n, n a year before)


def volume(
    cases: QuerySet[Case], division: Division, period: kpis.Period, *, whole: bool
) -> Volume:
    """The intake by channel, level-1 category, town and month, beside a year before."""
    now = _volumes(cases, division, period, whole)
    before = _volumes(cases, division, period.year_before(), whole)
    categories = Category.objects.filter(parent=None).values_list("pk", "name")
    names = {
        "channel": dict(Channel.choices),
        "category": {str(pk): name for pk, name in categories},
        "town": dict(Division.objects.filter(level=DivisionLevel.TOWN).values_list("code", "name")),
    }
    lists = {}
    for part, named in names.items():
        keys = sorted(set(now[part]) | set(before[part]), key=lambda k: -now[part].get(k, 0))
        lists[part] = [
            (key, named.get(key, "—"), now[part].get(key, 0), before[part].get(key, 0))
            for key in keys
        ]
    lists["month"] = [
        (month, n, before["month"].get(_year_back(month), 0))
        for month, n in sorted(now["month"].items())
    ]
    return Volume(**lists)


def _volumes(cases, division, period, whole) -> dict[str, Counter]:
    if _from_rollup(division, whole):
        rows = _rows(division, period).values_list("day", "town_id", "volume_n", "breakdown")
    else:
        rows = (
            (row["day"], row["town_id"], row["volume__n"], kpis.breakdown_of(row))
            for row in _counted(kpis.intake(cases, period))
        )
    parts = {"channel": Counter(), "category": Counter(), "town": Counter(), "month": Counter()}
    for day, town, n, breakdown in rows:
        parts["town"][town] += n
        parts["month"][f"{day:%Y-%m}"] += n
        for key, count in breakdown.items():
            if key.startswith(kpis.BY_CHANNEL):
                parts["channel"][key.removeprefix(kpis.BY_CHANNEL)] += count
            else:
                parts["category"][key.removeprefix(kpis.BY_CATEGORY)] += count
    return parts


def _year_back(month: str) -> str:
    return f"{int(month[:4]) - 1}{month[4:]}"


def _counted(cases: QuerySet[Case]) -> QuerySet:
    """Per (day, town): the KPI counts and the volume breakdowns."""
    return (
        _by_day(cases)
        .annotate(top_category=kpis.TOP_CATEGORY)
        .values("day", "town_id")
        .annotate(**kpis.aggregates())
        .order_by()
    )


def _received_in(pairs: set) -> Q:
    """Cases received on one of these days in one of its towns: a branch per day."""
    condition = Q(pk__in=[])
    for day, towns in _towns_by_day(pairs).items():
        received = Q(
            received_at__gte=local_midnight(day), received_at__lt=local_midnight(day + ONE_DAY)
        )
        condition |= received & _town_in(towns)
    return condition


def _rows_of(pairs: set) -> Q:
    condition = Q(pk__in=[])
    for day, towns in _towns_by_day(pairs).items():
        condition |= Q(day=day) & _town_in(towns)
    return condition


def _towns_by_day(pairs: set) -> dict[dt.date, set]:
    towns: dict[dt.date, set] = {}
    for day, town in pairs:
        towns.setdefault(day, set()).add(town)
    return towns


def _town_in(towns: set) -> Q:
    named = {town for town in towns if town is not None}
    condition = Q(town_id__in=named)
    return condition | Q(town_id=None) if None in towns else condition


def _by_day(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.annotate(day=TruncDate("received_at", tzinfo=timezone.get_current_timezone()))
