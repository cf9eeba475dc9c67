"""The months and quarters a report covers: "2026-10" and "2026-Q3" as typed, as labelled
(2026年10月, 2026年第三季度), and which are over for the schedule."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from concord.core.errors import InvalidInput

from . import kpis
from .choices import PeriodKind

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq](\d)$")


@dataclass(frozen=True)
class ReportPeriod:
    """A calendar month or quarter: local days `first` to `last`, both included."""

    kind: str
    first: dt.date
    last: dt.date

    @classmethod
    def month(cls, year: int, month: int) -> ReportPeriod:
        first = dt.date(year, month, 1)
        return cls(PeriodKind.MONTH, first, next_month(first) - dt.timedelta(days=1))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> ReportPeriod:
        first = dt.date(year, 3 * quarter - 2, 1)
        last = next_month(next_month(next_month(first))) - dt.timedelta(days=1)
        return cls(PeriodKind.QUARTER, first, last)

    @classmethod
    def starting(cls, kind: str, first: dt.date) -> ReportPeriod:
        if kind == PeriodKind.QUARTER:
            return cls.quarter(first.year, (first.month + 2) // 3)
        return cls.month(first.year, first.month)

    @property
    def number(self) -> int:
        """The quarter's number (1–4), or the month's."""
        return (self.first.month + 2) // 3 if self.kind == PeriodKind.QUARTER else self.first.month

    @property
    def code(self) -> str:
        """ "2026-10" or "2026-Q3", as typed in the form."""
        if self.kind == PeriodKind.QUARTER:
            return f"{self.first.year}-Q{self.number}"
        return f"{self.first:%Y-%m}"

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.QUARTER:
            names = [_("第一季度"), _("第二季度"), _("第三季度"), _("第四季度")]
            return _("%(year)d年%(quarter)s") % {
                "year": self.first.year,
                "quarter": names[self.number - 1],
            }
        return _("%(year)d年%(month)d月") % {"year": self.first.year, "month": self.number}

    def counted(self, today: dt.date) -> kpis.Period:
        """The days a report made `today` counts: the whole period, or up to today."""
        return kpis.Period(self.first, min(self.last, today))


def next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def parse_period(kind: str | None, text: str | None, *, today: dt.date | None = None):
    """ "2026-10" (a month) or "2026-Q3" (a quarter); `kind`, when given, must agree. A period
    not begun yet is refused; the current one counts up to today."""
    today = today or timezone.localdate()
    text = (text or "").strip()
    if kind and kind not in PeriodKind.values:
        raise InvalidInput({"kind": _("报表类型应为月报或季报")})
    if not text:
        raise InvalidInput({"period": _("请填写报表期间，如 2026-10 或 2026-Q3")})
    kind = kind or (PeriodKind.QUARTER if _QUARTER.match(text) else PeriodKind.MONTH)
    if kind == PeriodKind.QUARTER:
        match = _QUARTER.match(text)
        if not match:
            raise InvalidInput({"period": _("季报的期间应为“年-Q季度”，如 2026-Q3")})
        if not 1 <= int(match[2]) <= 4:
            raise InvalidInput({"period": _("季度应为 Q1 至 Q4")})
    else:
        match = _MONTH.match(text)
        if not match:
            raise InvalidInput({"period": _("月报的期间应为“年-月”，如 2026-10")})
        if not 1 <= int(match[2]) <= 12:
            raise InvalidInput({"period": _("月份应为 01 至 12")})
    if not 2000 <= int(match[1]) <= 2100:
        raise InvalidInput({"period": _("年份应在 2000 至 2100 之间")})
    year, number = int(match[1]), int(match[2])
    if kind == PeriodKind.QUARTER:
        period = ReportPeriod.quarter(year, number)
    else:
        period = ReportPeriod.month(year, number)
    if period.first > today:
        raise InvalidInput(
            {"period": _("%(period)s尚未开始，不能生成报表") % {"period": period.label}}
        )
    return period


def due_periods(today: dt.date) -> list[ReportPeriod]:
    """The last month and the last quarter that are over by `today`."""
    month_ago = today.replace(day=1) - dt.timedelta(days=1)
    quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    quarter_ago = quarter_start - dt.timedelta(days=1)
    return [
        ReportPeriod.month(month_ago.year, month_ago.month),
        ReportPeriod.quarter(quarter_ago.year, (quarter_ago.month + 2) // 3),
    ]


def title(division_name: str, period: ReportPeriod) -> str:
    """上虞区社会矛盾纠纷调处化解工作月报（2026年10月）."""
    return _("%(division)s社会矛盾纠纷调处化解工作%(kind)s（%(period)s）") % {
        "division": division_name,
        "kind": PeriodKind(period.kind).label,
        "period": period.label,
    }


def recent(today: dt.date) -> list[ReportPeriod]:
    """The periods offered in the form: this month back twelve months, and five quarters."""
    months, day = [], today
    for _step in range(13):
        months.append(ReportPeriod.month(day.year, day.month))
        day = day.replace(day=1) - dt.timedelta(days=1)
    quarters = [ReportPeriod.starting(PeriodKind.QUARTER, today)]
    for _step in range(4):
        quarters.append(
            ReportPeriod.starting(PeriodKind.QUARTER, quarters[-1].first - dt.timedelta(days=1))
        )
    return months + quarters
