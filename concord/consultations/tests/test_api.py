"""联合会商 over the API: schedule, read, minutes, done, joint reception, and the 4xx answers."""

import datetime as dt

import pytest
from django.utils import timezone

from concord.cases.tests.factories import CAOE, build_case, organisation
from concord.consultations.models import Consultation, Decision, JointReception


def body(seats, **overrides) -> dict:
    params = seats(**overrides)
    params["scheduled_at"] = params["scheduled_at"].isoformat()
    return params


def minutes_body(consultation_json, **overrides) -> dict:
    today = timezone.localdate()
    return {
        "held_at": timezone.now().isoformat(),
        "minutes": "同意由人社局督促企业支付。",
        "attended": [p["id"] for p in consultation_json["participants"]],
        "decisions": [
            {
                "text": "督促企业支付工资",
                "organisation": organisation("hrss").pk,
                "due_date": (today + dt.timedelta(days=7)).isoformat(),
            },
            {
                "text": "组织工人代表座谈",
                "organisation": organisation("union").pk,
                "due_date": (today + dt.timedelta(days=2)).isoformat(),
            },
        ],
        **overrides,
    }


def test_schedule_read_minutes_and_done(api, group_case, seats):
    created = api("dispatcher").post(f"/cases/{group_case.pk}/consultations", body(seats))
    assert created.status_code == 201, created.json()
    consultation = created.json()
    assert consultation["tracking_code"] == group_case.tracking_code
    roles = [p["role"] for p in consultation["participants"]]
    assert roles == ["judge", "chief_mediator", "lawyer", "department", "department"]
    cid = consultation["id"]
    # 人社局 is seated: it reads the consultation and sees the case.
    assert api("hrss").get(f"/consultations/{cid}").json()["agenda"] == "研究欠薪群体事项的化解方案"
    assert api("hrss").get(f"/cases/{group_case.pk}").status_code == 200
    recorded = api("dispatcher").post(f"/consultations/{cid}/minutes", minutes_body(consultation))
    assert recorded.status_code == 200, recorded.json()
    result = recorded.json()
    assert result["held_at"] and all(p["attended"] for p in result["participants"])
    hrss_decision = next(d for d in result["decisions"] if "人力资源" in d["organisation_name"])
    assert hrss_decision["state"] == "open" and hrss_decision["number"] == 1
    did = hrss_decision["id"]
    too_long = api("hrss").post(f"/consultation-decisions/{did}/done", {"note": "办" * 2001})
    assert too_long.status_code == 422 and "不能超过2000字" in too_long.json()["errors"]["note"]
    assert Decision.objects.get(pk=did).done_at is None
    done = api("hrss").post(f"/consultation-decisions/{did}/done", {"note": "已督促支付"})
    assert done.status_code == 200 and done.json()["state"] == "done"
    again = api("hrss").post(f"/consultation-decisions/{did}/done", {"note": "再次"})
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    twice = api("dispatcher").post(f"/consultations/{cid}/minutes", minutes_body(consultation))
    assert twice.status_code == 409 and "已录入" in twice.json()["detail"]
    listed = api("dispatcher").get(f"/cases/{group_case.pk}/consultations").json()
    assert [c["id"] for c in listed] == [cid]


def test_a_3_plus_x_without_its_three_is_422(api, group_case, seats):
    response = api("dispatcher").post(
        f"/cases/{group_case.pk}/consultations",
        body(seats, judge_user=None, chief_mediator=None, lawyer=None),
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert {"judge_user", "chief_mediator", "lawyer"} <= set(errors)
    assert "须有法官参加" in errors["judge_user"]
    assert Consultation.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"scheduled_at": "2020-01-01T09:00:00+08:00"}, "scheduled_at"),
        ({"scheduled_at": "2020-01-01T09:00:00"}, "scheduled_at"),  # naive: local time
        ({"scheduled_at": "明天上午"}, "scheduled_at"),
        ({"agenda": ""}, "agenda"),
        ({"agenda": "议" * 2001}, "agenda"),
        ({"departments": [999999, 888888]}, "departments"),
        ({"departments": "hrss"}, "departments"),
        ({"chief_mediator": "张三"}, "chief_mediator"),
        ({"place": "", "online_link": ""}, "place"),
    ],
)
def test_bad_schedules_are_422_and_change_nothing(api, group_case, seats, overrides, field):
    payload = {**body(seats), **overrides}
    response = api("dispatcher").post(f"/cases/{group_case.pk}/consultations", payload)
    assert response.status_code == 422, response.json()
    assert field in response.json()["errors"]
    assert Consultation.objects.count() == 0


