"""变化最大的单位/乡镇: the organisations and towns whose intake moved most against the previous
period, for the 趋势预测 page (concord.dashboard.forecast has next month's forecast).

Intake per lead organisation and per town in the current period against the previous one
(this month to date against the same days of last month, or last month against the month
before), with the cases resolved and the cases gone overdue in each. Ranked by
(current − previous) / √(current + previous), the change in units of its Poisson noise:
1 → 3 (+200%) scores 1.0 and 40 → 60 (+50%) scores 2.0. Groups with fewer than MIN_BASE cases
in both periods are left out; no percentage is shown over a previous count under MIN_BASE.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from concord.cases.models import Case
from concord.core.errors import InvalidInput
from concord.deadlines.models import Deadline
from concord.geo.models import Division
from concord.orgs.models import Organisation

from .forecast import Month, month_of, start_of

MIN_BASE = 5
TOP = 10


@dataclass(frozen=True)
class Comparison:
    """The current period [start, end) and the previous one it is compared with."""

    kind: str
    start: dt.datetime
    end: dt.datetime
    previous_start: dt.datetime
    previous_end: dt.datetime

    @property
    def label(self) -> str:
        if self.kind == "month":
            return _("上月（%(current)s）对比前月（%(previous)s）") % {
                "current": date_format(timezone.localtime(self.start), "YEAR_MONTH_FORMAT"),
                "previous": date_format(
                    timezone.localtime(self.previous_start), "YEAR_MONTH_FORMAT"
                ),
            }
        return _("本月至今（%(current)s）对比上月同期（%(previous)s）") % {
            "current": _days(self.start, self.end),
            "previous": _days(self.previous_start, self.previous_end),
        }


def _days(start: dt.datetime, end: dt.datetime) -> str:
    first = timezone.localtime(start).date()
    last = max(first, timezone.localtime(end - dt.timedelta(microseconds=1)).date())
    return f"{date_format(first, 'MONTH_DAY_FORMAT')}–{date_format(last, 'MONTH_DAY_FORMAT')}"


COMPARISONS = ("mtd", "month")


def parse_comparison(text: str | None, *, now: dt.datetime | None = None) -> Comparison:
    """mtd (the default): this month to now against the same stretch of last month, cut at
    its end; month: last month against the month before."""
    kind = text or "mtd"
    if kind not in COMPARISONS:
        raise InvalidInput({"period": _("对比口径应为 mtd（本月至今）或 month（上月整月）")})
    now = now or timezone.now()
    current = month_of(timezone.localtime(now).date())
    if kind == "month":
        return Comparison(kind, start_of(current - 1), start_of(current), *_bounds(current - 2))
    start, previous_start = start_of(current), start_of(current - 1)
    return Comparison(kind, start, now, previous_start, min(start, previous_start + (now - start)))


def _bounds(month: Month) -> tuple[dt.datetime, dt.datetime]:
    return start_of(month), start_of(month + 1)


@dataclass
class Mover:
    """An organisation's or a town's intake in both periods, with cases resolved and cases gone
    overdue in each."""

    key: int | str
    name: str
    current: int = 0
    previous: int = 0
    resolved: int = 0
    resolved_before: int = 0
    overdue: int = 0
    overdue_before: int = 0

    @property
    def change(self) -> int:
        return self.current - self.previous

    @property
    def percent(self) -> int | None:
        """None over a base too small to mean anything."""
        if self.previous < MIN_BASE:
            return None
        return round(100 * self.change / self.previous)

    @property
    def score(self) -> float:
        both = self.current + self.previous
        return self.change / math.sqrt(both) if both else 0.0

    @property
    def resolved_change(self) -> int:
        return self.resolved - self.resolved_before

    @property
    def overdue_change(self) -> int:
        return self.overdue - self.overdue_before


@dataclass
class Movers:
    comparison: Comparison
    orgs_up: list[Mover]
    orgs_down: list[Mover]
    towns_up: list[Mover]
    towns_down: list[Mover]


def movers(cases: QuerySet[Case], comparison: Comparison) -> Movers:
    """The TOP organisations (by lead organisation) and towns whose intake rose most and fell
    most (two counting queries, two for names)."""
    c = comparison
    cases = cases.filter(merged_into=None)

    def both(field: str) -> tuple[Q, Q]:
        return (
            Q(**{f"{field}__gte": c.start, f"{field}__lt": c.end}),
            Q(**{f"{field}__gte": c.previous_start, f"{field}__lt": c.previous_end}),
        )

    received, received_before = both("received_at")
    resolved, resolved_before = both("resolved_at")
    rows = list(
        cases.filter(received | received_before | resolved | resolved_before)
        .values("lead_org_id", "town_id")
        .annotate(
            current=Count("pk", filter=received),
            previous=Count("pk", filter=received_before),
            resolved=Count("pk", filter=resolved),
            resolved_before=Count("pk", filter=resolved_before),
        )
        .order_by()
    )
    breached, breached_before = both("breached_at")
    overdue = list(
        Deadline.objects.filter(case__in=cases.values("pk"))
        .filter(breached | breached_before)
        .values(lead_org_id=F("case__lead_org_id"), town_id=F("case__town_id"))
        .annotate(
            overdue=Count("case", distinct=True, filter=breached),
            overdue_before=Count("case", distinct=True, filter=breached_before),
        )
        .order_by()
    )
    orgs = _groups(rows + overdue, "lead_org_id")
    towns = _groups(rows + overdue, "town_id")
    org_names = dict(Organisation.objects.filter(pk__in=orgs).values_list("pk", "name"))
    town_names = dict(Division.objects.filter(code__in=towns).values_list("code", "name"))
    for key, mover in orgs.items():
        mover.name = org_names.get(key, "")
    for key, mover in towns.items():
        mover.name = town_names.get(key, "")
    return Movers(c, *_ranked(orgs.values()), *_ranked(towns.values()))


def _groups(rows: Iterable[dict], key: str) -> dict:
    """Rows per (organisation, town) added up per `key`; rows without one are left out."""
    groups: dict = {}
    for row in rows:
        if row[key] is None:
            continue
        mover = groups.setdefault(row[key], Mover(row[key], ""))
        for measure, n in row.items():
            if measure not in ("lead_org_id", "town_id"):
                setattr(mover, measure, getattr(mover, measure) + n)
    return groups


def _ranked(groups: Iterable[Mover]) -> tuple[list[Mover], list[Mover]]:
    """The TOP risers and fallers by score, among groups with MIN_BASE cases in a period."""
    sizable = [g for g in groups if g.change and max(g.current, g.previous) >= MIN_BASE]
    up = sorted((g for g in sizable if g.change > 0), key=lambda g: (-g.score, g.name))
    down = sorted((g for g in sizable if g.change < 0), key=lambda g: (g.score, g.name))
    return up[:TOP], down[:TOP]
