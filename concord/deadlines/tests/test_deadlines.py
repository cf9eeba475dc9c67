"""Deadlines follow the case through the API, on the frozen 2026 calendar."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from concord.cases.models import Case, CaseEvent
from concord.cases.tests.factories import BAIGUAN, first_village
from concord.deadlines.models import Deadline, Extension
from concord.deadlines.workdays import set_day

SH = ZoneInfo("Asia/Shanghai")
PETITION = {
    "type": "petition",
    "channel": "letter",
    "description": "反映小区旁工地夜间施工噪音扰民，要求依法处理。",
}


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


def when(iso: str) -> dt.datetime:
    return dt.datetime.fromisoformat(iso)


def deadlines_of(api, who: str, case_id: int) -> dict:
    return {d["node"]: d for d in api(who).get(f"/cases/{case_id}").json()["deadlines"]}


def act(api, who: str, case_id: int, action: str, **params):
    response = api(who).post(
        f"/cases/{case_id}/transitions", {"action": action, "comment": f"{action}说明", **params}
    )
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def petition(api):
    """A petition registered by letter on 2026-09-29 10:00 and accepted at once."""
    body = {**PETITION, "division": first_village(BAIGUAN).code}
    with time_machine.travel(at(2026, 9, 29, 10, 0), tick=False):
        case_id = api("clerk").post("/cases", body).json()["id"]
        registered = deadlines_of(api, "clerk", case_id)
        act(api, "clerk", case_id, "accept")
    return case_id, registered


def test_a_petition_gets_its_fifteen_and_sixty_day_dates(api, petition):
    case_id, registered = petition
    accept = registered["petition_accept"]
    assert when(accept["due_at"]) == at(2026, 10, 14, 23, 59, 59) and accept["state"] == "pending"
    now = deadlines_of(api, "clerk", case_id)
    assert now["petition_accept"]["state"] == "met"
    # 60 days from acceptance end on Saturday 28 November: the next working day.
    assert when(now["resolve"]["due_at"]) == at(2026, 11, 30, 23, 59, 59)
    assert now["resolve"]["label"] == "信访事项办结"
    assert now["hand_down"]["state"] == "pending"


def _in_progress(api, case_id: int, moment: dt.datetime) -> None:
    baiguan = Case.objects.get(pk=case_id).division.town_code
    from concord.orgs.models import Organisation

    center = Organisation.objects.get(kind="town_center", division_id=baiguan)
    with time_machine.travel(moment, tick=False):
        act(api, "dispatcher", case_id, "assign", lead_org=center.pk)
        act(api, "baiguan", case_id, "sign")


def test_a_five_day_pause_moves_the_deadline_five_days(api, petition):
    case_id, _ = petition
    _in_progress(api, case_id, at(2026, 9, 30, 9, 0))
    with time_machine.travel(at(2026, 10, 12, 9, 0), tick=False):
        act(api, "baiguan", case_id, "pause")
        assert deadlines_of(api, "baiguan", case_id)["resolve"]["state"] == "paused"
    with time_machine.travel(at(2026, 10, 17, 9, 0), tick=False):
        act(api, "baiguan", case_id, "resume")
    resolve = deadlines_of(api, "baiguan", case_id)["resolve"]
    assert when(resolve["due_at"]) == at(2026, 12, 3, 23, 59, 59) and resolve["state"] == "pending"


def test_the_sign_node_is_per_task_and_counts_the_make_up_saturday(api, petition):
    case_id, _ = petition
    _in_progress(api, case_id, at(2026, 10, 9, 15, 0))  # Friday; Saturday the 10th is 调休
    sign = Deadline.objects.get(case_id=case_id, code="sign")
    assert sign.task is not None and sign.met_at == at(2026, 10, 9, 15, 0)
    assert sign.due_at == at(2026, 10, 10, 17, 30)


def test_an_approved_extension_moves_the_deadline_and_is_capped(api, petition):
    case_id, _ = petition
    _in_progress(api, case_id, at(2026, 9, 30, 9, 0))
    resolve = Deadline.objects.get(case_id=case_id, code="resolve")
    path = f"/cases/{case_id}/deadlines/{resolve.pk}/extensions"
    untold = api("baiguan").post(path, {"amount": 10, "reason": "需现场勘验"})
    assert untold.status_code == 422 and "party_told" in untold.json()["errors"]
    too_long = api("baiguan").post(path, {"amount": 31, "reason": "需现场勘验", "party_told": True})
    assert too_long.status_code == 422 and "30" in too_long.json()["errors"]["amount"]
    asked = api("baiguan").post(path, {"amount": 20, "reason": "需现场勘验", "party_told": True})
    assert asked.status_code == 201, asked.content
    twice = api("baiguan").post(path, {"amount": 5, "reason": "再申请", "party_told": True})
    assert twice.status_code == 409 and "待审批" in twice.json()["detail"]
    assert (
        api("baiguan")
        .post(f"/extensions/{asked.json()['id']}/decision", {"approve": True})
        .status_code
        == 403
    )
    decided = api("dispatcher").post(
        f"/extensions/{asked.json()['id']}/decision", {"approve": True}
    )
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    # 28 November + 20 days.
    due = deadlines_of(api, "baiguan", case_id)["resolve"]["due_at"]
    assert when(due) == at(2026, 12, 18, 23, 59, 59)
    more = api("baiguan").post(path, {"amount": 11, "reason": "再延", "party_told": True})
    assert more.status_code == 422 and "10" in more.json()["errors"]["amount"]
    assert Extension.objects.count() == 1
    assert CaseEvent.objects.filter(case_id=case_id, action="extend").count() == 1


def test_a_calendar_edit_sets_open_deadlines_again(
    api, petition, django_capture_on_commit_callbacks
):
    case_id, _ = petition
    with django_capture_on_commit_callbacks(execute=True):
        set_day(dt.date(2026, 11, 30), is_workday=False, name="县级调休")
    # 30 November is a holiday now: the 60-day period runs to Tuesday 1 December.
    due = deadlines_of(api, "clerk", case_id)["resolve"]["due_at"]
    assert when(due) == at(2026, 12, 1, 23, 59, 59)


def test_extension_requests_reject_bad_input(api, petition):
    case_id, _ = petition
    resolve = Deadline.objects.get(case_id=case_id, code="resolve")
    path = f"/cases/{case_id}/deadlines/{resolve.pk}/extensions"
    assert api("clerk").post(path, {"amount": "many", "reason": "x"}).status_code == 422
    assert api("clerk").post(path, {"amount": -3, "reason": "x"}).status_code == 422
    assert api("clerk").post(path, raw=b"{not json").status_code == 400
    assert api("caoe").post(path, {"amount": 1, "reason": "x"}).status_code == 404
    assert api("clerk").post(f"/cases/{case_id}/deadlines/999999/extensions", {}).status_code in (
        404,
        422,
    )
    assert Extension.objects.count() == 0


def test_an_escalated_case_gives_the_new_lead_its_own_time_to_sign(county, persona):
    from concord.cases import lifecycle
    from concord.cases.tests.factories import build_case

    with time_machine.travel(at(2026, 11, 2, 9, 0), tick=False):
        case = build_case("in_progress")
    with time_machine.travel(at(2026, 11, 4, 10, 0), tick=False):
        lifecycle.transition(
            case, actor=persona("baiguan"), action="escalate", comment="需县级协调"
        )
        case = lifecycle.transition(
            case,
            actor=persona("dispatcher"),
            action="assign",
            lead_org=persona("hrss").organisation.pk,
        )
    signs = Deadline.objects.filter(case=case, code="sign").order_by("started_at")
    assert [(d.task.organisation.code, d.met_at is None) for d in signs] == [
        (persona("baiguan").organisation.code, False),
        ("hrss", True),
    ]
    assert signs[1].due_at == at(2026, 11, 5, 17, 30)
