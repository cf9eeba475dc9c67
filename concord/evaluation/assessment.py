"""考核: each organisation's or town's monthly score from the scheme's weights over six KPIs.

Every KPI is a count of good outcomes over a sample, per group, from one aggregate query
(summons timeliness by town: one per town with summonses); docs/assessment.md defines each.
A KPI whose sample is smaller than the scheme's minimum is shown as 样本不足 and left out
of the score: its weight goes to the others in proportion.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from concord.cases.choices import Action, Satisfaction, TaskStatus
from concord.cases.export import safe_cell
from concord.cases.models import CaseEvent, Task
from concord.core.dates import local_midnight
from concord.core.errors import InvalidInput
from concord.deadlines.models import Deadline
from concord.deadlines.queries import OWNER
from concord.geo.models import Division
from concord.orgs.models import Organisation
from concord.summons.models import SummonsTarget
from concord.summons.queries import timeliness

from .choices import Kpi, RankBy
from .defaults import SCHEME, WEIGHTS
from .models import AssessmentScheme

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
RESOLVE_NODE = "resolve"


@dataclass
class Measure:
    """One KPI of one group: `good` of `n`; `rate` in percent; `points` the 0–100 score
    (inverted where lower is better); None where the sample is too small."""

    kpi: Kpi
    good: int
    n: int
    rate: float | None = None
    points: float | None = None


@dataclass
class Row:
    key: int | str
    name: str
    measures: dict[str, Measure] = field(default_factory=dict)
    score: float | None = None
    rank: int | None = None

    @property
    def in_order(self) -> list[Measure]:
        """The measures in the KPIs' order, for the page's columns."""
        return [self.measures[k] for k in Kpi.values]


@dataclass
class Ranking:
    month: dt.date
    by: str
    scheme: AssessmentScheme
    rows: list[Row]

    @property
    def columns(self) -> list[tuple[Kpi, float]]:
        """Each KPI with its weight, in order."""
        return [(kpi, self.scheme.weights.get(kpi.value, 0)) for kpi in Kpi]


def parse_month(text: str | None) -> dt.date:
    """ "2026-11" → 2026-11-01; no month is this one."""
    if not text:
        return timezone.localdate().replace(day=1)
    match = _MONTH.match(text.strip())
    if not match or not 2000 <= int(match[1]) <= 2100 or not 1 <= int(match[2]) <= 12:
        raise InvalidInput({"month": _("月份应为“年-月”，如 2026-11")})
    return dt.date(int(match[1]), int(match[2]), 1)


def parse_by(text: str | None) -> str:
    if not text:
        return RankBy.ORG
    if text not in RankBy.values:
        raise InvalidInput({"by": _("排名口径应为 org（按单位）或 town（按乡镇）")})
    return text


def current_scheme() -> AssessmentScheme:
    """The first active scheme; the default weights when the admin has none."""
    scheme = AssessmentScheme.objects.filter(active=True).order_by("pk").first()
    return scheme or AssessmentScheme(name=SCHEME, weights={str(k): v for k, v in WEIGHTS.items()})


def ranking(
    cases: QuerySet,
    *,
    month: dt.date,
    by: str,
    scheme: AssessmentScheme | None = None,
    now: dt.datetime | None = None,
) -> Ranking:
    """Score every organisation (or town) with a sample in the month, best first. `cases`
    is already scoped (cases.scope.visible_cases)."""
    scheme = scheme or current_scheme()
    start = local_midnight(month)
    end = local_midnight((month + dt.timedelta(days=32)).replace(day=1))
    ids = cases.values("pk")
    org = by == RankBy.ORG
    counts = {
        Kpi.ON_TIME: _on_time(ids, start, end, org),
        Kpi.SATISFACTION: _satisfaction(ids, start, end, org),
        Kpi.RESOLUTION: _resolution(ids, start, end, org),
        Kpi.REOPEN: _reopens(ids, start, end, org),
        Kpi.SUMMONS: _summons(cases, start, end, org, now or timezone.now()),
        Kpi.PING_PONG: _returns(ids, start, end, org),
    }
    keys = {key for per_group in counts.values() for key in per_group if key is not None}
    names = _names(keys, org)
    rows = []
    for key in keys:
        row = Row(key, names.get(key, "—"))
        for kpi, per_group in counts.items():
            good, n = per_group.get(key, (0, 0))
            row.measures[kpi] = measure(Kpi(kpi), good, n, scheme.min_sample)
        row.score = score(row.measures, scheme.weights)
        rows.append(row)
    rows.sort(key=lambda r: (r.score is None, -(r.score or 0), r.name))
    for rank, row in enumerate((r for r in rows if r.score is not None), 1):
        row.rank = rank
    return Ranking(month, by, scheme, rows)


def measure(kpi: Kpi, good: int, n: int, min_sample: int) -> Measure:
    """`good` of `n` as a rate and 0–100 points; neither below the minimum sample."""
    result = Measure(kpi, good, n)
    if n and n >= min_sample:
        result.rate = round(100 * good / n, 1)
        points = 100 - result.rate if kpi.lower_is_better else result.rate
        result.points = max(0.0, min(100.0, points))
    return result


def score(measures: dict[str, Measure], weights: dict) -> float | None:
    """Σ weight × points over the KPIs with enough sample, over the sum of their weights."""
    scored = [(weights.get(k, 0), m.points) for k, m in measures.items() if m.points is not None]
    total = sum(w for w, _ in scored)
    if not total:
        return None
    return round(sum(w * p for w, p in scored) / total, 1)


def _group(rows, good: str, n: str) -> dict:
    return {r["key"]: (r[good], r[n]) for r in rows}


def _case_key(org: bool, path: str = "case__") -> F:
    return F(f"{path}lead_org_id" if org else f"{path}town_id")


def _on_time(ids, start, end, org: bool) -> dict:
    """Nodes met in the month by whoever owed them, and how many by their due time."""
    rows = (
        Deadline.objects.filter(case__in=ids, met_at__gte=start, met_at__lt=end)
        .annotate(key=OWNER if org else F("case__town_id"))
        .values("key")
        .annotate(n=Count("pk"), good=Count("pk", filter=Q(met_at__lte=F("due_at"))))
        .order_by()
    )
    return _group(rows, "good", "n")


def _satisfaction(ids, start, end, org: bool) -> dict:
    """Ratings given in the month, and how many 满意 or 基本满意: read from the timeline's
    `rate` events, which every rating is (imported and seeded history too)."""
    good = (Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED)
    rows = (
        CaseEvent.objects.filter(
            case__in=ids, action=Action.RATE, created_at__gte=start, created_at__lt=end
        )
        .annotate(key=_case_key(org))
        .values("key")
        .annotate(n=Count("pk"), good=Count("pk", filter=Q(data__satisfaction__in=good)))
        .order_by()
    )
    return _group(rows, "good", "n")


def _resolution(ids, start, end, org: bool) -> dict:
    """Resolved in the month, over those plus the cases whose 办结 node had fallen due by
    the month's end unmet (and not paused)."""
    resolved_events = CaseEvent.objects.filter(
        case__in=ids, action=Action.RESOLVE, created_at__gte=start, created_at__lt=end
    )
    resolved = (
        resolved_events.annotate(key=_case_key(org))
        .values("key")
        .annotate(n=Count("case", distinct=True))
        .order_by()
    )
    owed = (
        Deadline.objects.filter(case__in=ids, code=RESOLVE_NODE, due_at__lt=end)
        .filter(Q(met_at=None) | Q(met_at__gte=end))
        .filter(Q(paused_at=None) | Q(paused_at__gte=end))
        .exclude(case__in=resolved_events.values("case_id"))
        .annotate(key=_case_key(org))
        .values("key")
        .annotate(n=Count("case", distinct=True))
        .order_by()
    )
    counts: dict = defaultdict(lambda: [0, 0])
    for row in resolved:
        counts[row["key"]][0] += row["n"]
        counts[row["key"]][1] += row["n"]
    for row in owed:
        counts[row["key"]][1] += row["n"]
    return {key: tuple(value) for key, value in counts.items()}


