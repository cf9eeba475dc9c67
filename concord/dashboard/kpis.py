"""The center's KPIs (SPEC §8) for a period and a set of cases, one definition for every door.

Each KPI is a sample of cases and the good ones among it, written as two conditions on a case
row, so one aggregate query counts them all and the same conditions list the cases behind a
figure (`cases_behind`). The sample is the period's intake: the cases received in it (local
days, both ends included), except cases merged into another (the surviving case counts the
visit). Summons timeliness is the one KPI counted on the summonses issued in the period.
docs/kpis.md states each definition in words; the tests check them against hand counts.

A rate over fewer cases than the minimum sample (CONCORD["KPI_MIN_SAMPLE"], 10) has no value:
the pages show 样本不足 with its n, never a 100% drawn from three cases.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concord.cases.choices import CaseStatus, Channel, Result, Satisfaction
from concord.cases.models import Case, Category
from concord.core.dates import local_midnight
from concord.core.errors import InvalidInput
from concord.deadlines.models import Deadline, EscalateTo
from concord.geo.models import DivisionLevel
from concord.summons.models import SummonsTarget

PERCENT, COUNT = "%", "件"
MAX_SPAN_DAYS = 366 * 5
RESOLVE_NODE = "resolve"
HANDDOWN_HOURS = 2

CLOSED = (CaseStatus.RESOLVED, CaseStatus.RATED, CaseStatus.ARCHIVED)
# Results that settle the dispute (化解); litigation, arbitration, review and a failed
# mediation end the center's part without settling it.
SETTLED = (Result.MEDIATED, Result.SOLVED, Result.ANSWERED, Result.WITHDRAWN)
NOT_OURS = (CaseStatus.REFUSED, CaseStatus.REFERRED)
WAITING = (CaseStatus.REGISTERED, CaseStatus.ACCEPTED)
BY_CHANNEL, BY_CATEGORY = "channel_", "category_"
# A case's level-1 category: its category's parent, or the category itself.
TOP_CATEGORY = Coalesce("category__parent_id", "category_id")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    unit: str
    lower_is_better: bool = False

    @property
    def is_rate(self) -> bool:
        return self.unit == PERCENT


KPIS = [
    Kpi("volume", gettext_lazy("受理量"), COUNT),
    Kpi("resolution_rate", gettext_lazy("化解率"), PERCENT),
    Kpi("mediation_success", gettext_lazy("调解成功率"), PERCENT),
    Kpi("on_time_rate", gettext_lazy("按期办结率"), PERCENT),
    Kpi("overdue_count", gettext_lazy("超期件数"), COUNT, lower_is_better=True),
    Kpi("handdown_rate", gettext_lazy("2小时交办率"), PERCENT),
    Kpi("satisfaction_rate", gettext_lazy("满意率"), PERCENT),
    Kpi("zero_visit_rate", gettext_lazy("零跑率"), PERCENT),
    Kpi("one_visit_rate", gettext_lazy("跑一次率"), PERCENT),
    Kpi("local_resolution_rate", gettext_lazy("就地化解率"), PERCENT),
    Kpi("summons_timeliness", gettext_lazy("吹哨报到及时率"), PERCENT),
    Kpi("ping_pong_count", gettext_lazy("踢皮球件数"), COUNT, lower_is_better=True),
    Kpi("reopen_count", gettext_lazy("重新办理件数"), COUNT, lower_is_better=True),
]
BY_KEY = {kpi.key: kpi for kpi in KPIS}
# The KPIs counted from case rows alone, which the rollup keeps (`_conditions`); summons
# timeliness is counted from the summonses.
STORED = tuple(kpi.key for kpi in KPIS if kpi.key != "summons_timeliness")


@dataclass
class Figure:
    kpi: Kpi
    good: int
    n: int
    value: float | None

    @property
    def key(self) -> str:
        return self.kpi.key

    @property
    def label(self) -> str:
        return str(self.kpi.label)

    @property
    def unit(self) -> str:
        return self.kpi.unit

    @property
    def lower_is_better(self) -> bool:
        return self.kpi.lower_is_better

    @property
    def enough(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class Period:
    """Local days `first` to `last`, both included."""

    first: dt.date
    last: dt.date

    @property
    def start(self) -> dt.datetime:
        return local_midnight(self.first)

    @property
    def end(self) -> dt.datetime:
        return local_midnight(self.last + dt.timedelta(days=1))

    def year_before(self) -> Period:
        return Period(_year_back(self.first), _year_back(self.last))


def _year_back(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def parse_period(first: str | None, last: str | None, *, today: dt.date | None = None) -> Period:
    """From "YYYY-MM-DD" texts; no start is 1 January of this year, no end is today."""
    today = today or timezone.localdate()
    errors = {}
    days = {}
    for name, text, default in (
        ("from", first, today.replace(month=1, day=1)),
        ("to", last, today),
    ):
        if not text:
            days[name] = default
            continue
        try:
            if not _DATE.match(text):
                raise ValueError
            days[name] = dt.date.fromisoformat(text)
        except ValueError:
            errors[name] = _("日期应为“年-月-日”，如 2026-01-31")
    if not errors and days["from"] > days["to"]:
        errors["to"] = _("结束日期不能早于开始日期")
    if not errors and (days["to"] - days["from"]).days > MAX_SPAN_DAYS:
        errors["to"] = _("统计区间最长5年")
    if errors:
        raise InvalidInput(errors)
    return Period(days["from"], days["to"])


def min_sample() -> int:
    return settings.CONCORD["KPI_MIN_SAMPLE"]


def intake(cases: QuerySet[Case], period: Period) -> QuerySet[Case]:
    """The period's sample: received in it, not merged into another case."""
    return unmerged(cases).filter(received_at__gte=period.start, received_at__lt=period.end)


