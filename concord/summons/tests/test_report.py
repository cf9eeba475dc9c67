"""The 报到及时率 report: per department, counts and average minutes, in bounded queries."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from concord.cases.tests.factories import CAOE, build_case
from concord.summons import services
from concord.summons.models import SummonsTarget

SH = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=SH)
NOW = dt.datetime(2026, 11, 3, 10, 0, tzinfo=SH)
HRSS, COURT = "上虞区人力资源和社会保障局", "上虞区人民法院"


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def summon(case, persona, *who, when=T0):
    with time_machine.travel(when, tick=False):
        return services.summon(
            case,
            actor=persona("dispatcher"),
            organisations=[persona(w).organisation.pk for w in who],
            reason="现场协调",
        )


def act(summons, persona, who, verb, minute):
    target = SummonsTarget.objects.get(summons=summons, organisation=persona(who).organisation)
    with time_machine.travel(summons.issued_at + dt.timedelta(minutes=minute), tick=False):
        getattr(services, verb)(target, actor=persona(who))


@pytest.fixture
def history(county, persona):
    """Three summonses of hrss and court on 2 November:
    1. hrss acknowledges at 10, arrives at 30 (on time); court acknowledges at 25 (late,
       escalated at 21) and arrives at 50 (late).
    2. hrss arrives at 15 without acknowledging; court never answers (escalated at 21).
    3. hrss acknowledges at 5 and arrives at 45 (late)."""
    with time_machine.travel(T0 - dt.timedelta(hours=1), tick=False):
        cases = [build_case("in_progress") for _ in range(3)]
    first = summon(cases[0], persona, "hrss", "court")
    second = summon(cases[1], persona, "hrss", "court", when=at(60))
    third = summon(cases[2], persona, "hrss", when=at(120))
    act(first, persona, "hrss", "acknowledge", 10)
    act(first, persona, "hrss", "arrive", 30)
    services.sweep_summons(at(21))
    act(first, persona, "court", "acknowledge", 25)
    act(first, persona, "court", "arrive", 50)
    act(second, persona, "hrss", "arrive", 15)
    services.sweep_summons(at(81))
    act(third, persona, "hrss", "acknowledge", 5)
    act(third, persona, "hrss", "arrive", 45)
    return cases


def report(web, who="dispatcher", **params):
    with time_machine.travel(NOW, tick=False):
        return web(who).get("/summons/timeliness", params)


def test_the_report_counts_each_department(web, history):
    response = report(web)
    assert response.status_code == 200
    rows = {r["name"]: r for r in response.context["rows"]}
    hrss, court = rows[HRSS], rows[COURT]
    assert (hrss["summoned"], hrss["ack_on_time"], hrss["arrived_on_time"]) == (3, 3, 2)
    assert (hrss["late"], hrss["escalated"]) == (1, 0)
    assert hrss["avg_ack_minutes"] == round((10 + 15 + 5) / 3, 1)
    assert hrss["avg_arrive_minutes"] == round((30 + 15 + 45) / 3, 1)
    assert (court["summoned"], court["ack_on_time"], court["arrived_on_time"]) == (2, 0, 0)
    assert (court["late"], court["escalated"]) == (2, 2)
    assert court["avg_ack_minutes"] == 25.0 and court["avg_arrive_minutes"] == 50.0
    assert [r["name"] for r in response.context["rows"]][0] == COURT  # worst first
    html = response.content.decode()
    assert 'data-org="上虞区人民法院"' in html and "25.0 分钟" in html


def test_the_date_range_limits_the_summonses(web, history):
    rows = report(web, start="2026-11-03", end="2026-11-03").context["rows"]
    assert rows == []
    bad = report(web, start="2026-11-03", end="2026-11-01")
    assert bad.context["rows"] is None and "起始日期不能晚于截止日期" in bad.content.decode()


def test_the_report_counts_only_cases_the_user_sees(web, persona, history, county):
    with time_machine.travel(T0 - dt.timedelta(hours=1), tick=False):
        caoe_case = build_case("in_progress", town=CAOE, handler="caoe")
    summon(caoe_case, persona, "hrss")
    assert {r["name"]: r for r in report(web).context["rows"]}[HRSS]["summoned"] == 4
    # The leader sees the whole county too; a handler gets no report at all.
    assert report(web, "baiguan").status_code == 404


def test_the_report_runs_in_bounded_queries(web, history, persona):
    client = web("dispatcher")
    with time_machine.travel(NOW, tick=False):
        client.get("/summons/timeliness")
        with CaptureQueriesContext(connection) as queries:
            client.get("/summons/timeliness")
    assert len([q for q in queries.captured_queries if "summons_" in q["sql"]]) == 1
