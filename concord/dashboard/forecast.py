"""趋势预测 (decision support): next month's intake per category and town with its past error.
The organisations and towns that moved most are in concord.dashboard.movers.

Forecast. Monthly intake (received cases not merged into another) per level-1 category and
town comes from one GROUP BY month × category × town. Each category has a seasonal index, how
a month compares with its year, learnt from up to three past years (12-month blocks ending at
the last month known):

- April to October: that calendar month's count over its year's monthly mean, summed over the
  years, with PSEUDO_CASES added above and below so that an index read off a handful of cases
  stays near 1.
- November to March: the Spring Festival falls between 21 January and 20 February, and wage
  arrears (欠薪) rush in the weeks before it while the holiday week is quiet, so a calendar
  month is not the same month from one year to the next. These months' index is a line,
  c + a × (share of the month's days in the 60 days before the festival) + b × (share in its
  holiday week), fitted by weighted least squares to those months' ratios, pulled toward
  (1, 0, 0) by PSEUDO_CASES (ridge) so that a thin series does not draw a wild line.

Next month = recent level × its index, the level being the last three months' intake over the
sum of their indices. A town × category cell uses its category's index, so a town's forecast is
the sum of its categories' and the table adds up. Under 13 months of history there is no year
to compare with: the forecast is the mean of the last three months.

Past error: the method replayed for each of the last six months, from the data it would have
had (through two months before: next month's forecast is made now, through last month). WAPE,
Σ|actual − forecast| / Σ actual, which small counts do not blow up the way MAPE does.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Count, Min, QuerySet
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.cases.models import Case, Category
from concord.core.dates import local_midnight
from concord.geo.models import Division

# Months are counted from year 0 (year × 12 + month − 1), so that month arithmetic is + and −.
Month = int
Cell = tuple[int | None, str | None]  # (level-1 category id, town code)
Index = Callable[[Month], float]

HISTORY_YEARS = 3
SEASONAL_FROM = 13  # months of history before a year can be compared with another
RECENT_MONTHS = 3
BACKTEST_MONTHS = 6
HORIZON = 2  # next month, from the months through last month
PSEUDO_CASES = 2
INDEX_FLOOR = 0.1
FESTIVAL_SEASON = frozenset({11, 12, 1, 2, 3})
PRE_FESTIVAL_DAYS = 60
HOLIDAY_DAYS = 7
CHART_MONTHS = 24
# Records whose first case came after this day of its month began mid-month (the system went
# live then): that month would read as a quiet one and is left out.
FIRST_WEEK = 7

# 春节 (first day of the lunar year). chinese-calendar only knows years whose holidays the
# State Council has announced; a forecast for next January needs next year's festival.
SPRING_FESTIVAL = {
    year: dt.date(year, month, day)
    for year, month, day in [
        (2000, 2, 5), (2001, 1, 24), (2002, 2, 12), (2003, 2, 1), (2004, 1, 22),
        (2005, 2, 9), (2006, 1, 29), (2007, 2, 18), (2008, 2, 7), (2009, 1, 26),
        (2010, 2, 14), (2011, 2, 3), (2012, 1, 23), (2013, 2, 10), (2014, 1, 31),
        (2015, 2, 19), (2016, 2, 8), (2017, 1, 28), (2018, 2, 16), (2019, 2, 5),
        (2020, 1, 25), (2021, 2, 12), (2022, 2, 1), (2023, 1, 22), (2024, 2, 10),
        (2025, 1, 29), (2026, 2, 17), (2027, 2, 6), (2028, 1, 26), (2029, 2, 13),
        (2030, 2, 3), (2031, 1, 23), (2032, 2, 11), (2033, 1, 31), (2034, 2, 19),
        (2035, 2, 8), (2036, 1, 28), (2037, 2, 15), (2038, 2, 4), (2039, 1, 24),
        (2040, 2, 12),
    ]
}  # fmt: skip


def month_of(day: dt.date) -> Month:
    return day.year * 12 + day.month - 1


def first_day(month: Month) -> dt.date:
    return dt.date(month // 12, month % 12 + 1, 1)


def start_of(month: Month) -> dt.datetime:
    """Local midnight opening the month."""
    return local_midnight(first_day(month))


# --- The model: pure functions over {month: count} -------------------------------------------


@functools.cache
def festival_exposure(month: Month) -> tuple[float, float] | None:
    """The shares of the month's days in the 60 days before the Spring Festival of its winter
    and in the festival's holiday week; None when that festival is not in the table."""
    first, after = first_day(month), first_day(month + 1)
    festival = SPRING_FESTIVAL.get(first.year + (first.month >= 11))
    if festival is None:
        return None
    days = (after - first).days
    rush = _overlap(first, after, festival - dt.timedelta(days=PRE_FESTIVAL_DAYS), festival)
    holiday = _overlap(first, after, festival, festival + dt.timedelta(days=HOLIDAY_DAYS))
    return rush / days, holiday / days


