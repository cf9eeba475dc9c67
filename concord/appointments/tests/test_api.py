"""预约服务 over the API: free places, booking (masked phone), cancelling, and bad input
refused with a clear 4xx and nothing changed."""

import pytest

from concord.appointments.models import Appointment
from concord.cases.tests.factories import CAOE, build_case

from .conftest import local, slot_at


def body(slot, **extra) -> dict:
    return {"slot": slot.pk, "name": "张阿姨", "phone": "13857512345", "topic": "欠薪咨询", **extra}


def test_free_places_booking_and_cancelling(frozen, api, tomorrow, legal_aid, desks):
    full = slot_at(legal_aid, local(7, 10))
    slot_at(legal_aid, local(6, 9))  # begun this morning: not offered
    slot_at(desks["counselling"], local(7, 9))
    clerk = api("clerk")
    assert clerk.post("/appointments", body(full)).status_code == 201
    listed = clerk.get("/appointment-slots", {"desk": "legal-aid"}).json()
    assert [(s["id"], s["free"], s["booked"]) for s in listed] == [(tomorrow.pk, 2, 0)]
    everywhere = clerk.get("/appointment-slots").json()
    assert sorted(s["desk"] for s in everywhere) == ["counselling", "legal-aid"]

    case = build_case("in_progress")
    made = clerk.post("/appointments", body(tomorrow, case=case.pk))
    assert made.status_code == 201, made.json()
    out = made.json()
    assert out["phone"] == "138****2345" and out["case"] == case.pk and out["desk"] == "legal-aid"
    assert "13857512345" not in made.content.decode()
    assert clerk.get("/appointment-slots", {"desk": "legal-aid"}).json()[0]["free"] == 1

    cancelled = clerk.post(f"/appointments/{out['id']}/cancel", {"reason": "改期"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert clerk.get("/appointment-slots", {"desk": "legal-aid"}).json()[0]["free"] == 2
    again = clerk.post(f"/appointments/{out['id']}/cancel", {"reason": "改期"})
    assert again.status_code == 409


def test_a_full_slot_is_409(frozen, api, legal_aid):
    slot = slot_at(legal_aid, local(7, 14))
    assert api("clerk").post("/appointments", body(slot)).status_code == 201
    refused = api("dispatcher").post("/appointments", body(slot, phone="13957500001"))
    assert refused.status_code == 409 and "已约满" in refused.json()["detail"]
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"phone": "110"}, "phone"),
        ({"phone": "1" * 21}, "phone"),
        ({"name": ""}, "name"),
        ({"name": "名" * 101}, "name"),
        ({"topic": "事" * 201}, "topic"),
        ({"slot": 999999}, "slot"),
        ({"slot": "九点"}, "slot"),
        ({"name": "张\u0000"}, "name"),
    ],
)
def test_bad_bookings_are_422(frozen, api, tomorrow, extra, field):
    response = api("clerk").post("/appointments", {**body(tomorrow), **extra})
    assert response.status_code == 422 and field in response.json()["errors"]
    assert not Appointment.objects.exists()


def test_a_past_slot_is_422(frozen, api, legal_aid):
    begun = slot_at(legal_aid, local(5, 9))
    response = api("clerk").post("/appointments", body(begun))
    assert response.status_code == 422
    assert response.json()["errors"] == {"slot": "该时段已开始或已过去，不能预约"}


def test_malformed_json_is_refused(frozen, api, tomorrow):
    response = api("clerk").post("/appointments", raw=b'{"slot": ')
    assert response.status_code in (400, 422) and not Appointment.objects.exists()


def test_a_case_outside_the_scope_is_404(frozen, api, tomorrow, county):
    caoe_case = build_case("in_progress", town=CAOE, handler="caoe")
    response = api("baiguan").post("/appointments", body(tomorrow, case=caoe_case.pk))
    assert response.status_code == 404 and not Appointment.objects.exists()


def test_a_leader_cannot_book(frozen, api, tomorrow):
    assert api("leader").post("/appointments", body(tomorrow)).status_code == 403


def test_cancel_needs_a_reason_and_the_right_person(frozen, api, tomorrow):
    made = api("baiguan").post("/appointments", body(tomorrow)).json()
    empty = api("baiguan").post(f"/appointments/{made['id']}/cancel", {"reason": "  "})
    assert empty.status_code == 422 and "reason" in empty.json()["errors"]
    assert (
        api("caoe").post(f"/appointments/{made['id']}/cancel", {"reason": "x"}).status_code == 403
    )
    assert api("clerk").post("/appointments/999999/cancel", {"reason": "x"}).status_code == 404
    assert Appointment.objects.get().status == "booked"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"desk": "nope"}, "desk"),
        ({"from": "2026-02-30"}, "from"),
        ({"from": "2026-05-10", "to": "2026-05-01"}, "to"),
        ({"from": "2026-05-01", "to": "2026-08-01"}, "to"),
    ],
)
def test_bad_slot_queries_are_422(frozen, api, desks, params, field):
    response = api("clerk").get("/appointment-slots", params)
    assert response.status_code == 422 and field in response.json()["errors"]
