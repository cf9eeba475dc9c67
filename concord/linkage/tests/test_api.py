"""五调联动 over the API: a case's hand-overs, the stats per type and direction counted by
hand, the partner's own scope, and bad input refused with nothing changed."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from concord.cases.choices import Action, Channel
from concord.cases.tests.factories import CAOE, build_case, organisation
from concord.cases.timeline import record_event
from concord.linkage import services
from concord.linkage.models import Handover

SH = ZoneInfo("Asia/Shanghai")


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=SH)


@pytest.fixture
def case(county):
    return build_case("in_progress")


def body(**extra) -> dict:
    return {
        "type": "procuratorate",
        "direction": "out",
        "partner": organisation("procuratorate").pk,
        "note": "请审查",
        **extra,
    }


def test_hand_over_return_and_list(api, case):
    dispatcher = api("dispatcher")
    sent = dispatcher.post(f"/cases/{case.pk}/handovers", body())
    assert sent.status_code == 201, sent.json()
    out = sent.json()
    assert (out["type"], out["direction"], out["partner_name"]) == (
        "procuratorate",
        "out",
        "上虞区人民检察院",
    )
    back = dispatcher.post(
        f"/cases/{case.pk}/handovers", {"answers": out["id"], "outcome": "handled"}
    )
    assert back.status_code == 201 and back.json()["answers"] == out["id"]
    again = dispatcher.post(
        f"/cases/{case.pk}/handovers", {"answers": out["id"], "outcome": "handled"}
    )
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    listed = dispatcher.get(f"/cases/{case.pk}/handovers").json()
    assert [(h["direction"], h["outcome"]) for h in listed] == [("out", ""), ("in", "handled")]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"type": "army"}, "type"),
        ({"direction": "up"}, "direction"),
        ({"partner": None}, "partner"),
        ({"partner": 999999}, "partner"),
        ({"partner": "@police"}, "partner"),  # an organisation, but not a procuratorate
        ({"partner": "检察院"}, "partner"),
        ({"note": "长" * 2001}, "note"),
        ({"answers": 999999, "outcome": "handled"}, None),
    ],
)
def test_bad_input_is_a_clear_4xx_and_changes_nothing(api, case, extra, field):
    if extra.get("partner") == "@police":
        extra = {"partner": organisation("police").pk}
    response = api("dispatcher").post(f"/cases/{case.pk}/handovers", body(**extra))
    if field:
        assert response.status_code == 422 and field in response.json()["errors"]
    else:
        assert response.status_code == 404
        assert response.json()["detail"] == "联动移交记录不存在"
    assert not Handover.objects.exists()


def test_malformed_json_is_refused(api, case):
    response = api("dispatcher").post(f"/cases/{case.pk}/handovers", raw=b"{not json")
    assert response.status_code in (400, 422) and not Handover.objects.exists()


def test_a_return_needs_an_outcome(api, case):
    sent = api("dispatcher").post(f"/cases/{case.pk}/handovers", body()).json()
    response = api("dispatcher").post(f"/cases/{case.pk}/handovers", {"answers": sent["id"]})
    assert response.status_code == 422 and "outcome" in response.json()["errors"]
    assert Handover.objects.count() == 1


def test_a_handler_is_forbidden_and_a_case_out_of_scope_is_404(api, county, case):
    assert api("baiguan").post(f"/cases/{case.pk}/handovers", body()).status_code == 403
    caoe_case = build_case("in_progress", town=CAOE, handler="caoe")
    assert api("baiguan").post(f"/cases/{caoe_case.pk}/handovers", body()).status_code == 404
    assert api("baiguan").get(f"/cases/{caoe_case.pk}/handovers").status_code == 404
    assert not Handover.objects.exists()


@pytest.fixture
def march(county, persona):
    """Hand-overs around March 2026, by hand:

    in March: 警调 in 1 (a 110 call); 检调 out 1 and its reply in 1; 诉调 in 1 and its return
    out 1; 诉调 out 1 more (the return of a February referral). Outside: the February referral,
    an online petition on 1 April.
    """
    dispatcher, court = persona("dispatcher"), persona("court")
    with time_machine.travel(at(3, 2), tick=False):
        police_case = build_case("registered", channel=Channel.POLICE_110)
    with time_machine.travel(at(3, 3), tick=False):
        sent = services.hand_over(
            police_case,
            actor=dispatcher,
            linkage_type="procuratorate",
            direction="out",
            partner=organisation("procuratorate").pk,
        )
    with time_machine.travel(at(3, 5), tick=False):
        services.record_return(sent, actor=dispatcher, outcome="handled")
    with time_machine.travel(at(2, 25), tick=False):
        early = build_case("registered", channel=Channel.COURT_REFERRAL)
        record_event(early, actor=court, action=Action.COURT_REFERRED, data={})
    with time_machine.travel(at(3, 4), tick=False):
        record_event(early, actor=court, action=Action.COURT_RETURNED, data={"outcome": "failed"})
    with time_machine.travel(at(3, 10), tick=False):
        referred = build_case("registered", channel=Channel.COURT_REFERRAL)
        record_event(referred, actor=court, action=Action.COURT_REFERRED, data={})
    with time_machine.travel(at(3, 31, 23), tick=False):
        record_event(
            referred, actor=court, action=Action.COURT_RETURNED, data={"outcome": "mediated"}
        )
    with time_machine.travel(at(4, 1, 0), tick=False):
        build_case("registered", channel=Channel.ONLINE_PETITION)


def test_stats_count_per_type_and_direction(api, march):
    response = api("dispatcher").get("/linkage/stats", {"from": "2026-03-01", "to": "2026-03-31"})
    assert response.status_code == 200
    assert response.json() == {
        "court": {"in": 1, "out": 2},
        "police": {"in": 1, "out": 0},
        "procuratorate": {"in": 1, "out": 1},
        "professional": {"in": 0, "out": 0},
        "petition": {"in": 0, "out": 0},
    }
    april = api("leader").get("/linkage/stats", {"from": "2026-04-01", "to": "2026-04-01"}).json()
    assert april["petition"] == {"in": 1, "out": 0} and april["court"] == {"in": 0, "out": 0}


def test_stats_default_to_this_month(api, march):
    with time_machine.travel(at(3, 31, 23), tick=False):
        assert api("dispatcher").get("/linkage/stats").json()["court"] == {"in": 1, "out": 2}


def test_a_partner_counts_only_its_own_hand_overs(api, march):
    period = {"from": "2026-02-01", "to": "2026-04-30"}
    court = api("court").get("/linkage/stats", period).json()
    assert court["court"] == {"in": 2, "out": 2}
    assert all(court[t] == {"in": 0, "out": 0} for t in ("police", "procuratorate", "petition"))
    everyone = api("dispatcher").get("/linkage/stats", period).json()
    assert everyone["police"] == {"in": 1, "out": 0}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"from": "yesterday"}, "from"),
        ({"from": "2026-03-31", "to": "2026-03-01"}, "to"),
        ({"from": "2000-01-01", "to": "2026-03-01"}, "to"),
        ({"to": "x" * 40}, "to"),
    ],
)
def test_bad_periods_are_422(api, county, params, field):
    response = api("dispatcher").get("/linkage/stats", params)
    assert response.status_code == 422 and field in response.json()["errors"]


def test_stats_are_closed_to_a_clerk_or_a_town(api, county):
    assert api("clerk").get("/linkage/stats").status_code == 403
    assert api("baiguan").get("/linkage/stats").status_code == 403


# ---------------------------------------------------------------- the report page


def test_the_report_shows_counts_open_ones_and_recent_hand_overs(web, march):
    page = web("dispatcher").get("/linkage/", {"from": "2026-03-01", "to": "2026-03-31"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-type="court"' in html and "检察院" in html
    rows = page.context["rows"]
    police = next(r for r in rows if r["type"] == "police")
    assert (police["in"], police["in_open"]) == (1, 1)  # the 110 call is not answered yet
    court = next(r for r in rows if r["type"] == "court")
    assert (court["in"], court["in_open"], court["out"]) == (1, 0, 2)
    assert len(page.context["recent"]) == 6


def test_a_partner_sees_its_own_hand_overs_only(web, march):
    page = web("court").get("/linkage/", {"from": "2026-02-01", "to": "2026-04-30"})
    assert page.status_code == 200
    assert {h.partner.code for h in page.context["recent"]} == {"court"}
    assert len(page.context["recent"]) == 4
    [court] = page.context["rows"]  # its own type only
    assert (court["type"], court["in"], court["out"]) == ("court", 2, 2)


def test_the_report_is_closed_to_a_clerk(web, county):
    assert web("clerk").get("/linkage/").status_code == 403


def test_a_bad_period_on_the_page_shows_the_message(web, county):
    page = web("dispatcher").get("/linkage/", {"from": "2026-03-31", "to": "2026-03-01"})
    assert page.status_code == 200 and "截止日期不能早于起始日期" in page.content.decode()
    assert page.context["rows"] is None


def test_the_report_costs_the_same_queries_for_more_hand_overs(web, county, persona):
    client = web("dispatcher")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/linkage/").status_code == 200
        return len(captured)

    build_case("registered", channel=Channel.POLICE_110)
    few = queries()
    for _ in range(4):
        build_case("registered", channel=Channel.ONLINE_PETITION)
    assert queries() == few
