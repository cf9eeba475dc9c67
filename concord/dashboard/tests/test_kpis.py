"""The KPIs against numbers counted by hand on a small crafted county (docs/kpis.md).

October 2026 in 百官街道, the clock frozen at 10 November. Seven cases count:
  A walk-in, mediated, satisfied, archived; handled by the town; handed down in 1 h; 办结 on time
  B phone, solved, dissatisfied, rated; handled by a village; handed down in 3 h; 办结 late
  C walk-in, rated dissatisfied then reopened, in progress again; county level; 1 h;
    its 办结 node is past due and running
  D two visits, paused; 30 min; its node past due but paused
  E online, refused (not the center's to resolve)
  F online, registered 31 Oct 20:00 and still waiting for hand-down; bounced 3 times
  J walk-in, mediation failed, resolved; town; 1 h
and three do not: G (merged into A), H (received 30 Sep 23:59) and I (received 1 Nov 00:00).
"""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from concord.cases.models import Case
from concord.cases.tests.factories import CAOE, CaseFactory, organisation
from concord.dashboard import kpis, rollups
from concord.dashboard.models import IntakeDay
from concord.dashboard.scope import stats_scope

from .conftest import NOW, OCTOBER, S, at


def figures(**kwargs) -> dict[str, kpis.Figure]:
    with time_machine.travel(NOW, tick=False):
        return kpis.compute(Case.objects.all(), *OCTOBER, minimum=1, **kwargs)


HAND_COUNTED = {
    # key: (good, n, value)
    "volume": (7, 7, 7.0),
    "resolution_rate": (2, 6, 33.3),
    "mediation_success": (1, 2, 50.0),
    "on_time_rate": (1, 2, 50.0),
    "overdue_count": (2, 7, 2.0),
    "handdown_rate": (4, 6, 66.7),
    "satisfaction_rate": (1, 3, 33.3),
    "zero_visit_rate": (3, 7, 42.9),
    "one_visit_rate": (6, 7, 85.7),
    "local_resolution_rate": (2, 2, 100.0),
    "summons_timeliness": (1, 2, 50.0),
    "ping_pong_count": (1, 7, 1.0),
    "reopen_count": (1, 7, 1.0),
}


def test_every_kpi_matches_the_hand_count(october):
    result = figures()
    assert list(result) == [k.key for k in kpis.KPIS]
    assert {key: (f.good, f.n, f.value) for key, f in result.items()} == HAND_COUNTED


def test_a_rate_below_the_minimum_sample_has_no_value(october):
    with time_machine.travel(NOW, tick=False):
        result = kpis.compute(Case.objects.all(), *OCTOBER, minimum=3)
    assert result["mediation_success"].value is None  # 1 of 2: too few to judge
    assert result["mediation_success"].n == 2
    assert not result["mediation_success"].enough
    assert result["satisfaction_rate"].value == 33.3  # 3 ratings: enough
    assert result["reopen_count"].value == 1.0  # counts are counts, whatever the sample


def test_the_cases_behind_each_figure_are_the_ones_it_counted(october):
    period = kpis.Period(*OCTOBER)
    with time_machine.travel(NOW, tick=False):
        result = kpis.compute(Case.objects.all(), *OCTOBER, minimum=1)
        for key, figure in result.items():
            sample = kpis.cases_behind(key, Case.objects.all(), period)
            good = kpis.cases_behind(key, Case.objects.all(), period, good=True)
            if key == "summons_timeliness":  # counted per summoned organisation
                assert list(good) == [october]
                continue
            assert (good.count(), sample.count()) == (figure.good, figure.n), key


def test_a_reopened_case_stops_counting_as_resolved(october):
    before = figures()["resolution_rate"]
    october.status, october.reopen_count = S.IN_PROGRESS, 1
    october.save()
    after = figures()
    assert (after["resolution_rate"].good, after["resolution_rate"].n) == (before.good - 1, 6)
    assert after["reopen_count"].good == 2


