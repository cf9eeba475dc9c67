"""Statistics over the API: the KPIs of a period and a division subtree."""

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from . import kpis, rollups
from .scope import sees_whole_division, stats_scope

router = Router()


class KpiFilters(Schema):
    division: str | None = Field(None, description="12位区划代码（区县、乡镇或村），默认本人辖区")
    from_: str | None = Field(None, alias="from", description="起始日期 YYYY-MM-DD，默认当年1月1日")
    to: str | None = Field(None, description="截止日期 YYYY-MM-DD（含），默认今天")


class FigureOut(Schema):
    value: float | None = Field(description="比率为百分数，件数为件；样本不足时为空")
    n: int = Field(description="样本数（比率的分母；件数指标为区间受理量）")
    good: int = Field(description="分子：达标的件数")


@router.get("/kpis", response=dict[str, FigureOut])
def kpi_figures(request: HttpRequest, filters: Query[KpiFilters]):
    """Every KPI (SPEC §8, docs/kpis.md) of the cases received in the period in the division
    subtree, within the caller's scope. A division outside the caller's territory is 403."""
    cases, division = stats_scope(request.auth, filters.division)
    period = kpis.parse_period(filters.from_, filters.to)
    whole = sees_whole_division(request.auth)
    figures = rollups.figures(cases, division, period, whole=whole)
    return {key: {"value": f.value, "n": f.n, "good": f.good} for key, f in figures.items()}


class Share(Schema):
    key: str = Field(description="渠道编码、一级类别编号或乡镇区划代码")
    name: str
    n: int
    last_year: int = Field(description="去年同期")


class MonthCount(Schema):
    month: str = Field(description="YYYY-MM")
    n: int
    last_year: int


class VolumeOut(Schema):
    channel: list[Share]
    category: list[Share]
    town: list[Share]
    month: list[MonthCount]


@router.get("/volume", response=VolumeOut)
def intake_volume(request: HttpRequest, filters: Query[KpiFilters]):
    """受理量 of the period by channel, level-1 category, town and month, each beside the same
    period a year before; largest first."""
    cases, division = stats_scope(request.auth, filters.division)
    period = kpis.parse_period(filters.from_, filters.to)
    volume = rollups.volume(cases, division, period, whole=sees_whole_division(request.auth))
    shares = {
        part: [
            {"key": str(key or ""), "name": str(name), "n": n, "last_year": before}
            for key, name, n, before in getattr(volume, part)
        ]
        for part in ("channel", "category", "town")
    }
    months = [{"month": m, "n": n, "last_year": before} for m, n, before in volume.month]
    return {**shares, "month": months}