def test_malformed_json_is_a_4xx(api, group_case):
    response = api("dispatcher").post(f"/cases/{group_case.pk}/consultations", raw=b"{not json")
    assert 400 <= response.status_code < 500


def test_who_may_do_what(api, group_case, seats, pool):
    url = f"/cases/{group_case.pk}/consultations"
    assert api("hrss").post(url, body(seats)).status_code == 404
    assert api("clerk").post(url, body(seats)).status_code == 403
    cid = api("dispatcher").post(url, body(seats)).json()["id"]
    consultation = api("dispatcher").get(f"/consultations/{cid}").json()
    assert api("caoe").get(f"/consultations/{cid}").status_code == 404
    minutes = minutes_body(consultation)
    assert api("hrss").post(f"/consultations/{cid}/minutes", minutes).status_code == 403
    assert api("caoe").post(f"/consultations/{cid}/minutes", minutes).status_code == 404
    api("dispatcher").post(f"/consultations/{cid}/minutes", minutes)
    did = Decision.objects.get(organisation__code="hrss").pk
    done = f"/consultation-decisions/{did}/done"
    assert api("court").post(done, {"note": "x"}).status_code == 403
    assert api("caoe").post(done, {"note": "x"}).status_code == 404
    assert api("hrss").post("/consultation-decisions/999999/done", {"note": "x"}).status_code == 404
    caoe_case = build_case("in_progress", town=CAOE, handler="caoe", people_count=10)
    assert api("baiguan").get(f"/cases/{caoe_case.pk}/consultations").status_code == 404


def test_bad_minutes_are_422_and_change_nothing(api, group_case, seats):
    consultation = (
        api("dispatcher").post(f"/cases/{group_case.pk}/consultations", body(seats)).json()
    )
    cid = consultation["id"]
    bad = [
        {"decisions": [{"text": "督促支付", "organisation": None, "due_date": None}]},
        {"decisions": [{"text": "督促支付", "organisation": 999999, "due_date": "2099-01-01"}]},
        {"decisions": [{"text": "督促支付", "organisation": 1, "due_date": "下周"}]},
        {"minutes": "纪" * 5001},
        {"held_at": (timezone.now() + dt.timedelta(days=1)).isoformat()},
        {"attended": []},
    ]
    for overrides in bad:
        answer = api("dispatcher").post(
            f"/consultations/{cid}/minutes", minutes_body(consultation, **overrides)
        )
        assert answer.status_code == 422, (overrides, answer.json())
    errors = (
        api("dispatcher")
        .post(f"/consultations/{cid}/minutes", minutes_body(consultation, **bad[0]))
        .json()["errors"]
    )
    assert set(errors) == {"decisions[0].organisation", "decisions[0].due_date"}
    assert Consultation.objects.get().held_at is None and Decision.objects.count() == 0


def test_joint_reception_over_the_api(api, group_case, pool):
    payload = {
        "received_at": timezone.now().isoformat(),
        "place": "接访大厅",
        "departments": [organisation("hrss").pk],
        "record": "工人代表反映欠薪",
        "outcome": "企业承诺支付",
    }
    created = api("dispatcher").post(f"/cases/{group_case.pk}/joint-receptions", payload)
    assert created.status_code == 201 and created.json()["departments"] == [organisation("hrss").pk]
    four = build_case("in_progress", people_count=4)
    refused = api("dispatcher").post(f"/cases/{four.pk}/joint-receptions", payload)
    assert refused.status_code == 409 and "本事项涉及4人" in refused.json()["detail"]
    empty = api("dispatcher").post(
        f"/cases/{group_case.pk}/joint-receptions", {**payload, "departments": []}
    )
    assert empty.status_code == 422 and "departments" in empty.json()["errors"]
    assert JointReception.objects.count() == 1