def _overlap(start: dt.date, end: dt.date, other_start: dt.date, other_end: dt.date) -> int:
    return max(0, (min(end, other_end) - max(start, other_start)).days)


def seasonal_index(counts: Mapping[Month, float], first: Month, end: Month) -> Index | None:
    """How a month compares with its year, learnt from `counts` of months `first` to `end`;
    None under SEASONAL_FROM months."""
    if end - first + 1 < SEASONAL_FROM:
        return None
    points = []  # (month, count, that year's monthly mean)
    for year in range(HISTORY_YEARS):
        months = range(end - 12 * year - 11, end - 12 * year + 1)
        if months.start < first:
            break
        mean = sum(counts.get(m, 0) for m in months) / 12
        points += [(m, counts.get(m, 0), mean) for m in months]
    calendar = _calendar_index(points)
    festival = _festival_line([p for p in points if p[0] % 12 + 1 in FESTIVAL_SEASON])

    def index(month: Month) -> float:
        value = festival(month) if festival and month % 12 + 1 in FESTIVAL_SEASON else None
        return max(INDEX_FLOOR, calendar[month % 12] if value is None else value)

    return index


def _calendar_index(points: Iterable[tuple[Month, float, float]]) -> list[float]:
    counts, means = [0.0] * 12, [0.0] * 12
    for month, count, mean in points:
        counts[month % 12] += count
        means[month % 12] += mean
    return [(c + PSEUDO_CASES) / (m + PSEUDO_CASES) for c, m in zip(counts, means, strict=True)]


def _festival_line(
    points: list[tuple[Month, float, float]],
) -> Callable[[Month], float | None] | None:
    """c + a·rush + b·holiday through the ratios count / mean, each weighted by its mean (a
    ratio over more cases is surer), pulled toward (1, 0, 0) by PSEUDO_CASES."""
    gram = [[PSEUDO_CASES * (i == j) for j in range(3)] for i in range(3)]
    moments = [PSEUDO_CASES, 0.0, 0.0]
    fitted = 0
    for month, count, mean in points:
        exposure = festival_exposure(month)
        if exposure is None:
            continue
        x = (1.0, *exposure)
        fitted += 1
        for i in range(3):
            moments[i] += x[i] * count  # weight × ratio = mean × count / mean
            for j in range(3):
                gram[i][j] += mean * x[i] * x[j]
    if not fitted:
        return None
    c, a, b = _solve(gram, moments)

    def line(month: Month) -> float | None:
        exposure = festival_exposure(month)
        return None if exposure is None else c + a * exposure[0] + b * exposure[1]

    return line


def _solve(m: list[list[float]], v: list[float]) -> tuple[float, float, float]:
    """Cramer's rule; the ridge keeps the determinant positive."""

    def det(a: list[list[float]]) -> float:
        return (
            a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
            - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
            + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0])
        )

    d = det(m)
    columns = (
        [[v[r] if c == k else m[r][c] for c in range(3)] for r in range(3)] for k in range(3)
    )
    x, y, z = (det(a) / d for a in columns)
    return x, y, z