def unmerged(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.filter(merged_into=None)


def _conditions() -> dict[str, tuple[Q, Q]]:
    """Per KPI over case rows: (sample, good); `Q()` is every case of the intake. None of
    them depends on the moment, so they can be counted ahead (`rollups`); what does is
    counted live (`_live`)."""
    settled = Q(status__in=CLOSED, result__in=SETTLED)
    resolve_met = Deadline.objects.filter(
        case=OuterRef("pk"), code=RESOLVE_NODE, met_at__isnull=False
    )
    # Met after its due time, or marked breached by the sweep (within a minute of falling
    # due); a window nobody answers for (escalate_to NONE) only lapses.
    late = (
        Deadline.objects.filter(case=OuterRef("pk"))
        .filter(Q(met_at__gt=F("due_at")) | Q(breached_at__isnull=False))
        .exclude(node__escalate_to=EscalateTo.NONE)
    )
    return {
        "volume": (Q(), Q()),
        "resolution_rate": (~Q(status__in=NOT_OURS), settled),
        "mediation_success": (
            Q(status__in=CLOSED, result__in=(Result.MEDIATED, Result.MEDIATION_FAILED)),
            Q(result=Result.MEDIATED),
        ),
        "on_time_rate": (
            Q(Exists(resolve_met)),
            Q(Exists(resolve_met.filter(met_at__lte=F("due_at")))),
        ),
        "overdue_count": (Q(), Q(Exists(late))),
        # The cases still waiting for their hand-down join the sample live (`_waiting`).
        "handdown_rate": (
            Q(assigned_at__isnull=False),
            Q(assigned_at__lte=F("received_at") + dt.timedelta(hours=HANDDOWN_HOURS)),
        ),
        "satisfaction_rate": (
            ~Q(satisfaction=""),
            Q(satisfaction__in=(Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED)),
        ),
        "zero_visit_rate": (Q(), Q(visits_count=0)),
        "one_visit_rate": (Q(), Q(visits_count__lte=1)),
        "local_resolution_rate": (
            settled,
            Q(handling_level__in=(DivisionLevel.TOWN, DivisionLevel.VILLAGE)),
        ),
        "ping_pong_count": (Q(), Q(hop_count__gt=settings.CONCORD["PING_PONG_HOPS"])),
        "reopen_count": (Q(), Q(reopen_count__gt=0)),
    }


def aggregates() -> dict[str, Count]:
    """The counts of every KPI kept ahead, and the intake by channel and by level-1 category
    (on rows annotated with TOP_CATEGORY), for one `aggregate` or `annotate`."""
    counts = {}
    for key, (sample, good) in _conditions().items():
        counts[f"{key}__n"] = Count("pk", filter=sample) if sample else Count("pk")
        counts[f"{key}__good"] = Count("pk", filter=sample & good) if good else Count("pk")
    for channel in Channel.values:
        counts[f"{BY_CHANNEL}{channel}__n"] = Count("pk", filter=Q(channel=channel))
    for pk in Category.objects.filter(parent=None).values_list("pk", flat=True):
        counts[f"{BY_CATEGORY}{pk}__n"] = Count("pk", filter=Q(top_category=pk))
    return counts


def counts_of(row: dict) -> dict[str, list[int]]:
    """{key: [good, n]} of the KPIs from a row of `aggregates`."""
    return {key: [row[f"{key}__good"], row[f"{key}__n"]] for key in STORED}


def breakdown_of(row: dict) -> dict[str, int]:
    """{"channel_<code>" or "category_<pk>": n} from a row of `aggregates`, zeros left out."""
    return {
        name.removesuffix("__n"): value
        for name, value in row.items()
        if name.startswith((BY_CHANNEL, BY_CATEGORY)) and value
    }


def compute(
    cases: QuerySet[Case],
    first: dt.date,
    last: dt.date,
    *,
    now: dt.datetime | None = None,
    minimum: int | None = None,
) -> dict[str, Figure]:
    """Every KPI of the cases received from `first` to `last` (local days, both included), in
    KPIS order, counted directly: the reference the rollups are checked against."""
    period = Period(first, last)
    row = intake(cases, period).annotate(top_category=TOP_CATEGORY).aggregate(**aggregates())
    counts = counts_of(row)
    return figures(counts, cases, period, now=now, minimum=minimum)


def figures(
    counts: dict[str, list[int]],
    cases: QuerySet[Case],
    period: Period,
    *,
    now: dt.datetime | None = None,
    minimum: int | None = None,
) -> dict[str, Figure]:
    """The figures from the counts kept ahead (`aggregates`) and the live ones."""
    return figures_of(with_live_counts(counts, cases, period, now=now), minimum=minimum)


def with_live_counts(
    counts: dict[str, list[int]],
    cases: QuerySet[Case],
    period: Period,
    *,
    now: dt.datetime | None = None,
) -> dict[str, list[int]]:
    """The counts kept ahead with those that depend on the moment: cases waiting to be handed
    down, summons answered in time."""
    now = now or timezone.now()
    counts = {key: list(pair) for key, pair in counts.items()}
    counts.setdefault("handdown_rate", [0, 0])[1] += _waiting(cases, period, now).count()
    counts["summons_timeliness"] = _summons(cases, period, now)
    return counts


def figures_of(counts: dict[str, list[int]], *, minimum: int | None = None) -> dict[str, Figure]:
    minimum = min_sample() if minimum is None else minimum
    result = {}
    for kpi in KPIS:
        good, n = counts.get(kpi.key, (0, 0))
        result[kpi.key] = Figure(kpi, good, n, _value(kpi, good, n, minimum))
    return result


def _value(kpi: Kpi, good: int, n: int, minimum: int) -> float | None:
    if not kpi.is_rate:
        return float(good)
    if n == 0 or n < minimum:
        return None
    return round(100 * good / n, 1)


def _waiting(cases: QuerySet[Case], period: Period, now: dt.datetime) -> QuerySet[Case]:
    """Cases of the intake never handed down and still waiting for it after 2 hours: late
    hand-downs in the making. (Cases settled at the window without one are not counted.)"""
    return intake(cases, period).filter(
        assigned_at=None,
        status__in=WAITING,
        received_at__lt=now - dt.timedelta(hours=HANDDOWN_HOURS),
    )


def _summons(cases: QuerySet[Case], period: Period, now: dt.datetime) -> list[int]:
    """Organisations summoned in the period on these cases, and those that arrived on time.
    A summons still within its time counts when it is answered, not before."""
    row = _summoned(cases, period).aggregate(
        n=Count("pk", filter=Q(arrived_at__isnull=False) | Q(arrive_due_at__lt=now)),
        good=Count("pk", filter=Q(arrived_at__isnull=False, arrive_late=False)),
    )
    return [row["good"], row["n"]]


def _summoned(cases: QuerySet[Case], period: Period) -> QuerySet[SummonsTarget]:
    return SummonsTarget.objects.filter(
        case__in=unmerged(cases).values("pk"),
        summons__issued_at__gte=period.start,
        summons__issued_at__lt=period.end,
    )


def cases_behind(
    key: str,
    cases: QuerySet[Case],
    period: Period,
    *,
    good: bool = False,
    now: dt.datetime | None = None,
) -> QuerySet[Case]:
    """The cases a figure counts: its sample, or only the good ones."""
    if key not in BY_KEY:
        raise InvalidInput({"kpi": _("未知的指标")})
    if key == "summons_timeliness":
        summoned = _summoned(cases, period)
        if good:
            summoned = summoned.filter(arrived_at__isnull=False, arrive_late=False)
        return cases.filter(pk__in=summoned.values("case_id"))
    sample, good_q = _conditions()[key]
    behind = intake(cases, period)
    if key == "handdown_rate" and not good:
        waiting = _waiting(cases, period, now or timezone.now())
        return behind.filter(sample | Q(pk__in=waiting.values("pk")))
    return behind.filter(sample & good_q if good else sample)