def test_a_town_is_its_own_subtree(october, persona):
    CaseFactory(
        received_at=at(9), division=organisation("town-330604002").division.children.first()
    )
    leader = persona("leader")
    county_cases, _ = stats_scope(leader)
    caoe_cases, caoe = stats_scope(leader, CAOE)
    with time_machine.travel(NOW, tick=False):
        assert kpis.compute(county_cases, *OCTOBER)["volume"].good == 8
        assert kpis.compute(caoe_cases, *OCTOBER)["volume"].good == 1
    assert caoe.name == "曹娥街道"


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [
        ("2026-13-01", None, "from"),
        ("2026/10/01", None, "from"),
        (None, "20261031", "to"),
        ("2026-10-31", "2026-10-01", "to"),
        ("2015-01-01", "2026-10-01", "to"),
        ("'; DROP TABLE cases_case; --", None, "from"),
    ],
)
def test_a_bad_period_is_refused_with_the_field(first, last, field):
    with pytest.raises(kpis.InvalidInput) as refused:
        kpis.parse_period(first, last)
    assert field in refused.value.errors


def test_the_default_period_is_this_year_to_date():
    period = kpis.parse_period(None, None, today=dt.date(2026, 11, 29))
    assert (period.first, period.last) == (dt.date(2026, 1, 1), dt.date(2026, 11, 29))
    assert period.year_before() == kpis.Period(dt.date(2025, 1, 1), dt.date(2025, 11, 29))
    leap = kpis.Period(dt.date(2028, 2, 29), dt.date(2028, 2, 29)).year_before()
    assert leap.first == dt.date(2027, 2, 28)


def test_the_rollup_sums_to_the_direct_count_and_follows_changes(october, persona):
    leader = persona("leader")
    county_cases, county = stats_scope(leader)
    baiguan_cases, baiguan = stats_scope(leader, organisation("town-330604001").division_id)
    period = kpis.Period(*OCTOBER)
    with time_machine.travel(NOW, tick=False):
        assert rollups.refresh() == 9  # one town: 7 days of October, 30 September, 1 November

    def both(cases, division):
        cache.clear()  # the rollup itself, not the figures screens share for 30 seconds
        with time_machine.travel(NOW, tick=False):
            summed = rollups.figures(cases, division, period, whole=True)
            counted = kpis.compute(cases, *OCTOBER)
        assert summed == counted
        return summed

    assert both(county_cases, county)["resolution_rate"].good == 2
    assert both(baiguan_cases, baiguan)["volume"].good == 7
    with time_machine.travel(NOW, tick=False):
        october.status, october.reopen_count = S.IN_PROGRESS, 1
        october.save()
    reopened = both(county_cases, county)
    assert (reopened["resolution_rate"].good, reopened["reopen_count"].good) == (1, 2)
    assert rollups.refresh() > 0  # the cases made now, after the frozen moment, count as changed
    assert rollups.rebuild() == 9
    assert IntakeDay.objects.get(day=dt.date(2026, 10, 3)).resolution_rate_good == 0


def test_screens_share_the_countys_figures_for_30_seconds(october, persona, settings):
    county_cases, county = stats_scope(persona("leader"))
    period = kpis.Period(*OCTOBER)
    with time_machine.travel(NOW, tick=False) as clock:
        rollups.refresh()
        first = rollups.figures(county_cases, county, period, whole=True)
        october.status, october.reopen_count = S.IN_PROGRESS, 1
        october.save()
        clock.shift(dt.timedelta(seconds=29))
        with CaptureQueriesContext(connection) as asked:
            assert rollups.figures(county_cases, county, period, whole=True) == first
        assert not asked.captured_queries
        clock.shift(dt.timedelta(seconds=2))
        later = rollups.figures(county_cases, county, period, whole=True)
    assert (first["reopen_count"].good, later["reopen_count"].good) == (1, 2)
    settings.CONCORD = {**settings.CONCORD, "KPI_CACHE_SECONDS": 0}
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        rollups.figures(county_cases, county, period, whole=True)
        with CaptureQueriesContext(connection) as asked:
            rollups.figures(county_cases, county, period, whole=True)
    assert asked.captured_queries  # nothing kept: counted again


def test_figures_are_counted_when_the_cache_is_down(october, persona, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    county_cases, county = stats_scope(persona("leader"))
    with time_machine.travel(NOW, tick=False):
        figures = rollups.figures(county_cases, county, kpis.Period(*OCTOBER), whole=True)
    assert figures["volume"].good == 7


def test_a_read_never_builds_the_rollup_and_counts_directly_instead(october, persona):
    county_cases, county = stats_scope(persona("leader"))
    with time_machine.travel(NOW, tick=False):
        figures = rollups.figures(county_cases, county, kpis.Period(*OCTOBER), whole=True)
    assert figures["volume"].good == 7
    assert not IntakeDay.objects.exists()