def project(
    counts: Mapping[Month, float], first: Month, end: Month, target: Month, index: Index | None
) -> float:
    """The forecast of `target` from months `first` to `end`: the recent level × the target's
    index, or the recent mean without an index."""
    recent = range(max(first, end - RECENT_MONTHS + 1), end + 1)
    if not recent:
        return 0.0
    intake = sum(counts.get(m, 0) for m in recent)
    if index is None:
        return intake / len(recent)
    return intake / sum(index(m) for m in recent) * index(target)


def predict(
    cells: Mapping[Cell, Mapping[Month, float]], first: Month, end: Month, target: Month
) -> dict[Cell, float]:
    """Every cell's forecast of `target`, each with its category's index."""
    by_category = _sum_by(cells, lambda cell: cell[0])
    indices = {cat: seasonal_index(counts, first, end) for cat, counts in by_category.items()}
    return {
        cell: project(counts, first, end, target, indices[cell[0]])
        for cell, counts in cells.items()
    }


def wape(pairs: Iterable[tuple[float, float]]) -> float | None:
    """Σ|actual − forecast| / Σ actual over (actual, forecast) pairs, in percent."""
    pairs = list(pairs)
    actual = sum(a for a, _ in pairs)
    if not actual:
        return None
    return 100 * sum(abs(a - f) for a, f in pairs) / actual


def _sum_by(cells: Mapping[Cell, Mapping[Month, float]], key: Callable) -> dict:
    sums: dict = defaultdict(lambda: defaultdict(float))
    for cell, counts in cells.items():
        for month, n in counts.items():
            sums[key(cell)][month] += n
    return sums


# --- The forecast page's numbers ---------------------------------------------------------------

TOTAL = ("total", None)


@dataclass
class Line:
    """One row of the forecast: next month's intake, last month's, the same month a year ago
    and the past error (WAPE, percent; None without a month to check)."""

    key: int | str | None
    name: str
    forecast: float
    last_month: int
    year_ago: int | None
    error: float | None

    @property
    def expected(self) -> int:
        return round(self.forecast)


@dataclass
class Forecast:
    target: dt.date
    last_full: dt.date
    history_months: int
    seasonal: bool
    checked_months: int
    so_far: int  # this month to date
    left_out: dt.date | None  # the first day of records, when their partial month is left out
    total: Line
    categories: list[Line]
    towns: list[Line]
    chart: dict


def forecast(cases: QuerySet[Case], *, today: dt.date | None = None) -> Forecast:
    """Next month's intake of `cases` (already scoped), per level-1 category and per town, with
    the error of the same method over the last six months. One counting query, two for names.
    """
    today = today or timezone.localdate()
    current = month_of(today)
    last, target = current - 1, current + 1
    # The oldest replayed month reads its indices from HISTORY_YEARS years before it.
    oldest = last - BACKTEST_MONTHS + 1 - HORIZON - 12 * HISTORY_YEARS + 1
    cells, so_far, began = _monthly_counts(cases, oldest, current)
    first = month_of(began) if began else last + 1
    left_out = began if began and first > oldest and began.day > FIRST_WEEK else None
    if left_out:
        first += 1

    predicted = predict(cells, first, last, target)
    checks: dict = defaultdict(list)  # group → [(actual, forecast)] over the replayed months
    replayed = {}
    for month in range(max(first + HORIZON, last - BACKTEST_MONTHS + 1), last + 1):
        then = _by_group(predict(cells, first, month - HORIZON, month))
        actual = _by_group({cell: counts.get(month, 0) for cell, counts in cells.items()})
        for group, value in then.items():
            checks[group].append((actual[group], value))
        replayed[month] = then[TOTAL]

    ahead, last_month = _by_group(predicted), _by_group(_at(cells, last))
    year_ago = _by_group(_at(cells, target - 12)) if target - 12 >= first else {}
    names = _names(cells)

    def line(group: tuple) -> Line:
        return Line(
            key=group[1],
            name=names.get(group, ""),
            forecast=ahead.get(group, 0.0),
            last_month=round(last_month.get(group, 0)),
            year_ago=round(year_ago.get(group, 0)) if year_ago else None,
            error=wape(checks[group]) if group in checks else None,
        )

    def lines(kind: str) -> list[Line]:
        rows = [line(group) for group in ahead if group[0] == kind]
        return sorted(rows, key=lambda r: (-r.forecast, -r.last_month, r.name))

    total = line(TOTAL)
    total.name = _("合计")
    history = max(0, last - first + 1)
    return Forecast(
        target=first_day(target),
        last_full=first_day(last),
        history_months=history,
        seasonal=history >= SEASONAL_FROM,
        checked_months=len(replayed),
        so_far=so_far,
        left_out=left_out,
        total=total,
        categories=lines("category"),
        towns=lines("town"),
        chart=_chart(cells, first, last, so_far, replayed, total),
    )