def _reopens(ids, start, end, org: bool) -> dict:
    """Reopens in the month over resolutions in the month (lower is better)."""
    rows = (
        CaseEvent.objects.filter(
            case__in=ids,
            action__in=(Action.RESOLVE, Action.REOPEN),
            created_at__gte=start,
            created_at__lt=end,
        )
        .annotate(key=_case_key(org))
        .values("key")
        .annotate(
            n=Count("pk", filter=Q(action=Action.RESOLVE)),
            reopened=Count("pk", filter=Q(action=Action.REOPEN)),
        )
        .order_by()
    )
    return _group(rows, "reopened", "n")


def _summons(cases, start, end, org: bool, now: dt.datetime) -> dict:
    """Summoned organisations that arrived on time (summons.queries.timeliness); by town,
    the summonses on the town's cases."""
    if org:
        return {
            r["org"]: (r["arrived_on_time"], r["summoned"])
            for r in timeliness(cases, start=start, end=end, now=now)
        }
    towns = (
        SummonsTarget.objects.filter(
            case__in=cases.values("pk"),
            summons__issued_at__gte=start,
            summons__issued_at__lt=end,
        )
        .values_list("case__town_id", flat=True)
        .distinct()
    )
    counts = {}
    for town in towns:
        rows = timeliness(cases.filter(town_id=town), start=start, end=end, now=now)
        counts[town] = (
            sum(r["arrived_on_time"] for r in rows),
            sum(r["summoned"] for r in rows),
        )
    return counts


def _returns(ids, start, end, org: bool) -> dict:
    """Tasks assigned in the month, and how many of them were returned as "not ours"
    (lower is better)."""
    rows = (
        Task.objects.filter(case__in=ids, assigned_at__gte=start, assigned_at__lt=end)
        .annotate(key=F("organisation_id") if org else F("case__town_id"))
        .values("key")
        .annotate(n=Count("pk"), returned=Count("pk", filter=Q(status=TaskStatus.RETURNED)))
        .order_by()
    )
    return _group(rows, "returned", "n")


def _names(keys: set, org: bool) -> dict:
    model = Organisation if org else Division
    return dict(model.objects.filter(pk__in=keys).values_list("pk", "name"))


def workbook(result: Ranking) -> bytes:
    """The ranking as XLSX: names written as text cells, rates as numbers."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("考核排名"))
    unit = _("单位") if result.by == RankBy.ORG else _("乡镇（街道）")
    header = [_("排名"), unit, _("综合得分")]
    for kpi in Kpi:
        header += [
            _("%(kpi)s（%%）") % {"kpi": kpi.label},
            _("%(kpi)s 分子") % {"kpi": kpi.label},
            _("%(kpi)s 样本") % {"kpi": kpi.label},
        ]
    sheet.append([_text(sheet, str(h)) for h in header])
    for row in result.rows:
        cells = [row.rank, _text(sheet, row.name), row.score]
        for kpi in Kpi:
            measure = row.measures[kpi]
            cells += [measure.rate, measure.good, measure.n]
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _text(sheet, value: str) -> WriteOnlyCell:
    # A name is whatever the admin typed: never let a spreadsheet read it as a formula.
    cell = WriteOnlyCell(sheet, value=safe_cell(value))
    cell.data_type = "s"
    return cell
