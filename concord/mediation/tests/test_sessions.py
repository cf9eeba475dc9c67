"""A case's mediation through the case page: start, book rooms without double booking,
refuse bad input with nothing saved, finish; and who may do it."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from concord.cases.tests.factories import CAOE, build_case
from concord.core.errors import Conflict, Forbidden, InvalidInput
from concord.core.testing import run_at_once
from concord.mediation.models import Mediation, Session
from concord.mediation.services import (
    finish_mediation,
    record_session,
    schedule_session,
    start_mediation,
)

from .conftest import at


@pytest.fixture
def mediation(medical_case, persona, medics):
    return start_mediation(medical_case, actor=persona("dispatcher"), mediators=medics[:2])


def book(mediation, actor, **fields):
    params = {"starts_at": at(hour=9), "ends_at": at(hour=11), "room": None, **fields}
    return schedule_session(mediation, actor=actor, **params)


def form(prefix_id: int, **fields) -> dict:
    return {f"session-{prefix_id}-{k}": v for k, v in fields.items()}


def local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_the_dispatcher_starts_a_mediation_from_the_case_page(medical_case, web, medics):
    client = web("dispatcher")
    page = client.get(f"/cases/{medical_case.pk}/").content.decode()
    assert "推荐调解员" in page and medics[0].name in page
    response = client.post(
        f"/mediation/cases/{medical_case.pk}/start", {"mediators": [medics[0].pk]}, follow=True
    )
    assert f"已发起调解，调解员：{medics[0].name}" in response.content.decode()
    mediation = Mediation.objects.get(case=medical_case)
    assert mediation.status == "open" and list(mediation.mediators.all()) == [medics[0]]
    assert "安排调解" in response.content.decode()


def test_the_lead_town_center_may_start_and_a_clerk_may_not(medical_case, persona, medics):
    with pytest.raises(Forbidden):
        start_mediation(medical_case, actor=persona("clerk"), mediators=[medics[0]])
    mediation = start_mediation(medical_case, actor=persona("baiguan"), mediators=[medics[0]])
    assert mediation.started_by == persona("baiguan")


def test_starting_needs_a_mediator_and_only_one_open_mediation(medical_case, web, persona, medics):
    client = web("dispatcher")
    url = f"/mediation/cases/{medical_case.pk}/start"
    response = client.post(url, {}, headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "请至少选择一名调解员" in response.content.decode()
    start_mediation(medical_case, actor=persona("dispatcher"), mediators=[medics[0]])
    with pytest.raises(Conflict, match="已有进行中的调解"):
        start_mediation(medical_case, actor=persona("dispatcher"), mediators=[medics[1]])
    assert Mediation.objects.filter(case=medical_case).count() == 1


def test_a_registered_case_cannot_be_mediated_yet(pool, persona, medics):
    case = build_case("registered")
    with pytest.raises(Conflict, match="不能发起调解"):
        start_mediation(case, actor=persona("dispatcher"), mediators=[medics[0]])


def test_a_room_is_never_double_booked(mediation, persona, room):
    dispatcher = persona("dispatcher")
    first = book(mediation, dispatcher, room=room)
    with pytest.raises(Conflict) as refused:
        book(mediation, dispatcher, room=room, starts_at=at(hour=10), ends_at=at(hour=12))
    assert refused.value.field == "room"
    assert "第一调解室" in refused.value.message and "已被预约" in refused.value.message
    # Back to back is fine, and so is another room at the same time.
    book(mediation, dispatcher, room=room, starts_at=at(hour=11), ends_at=at(hour=12))
    other = room.organisation.rooms.exclude(pk=room.pk).first()
    book(mediation, dispatcher, room=other)
    assert Session.objects.filter(room=room).count() == 2
    assert first.pk


def test_another_mediation_cannot_take_a_booked_room(mediation, persona, room, medics):
    other = start_mediation(
        build_case("in_progress"), actor=persona("dispatcher"), mediators=[medics[2]]
    )
    book(mediation, persona("dispatcher"), room=room)
    with pytest.raises(Conflict):
        book(other, persona("dispatcher"), room=room, starts_at=at(hour=8), ends_at=at(hour=16))
    # Once the first mediation is over, its future sessions no longer hold the room.
    finish_mediation(mediation, actor=persona("dispatcher"), outcome="withdrawn", note="撤回")
    book(other, persona("dispatcher"), room=room)


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"starts_at": at(hour=11), "ends_at": at(hour=10)}, "ends_at", "结束时间应晚于开始时间"),
        ({"starts_at": at(days=-1), "ends_at": at(days=-1, hour=10)}, "starts_at", "开始时间已过"),
        ({"starts_at": at(hour=8), "ends_at": at(hour=16, minute=1)}, "ends_at", "最长8小时"),
        ({"room": None, "online_link": ""}, "room", "请选择调解室或填写线上会议链接"),
        ({"room": None, "online_link": "javascript:alert(1)"}, "online_link", "http(s)"),
    ],
    ids=["ends-before-start", "in-the-past", "over-8-hours", "no-place", "bad-link"],
)
def test_bad_bookings_are_refused_and_nothing_is_saved(mediation, persona, fields, field, message):
    with pytest.raises(InvalidInput) as refused:
        book(mediation, persona("dispatcher"), **fields)
    assert message in refused.value.errors[field]
    assert not Session.objects.exists()


def test_an_online_session_needs_no_room(mediation, persona):
    session = book(mediation, persona("dispatcher"), online_link="https://meeting.example/abc")
    assert session.room is None


def test_the_case_page_shows_a_refused_booking_next_to_the_form(mediation, web, room):
    client = web("dispatcher")
    url = f"/mediation/{mediation.pk}/sessions"
    fields = {"starts_at": local(at(hour=9)), "ends_at": local(at(hour=11)), "room": room.pk}
    assert client.post(url, form(mediation.pk, **fields)).status_code == 302
    fields["starts_at"] = local(at(hour=10))
    response = client.post(url, form(mediation.pk, **fields), headers={"HX-Request": "true"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "已被预约" in html and 'class="errorlist"' in html
    assert Session.objects.count() == 1
    page = client.get(f"/cases/{mediation.case_id}/").content.decode()
    assert "第一调解室" in page


def test_the_page_form_reports_an_end_before_the_start(mediation, web, room):
    fields = {"starts_at": local(at(hour=11)), "ends_at": local(at(hour=9)), "room": room.pk}
    response = web("dispatcher").post(
        f"/mediation/{mediation.pk}/sessions",
        form(mediation.pk, **fields),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "结束时间应晚于开始时间" in response.content.decode()


def test_finishing_records_outcome_and_rating_once(mediation, web, persona):
    client = web("dispatcher")
    url = f"/mediation/{mediation.pk}/finish"
    prefix = f"finish-{mediation.pk}"
    response = client.post(url, {f"{prefix}-outcome": "succeeded"}, headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "请填写调解结果说明" in response.content.decode()
    fields = {f"{prefix}-outcome": "succeeded", f"{prefix}-note": "双方达成赔偿协议。"}
    response = client.post(url, {**fields, f"{prefix}-rating": "5"}, follow=True)
    assert "调解已结束：调解成功" in response.content.decode()
    mediation.refresh_from_db()
    assert (mediation.status, mediation.rating, mediation.ended_by) == (
        "succeeded",
        5,
        persona("dispatcher"),
    )
    with pytest.raises(Conflict):
        finish_mediation(mediation, actor=persona("dispatcher"), outcome="failed", note="x")
    with pytest.raises(Conflict, match="调解已结束"):
        book(mediation, persona("dispatcher"), online_link="https://meeting.example/x")


def test_a_rating_is_one_to_five(mediation, persona):
    with pytest.raises(InvalidInput) as refused:
        finish_mediation(
            mediation, actor=persona("dispatcher"), outcome="succeeded", note="好", rating=6
        )
    assert "rating" in refused.value.errors


def test_a_mediator_on_the_mediation_may_schedule(mediation, persona, medics, room):
    demo = persona("mediator")
    with pytest.raises(Forbidden):
        book(mediation, demo, room=room)
    mediation.mediators.add(demo.mediator_profile)
    assert book(mediation, demo, room=room).created_by == demo


def test_caoe_cannot_see_a_baiguan_mediation(mediation, web):
    client = web("caoe")
    assert client.get(f"/cases/{mediation.case_id}/").status_code == 404
    url = f"/mediation/{mediation.pk}/sessions"
    assert client.post(url, {}).status_code == 404
    assert client.post(f"/mediation/cases/{mediation.case_id}/start", {}).status_code == 404


def test_a_caoe_case_is_mediated_by_caoe(pool, persona, medics):
    case = build_case("in_progress", town=CAOE, handler="caoe")
    with pytest.raises(Forbidden):
        start_mediation(case, actor=persona("baiguan"), mediators=[medics[0]])
    assert start_mediation(case, actor=persona("caoe"), mediators=[medics[0]]).is_open


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_bookings_of_one_room_at_once_only_one_wins(county, persona, medics, room):
    dispatcher = persona("dispatcher")
    mediations = [
        start_mediation(build_case("in_progress"), actor=dispatcher, mediators=[m])
        for m in medics[:2]
    ]

    def booking(mediation, hour):
        def call():
            book(mediation, dispatcher, room=room, starts_at=at(hour=hour), ends_at=at(hour=12))
            return "ok"

        return call

    results = run_at_once(booking(mediations[0], 9), booking(mediations[1], 10))
    assert results.count("ok") == 1
    assert [type(r) for r in results if r != "ok"] == [Conflict]
    assert Session.objects.filter(room=room).count() == 1


def test_a_session_gets_its_record_once_it_has_begun(mediation, persona, web, api):
    import time_machine

    session = book(
        mediation, persona("dispatcher"), room=None, online_link="https://meet.example/1"
    )
    with pytest.raises(Conflict, match="尚未开始"):
        record_session(session, actor=persona("dispatcher"), attendees="", record="双方到场")
    with time_machine.travel(at(hour=10), tick=False):
        client = web("dispatcher")
        page = client.get(f"/cases/{mediation.case_id}/").content.decode()
        assert f"record-form-{session.pk}" in page
        url = f"/mediation/sessions/{session.pk}/record"
        version = {f"record-{session.pk}-version": str(session.version)}
        empty = {**version, f"record-{session.pk}-record": "  "}
        refused = client.post(url, empty, headers={"HX-Request": "true"})
        assert "请填写调解记录" in refused.content.decode()
        fields = {
            **version,
            f"record-{session.pk}-attendees": "申请人张某，医院代表李某",
            f"record-{session.pk}-record": "医院同意赔偿3万元，患者家属要求5万元，未达成一致。",
        }
        client.post(url, fields)
        session.refresh_from_db()
        assert session.record.startswith("医院同意赔偿3万元") and "李某" in session.attendees
        too_long = api("dispatcher").post(f"/sessions/{session.pk}/record", {"record": "记" * 5001})
        assert too_long.status_code == 422 and "5000" in too_long.json()["detail"]
        assert (
            api("caoe").post(f"/sessions/{session.pk}/record", {"record": "x"}).status_code == 404
        )
    finish_mediation(mediation, actor=persona("dispatcher"), outcome="failed", note="分歧过大")
    with pytest.raises(Conflict, match="调解已结束"):
        record_session(session, actor=persona("dispatcher"), attendees="", record="补记")
    session.refresh_from_db()
    assert session.record.startswith("医院同意赔偿3万元")
