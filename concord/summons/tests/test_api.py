"""吹哨报到 over the API: summon, list, read, 签到 and 到场 for the caller's organisation."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from concord.cases.tests.factories import CAOE, build_case
from concord.summons.models import SummonsTarget

SH = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=SH)


@pytest.fixture
def case(county):
    with time_machine.travel(T0 - dt.timedelta(hours=1), tick=False):
        return build_case("in_progress")


def org(persona, who: str) -> int:
    return persona(who).organisation.pk


def post_summons(api, persona, case, *who, **extra):
    body = {"case": case.pk, "organisations": [org(persona, w) for w in who], "reason": "现场协调"}
    with time_machine.travel(T0, tick=False):
        return api("dispatcher").post("/summons", {**body, **extra})


def test_summon_list_acknowledge_and_arrive(api, persona, case):
    created = post_summons(api, persona, case, "hrss", "court", place="三楼")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["case"] == case.pk and body["ack_minutes"] == 20 and body["place"] == "三楼"
    assert [t["state"] for t in body["targets"]] == ["waiting", "waiting"]
    sid = body["id"]
    hrss = api("hrss")
    listed = hrss.get("/summons").json()
    assert [s["id"] for s in listed] == [sid]
    assert hrss.get(f"/summons/{sid}").status_code == 200
    with time_machine.travel(T0 + dt.timedelta(minutes=25), tick=False):
        ack = hrss.post(f"/summons/{sid}/acknowledge")
        assert ack.status_code == 200 and ack.json()["ack_late"] is True
        assert hrss.post(f"/summons/{sid}/acknowledge").status_code == 409
        arrived = hrss.post(f"/summons/{sid}/arrive").json()
    assert arrived["state"] == "arrived" and arrived["arrive_late"] is False
    assert hrss.get("/summons").json() == []  # nothing open for hrss any more
    assert [s["id"] for s in api("dispatcher").get("/summons").json()] == [sid]  # court is not


def test_summoning_a_department_twice_is_a_conflict(api, persona, case):
    assert post_summons(api, persona, case, "hrss").status_code == 201
    again = post_summons(api, persona, case, "court", "hrss")
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    assert "已召集上虞区人力资源和社会保障局" in again.json()["detail"]
    assert SummonsTarget.objects.count() == 1


def test_bad_input_is_422_with_the_field(api, persona, case):
    response = post_summons(api, persona, case, "hrss", ack_minutes=0)
    assert response.status_code == 422 and "ack_minutes" in response.json()["errors"]
    twice = post_summons(api, persona, case, "hrss", "hrss")
    assert twice.status_code == 422 and twice.json()["field"] == "organisations"


def test_a_handler_cannot_summon(api, persona, case):
    body = {"case": case.pk, "organisations": [org(persona, "hrss")], "reason": "x"}
    assert api("baiguan").post("/summons", body).status_code == 403


def test_a_case_outside_the_callers_scope_is_404(api, persona, county):
    with time_machine.travel(T0 - dt.timedelta(hours=1), tick=False):
        caoe_case = build_case("in_progress", town=CAOE, handler="caoe")
    body = {"case": caoe_case.pk, "organisations": [org(persona, "hrss")], "reason": "x"}
    assert api("baiguan").post("/summons", body).status_code == 404
    sid = post_summons(api, persona, caoe_case, "hrss").json()["id"]
    assert api("baiguan").get(f"/summons/{sid}").status_code == 404
    assert api("baiguan").post(f"/summons/{sid}/acknowledge").status_code == 404


def test_wrong_organisation_acknowledging_is_forbidden(api, persona, case):
    sid = post_summons(api, persona, case, "hrss").json()["id"]
    # 百官街道 leads the case and sees it, but was not summoned.
    response = api("baiguan").post(f"/summons/{sid}/acknowledge")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert api("dispatcher").post(f"/summons/{sid}/arrive").status_code == 403
    assert SummonsTarget.objects.get().acknowledged_at is None
