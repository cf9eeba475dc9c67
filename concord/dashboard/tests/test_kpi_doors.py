"""The KPIs through the doors users take: GET /api/v1/stats/kpis, the cards, the case list."""

import datetime as dt

import pytest
import time_machine

from concord.cases.choices import CaseStatus, Result
from concord.cases.tests.factories import BAIGUAN, CAOE, CaseFactory, build_case, first_village

from .conftest import NOW, TZ
from .test_kpis import HAND_COUNTED

OCTOBER = {"from": "2026-10-01", "to": "2026-10-31"}


@pytest.fixture
def few_cases(county):
    """Two cases received today in 百官, one in 曹娥; one 百官 case resolved by mediation."""
    build_case(CaseStatus.RESOLVED, town=BAIGUAN)
    build_case(CaseStatus.IN_PROGRESS, town=BAIGUAN)
    build_case(CaseStatus.ACCEPTED, town=CAOE, handler="caoe")


def test_the_api_answers_every_kpi_with_value_and_sample(api, settings, october):
    settings.CONCORD = {**settings.CONCORD, "KPI_MIN_SAMPLE": 1}
    with time_machine.travel(NOW, tick=False):
        answer = api("leader").get("/stats/kpis", {"division": BAIGUAN, **OCTOBER})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert {key: (v["good"], v["n"], v["value"]) for key, v in body.items()} == HAND_COUNTED


def test_a_small_sample_is_null_with_its_n(api, few_cases):
    body = api("leader").get("/stats/kpis").json()
    assert body["volume"] == {"value": 3.0, "n": 3, "good": 3}
    assert body["resolution_rate"] == {"value": None, "n": 3, "good": 1}


def test_a_town_leader_sees_only_the_town(api, few_cases):
    town_leader = api("baiguan_leader")
    assert town_leader.get("/stats/kpis").json()["volume"]["good"] == 2
    assert town_leader.get("/stats/kpis", {"division": BAIGUAN}).json()["volume"]["good"] == 2
    foreign = town_leader.get("/stats/kpis", {"division": CAOE})
    assert foreign.status_code == 403
    assert foreign.json()["detail"] == "无权查看该区划的数据"
    county = town_leader.get("/stats/kpis", {"division": "330604000000"})
    assert county.status_code == 403
    assert api("leader").get("/stats/kpis", {"division": CAOE}).json()["volume"]["good"] == 1


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"division": "abc"}, "division"),
        ({"division": "3306040010001"}, "division"),
        ({"division": "999999999999"}, "division"),
        ({"from": "2026-02-30"}, "from"),
        ({"from": "2026-10-31", "to": "2026-10-01"}, "to"),
        ({"to": "x" * 5000}, "to"),
    ],
)
def test_bad_input_is_a_422_with_the_field(api, county, params, field):
    answer = api("leader").get("/stats/kpis", params)
    assert answer.status_code == 422
    assert field in answer.json()["errors"]


def test_without_a_token_the_numbers_stay_closed(api, county):
    assert api(None).get("/stats/kpis").status_code == 401


def test_the_cards_show_too_few_and_link_to_the_cases_behind(web, few_cases):
    page = web("leader").get("/dashboard/kpis/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "样本不足 <small>(n=3)</small>" in html
    assert "kpi=resolution_rate" in html
    listed = web("leader").get(
        "/cases/",
        {"kpi": "resolution_rate", "kpi_part": "good", "received_from": dt.date.today()},
    )
    assert listed.status_code == 200
    assert listed.context["page"].paginator.count == 1
    assert "统计指标：化解率 · 达标" in listed.content.decode()


def test_the_cards_refuse_a_foreign_town(web, few_cases):
    page = web("baiguan_leader").get("/dashboard/kpis/", {"division": CAOE})
    assert page.status_code == 403
    assert "无权查看该区划的数据" in page.content.decode()


def test_an_unknown_kpi_in_the_case_search_is_a_clear_refusal(api, web, county):
    assert api("leader").get("/cases", {"kpi": "nope"}).status_code == 422
    page = web("leader").get("/cases/", {"kpi": "nope"})
    assert "未知的指标" in page.content.decode()
    assert page.context["page"].paginator.count == 0


def test_the_case_list_api_lists_the_cases_behind_a_figure(api, few_cases):
    CaseFactory(
        received_at=dt.datetime.now(TZ),
        division=first_village(BAIGUAN),
        status=CaseStatus.RESOLVED,
        result=Result.LITIGATION,
    )
    answer = api("leader").get("/cases", {"kpi": "resolution_rate"})
    assert answer.json()["count"] == 4
    settled = api("leader").get("/cases", {"kpi": "resolution_rate", "kpi_part": "good"})
    assert settled.json()["count"] == 1


def test_the_volume_is_broken_down_beside_last_year(api, october):
    CaseFactory(received_at=october.received_at.replace(year=2025), channel="hotline_12345")
    with time_machine.travel(NOW, tick=False):
        body = api("leader").get("/stats/volume", OCTOBER).json()
    channels = {row["key"]: (row["n"], row["last_year"]) for row in body["channel"]}
    assert channels["walk_in"] == (4, 0)
    assert channels["portal"] == (2, 0)
    assert channels["hotline_12345"] == (0, 1)
    assert body["town"] == [{"key": BAIGUAN, "name": "百官街道", "n": 7, "last_year": 1}]
    assert body["month"] == [{"month": "2026-10", "n": 7, "last_year": 1}]
    assert sum(row["n"] for row in body["category"]) == 7


def test_the_volume_tables_show_each_part(web, few_cases):
    html = web("leader").get("/dashboard/volume/").content.decode()
    assert "来源渠道" in html and "窗口来访" in html and "百官街道" in html
    refused = web("baiguan_leader").get("/dashboard/volume/", {"division": CAOE})
    assert refused.status_code == 403


def test_the_desk_page_loads_the_volume_for_its_division_and_period(web, few_cases):
    html = web("baiguan_leader").get("/dashboard/", {"from": "2026-01-01"}).content.decode()
    assert f"/dashboard/volume/?division={BAIGUAN}&amp;from=2026-01-01" in html