def _monthly_counts(
    cases: QuerySet[Case], oldest: Month, current: Month
) -> tuple[dict[Cell, dict[Month, int]], int, dt.date | None]:
    """Intake per (level-1 category, town) and local month, from `oldest` to last month; this
    month's so far; and the local day of the first case before this month."""
    rows = (
        cases.filter(
            merged_into=None,
            received_at__gte=start_of(oldest),
            received_at__lt=start_of(current + 1),
        )
        .annotate(
            month=TruncMonth("received_at", tzinfo=timezone.get_current_timezone()),
            top=Coalesce("category__parent_id", "category_id"),
        )
        .values("month", "top", "town_id")
        .annotate(n=Count("pk"), earliest=Min("received_at"))
        .order_by()
    )
    cells: dict[Cell, dict[Month, int]] = defaultdict(dict)
    so_far, began = 0, None
    for row in rows:
        month = month_of(timezone.localtime(row["month"]).date())
        if month == current:
            so_far += row["n"]
            continue
        cells[(row["top"], row["town_id"])][month] = row["n"]
        day = timezone.localdate(row["earliest"])
        began = min(began, day) if began else day
    return cells, so_far, began


def _by_group(per_cell: Mapping[Cell, float]) -> dict[tuple, float]:
    """Cells summed per category, per town and in total."""
    sums: dict[tuple, float] = defaultdict(float)
    for (category, town), value in per_cell.items():
        sums[("category", category)] += value
        sums[("town", town)] += value
        sums[TOTAL] += value
    return sums


def _at(cells: Mapping[Cell, Mapping[Month, int]], month: Month) -> dict[Cell, int]:
    return {cell: counts.get(month, 0) for cell, counts in cells.items()}


def _names(cells: Iterable[Cell]) -> dict[tuple, str]:
    categories = {cat for cat, _town in cells if cat is not None}
    towns = {town for _cat, town in cells if town is not None}
    names: dict[tuple, str] = {("category", None): _("未分类"), ("town", None): _("未定乡镇")}
    for pk, name in Category.objects.filter(pk__in=categories).values_list("pk", "name"):
        names[("category", pk)] = name
    for code, name in Division.objects.filter(code__in=towns).values_list("code", "name"):
        names[("town", code)] = name
    return names


def _chart(
    cells: Mapping[Cell, Mapping[Month, int]],
    first: Month,
    last: Month,
    so_far: int,
    replayed: Mapping[Month, float],
    total: Line,
) -> dict:
    """The total's monthly history, the replayed forecasts, this month to date and next month's
    forecast with its error band, as aligned lists for forecast.js."""
    months = list(range(max(first, last - CHART_MONTHS + 1), last + 3))
    totals = _sum_by(cells, lambda cell: TOTAL)[TOTAL]
    band = None
    if total.error is not None:
        spread = total.forecast * total.error / 100
        band = [round(max(0.0, total.forecast - spread), 1), round(total.forecast + spread, 1)]
    return {
        "months": [f"{first_day(m):%Y-%m}" for m in months],
        "actual": [round(totals.get(m, 0)) if m <= last else None for m in months],
        "replayed": [round(replayed[m], 1) if m in replayed else None for m in months],
        "so_far": [so_far if m == last + 1 else None for m in months],
        "forecast": [round(total.forecast, 1) if m == last + 2 else None for m in months],
        "band": band,
        "labels": {
            "actual": _("实际受理"),
            "replayed": _("当时的预测（回测）"),
            "so_far": _("本月至今"),
            "forecast": _("下月预测"),
            "band": _("误差范围"),
        },
    }
