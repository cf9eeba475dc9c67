"""信访代办 over the API: assign, errands, finish, list (mine), and the 4xx answers."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from concord.agency.models import Agency, Errand
from concord.cases.tests.factories import CAOE, build_case

SH = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 12, 2, 10, 0, tzinfo=SH)
ERRAND = {"department": "上虞区人社局", "what": "递交工伤认定申请", "result": "已受理"}


def test_assign_log_list_and_finish(api, persona, petition):
    with time_machine.travel(T0, tick=False):
        created = api("clerk").post(
            f"/cases/{petition.pk}/agency", {"agent": persona("baiguan").pk, "note": "代办工伤"}
        )
        assert created.status_code == 201, created.json()
        agency = created.json()
        assert agency["agent_name"] == "刘芳" and agency["status"] == "active"
        assert agency["visits_count"] == 1 and agency["errands"] == []
        aid = agency["id"]
        logged = api("baiguan").post(f"/agencies/{aid}/errands", {**ERRAND, "next_step": "等通知"})
        assert logged.status_code == 201 and logged.json()["next_step"] == "等通知"
    with time_machine.travel(T0 + dt.timedelta(days=3), tick=False):
        mine = api("baiguan").get("/agencies", {"mine": 1}).json()
    assert [a["id"] for a in mine] == [aid]
    assert mine[0]["days_since_last"] == 3 and mine[0]["last_errand_at"]
    assert api("clerk").get("/agencies", {"mine": 1}).json() == []
    assert [a["id"] for a in api("clerk").get("/agencies").json()] == [aid]
    assert api("hrss").get("/agencies").json() == []
    finished = api("baiguan").post(f"/agencies/{aid}/finish", {"note": "认定书已送达"})
    assert finished.status_code == 200 and finished.json()["status"] == "finished"
    late = api("baiguan").post(f"/agencies/{aid}/errands", ERRAND)
    assert late.status_code == 409 and "已办结" in late.json()["detail"]
    assert Errand.objects.count() == 1


def test_a_second_agent_is_a_conflict_unless_reassigned(api, persona, petition):
    url = f"/cases/{petition.pk}/agency"
    api("clerk").post(url, {"agent": persona("baiguan").pk})
    again = api("clerk").post(url, {"agent": persona("dispatcher").pk})
    assert again.status_code == 409 and "如需更换请改派" in again.json()["detail"]
    moved = api("clerk").post(url, {"agent": persona("dispatcher").pk, "reassign": True})
    assert moved.status_code == 201
    assert list(Agency.objects.order_by("pk").values_list("status", flat=True)) == [
        "reassigned",
        "active",
    ]


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"agent": None}, 422, "agent"),
        ({"agent": "baiguan"}, 422, "agent"),
        ({}, 422, "agent"),
        ({"agent": 999999}, 422, "agent"),
        ({"agent": 1, "note": "要" * 2001}, 422, "note"),
    ],
)
def test_bad_assignments_are_422(api, petition, payload, status, field):
    response = api("clerk").post(f"/cases/{petition.pk}/agency", payload)
    assert response.status_code == status, response.json()
    assert field in response.json()["errors"]
    assert Agency.objects.count() == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({**ERRAND, "department": ""}, "department"),
        ({**ERRAND, "what": "材" * 2001}, "what"),
        ({**ERRAND, "at": "2099-01-01T09:00:00+08:00"}, "at"),
        ({**ERRAND, "at": "下午"}, "at"),
        ({"department": "人社局"}, "what"),
    ],
)
def test_bad_errands_are_422(api, persona, petition, payload, field):
    aid = api("clerk").post(f"/cases/{petition.pk}/agency", {"agent": persona("baiguan").pk})
    response = api("baiguan").post(f"/agencies/{aid.json()['id']}/errands", payload)
    assert response.status_code == 422 and field in response.json()["errors"]
    assert Errand.objects.count() == 0


def test_scope_and_roles(api, persona, petition):
    hrss = api("hrss").post(f"/cases/{petition.pk}/agency", {"agent": persona("baiguan").pk})
    assert hrss.status_code == 404  # 人社局 does not see the petition
    caoe_case = build_case("accepted", type="petition", town=CAOE)
    baiguan = api("baiguan").post(f"/cases/{caoe_case.pk}/agency", {"agent": persona("caoe").pk})
    assert baiguan.status_code == 404
    grid = api("grid").post(f"/cases/{petition.pk}/agency", {"agent": persona("baiguan").pk})
    assert grid.status_code in (403, 404)
    aid = api("clerk").post(f"/cases/{petition.pk}/agency", {"agent": persona("baiguan").pk})
    aid = aid.json()["id"]
    assert api("clerk").post(f"/agencies/{aid}/errands", ERRAND).status_code == 403
    assert api("caoe").post(f"/agencies/{aid}/errands", ERRAND).status_code == 404
    assert api("caoe").get(f"/agencies/{aid}").status_code == 404
    assert api("hrss").post(f"/agencies/{aid}/finish", {"note": "x"}).status_code == 404
    assert api("clerk").get(f"/agencies/{aid}").json()["agent"] == persona("baiguan").pk
    complaint = build_case("accepted", type="complaint")
    wrong = api("clerk").post(f"/cases/{complaint.pk}/agency", {"agent": persona("baiguan").pk})
    assert wrong.status_code == 409 and "信访件和矛盾纠纷" in wrong.json()["detail"]
