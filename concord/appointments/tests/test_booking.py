"""Booking a place (staff now, the portal later), capacity held under a row lock, past slots
refused, cancelling and marking, the phone encrypted and shown masked."""

import pytest
from django.db import connection

from concord.appointments import services
from concord.appointments.models import Appointment
from concord.cases.tests.factories import build_case
from concord.core.errors import Conflict, Forbidden, InvalidInput
from concord.core.testing import run_at_once

from .conftest import local, slot_at

PHONE = "13857512345"


def book(slot, persona, who="clerk", phone=PHONE, **extra):
    params = {"name": "张阿姨", "phone": phone, "topic": "欠薪如何申请法律援助", **extra}
    return services.book(slot=slot, actor=persona(who) if who else None, **params)


def test_a_booking_takes_a_place_and_is_on_the_case(frozen, tomorrow, persona):
    case = build_case("in_progress")
    appointment = book(tomorrow, persona, case=case)
    assert appointment.status == "booked" and appointment.booked_by == persona("clerk")
    assert appointment.phone_masked == "138****2345"
    event = case.events.get(action="appointment")
    assert event.comment == "预约法律援助窗口 05-07 09:00–10:00：欠薪如何申请法律援助"
    assert event.data["appointment"] == appointment.pk
    [offered] = services.bookable()
    assert (offered.pk, offered.taken) == (tomorrow.pk, 1)


def test_the_phone_is_encrypted_at_rest(frozen, tomorrow, persona):
    appointment = book(tomorrow, persona)
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM appointments_appointment WHERE id = %s", [appointment.pk])
        stored = cursor.fetchone()[0]
    assert PHONE not in stored and Appointment.objects.get().phone == PHONE


def test_a_full_slot_is_refused(frozen, tomorrow, persona):
    book(tomorrow, persona)
    book(tomorrow, persona, phone="13957500001")
    with pytest.raises(Conflict, match="该时段已约满（共2个名额）"):
        book(tomorrow, persona, phone="13957500002")
    assert Appointment.objects.count() == 2 and services.bookable().count() == 0


def test_one_phone_holds_one_place_in_a_slot(frozen, tomorrow, persona):
    book(tomorrow, persona)
    with pytest.raises(Conflict, match="该电话号码已预约这个时段"):
        book(tomorrow, persona, phone="138 5751 2345")  # the same number, spaced
    assert Appointment.objects.count() == 1


def test_a_slot_that_has_begun_is_refused(frozen, legal_aid, persona):
    begun = slot_at(legal_aid, local(6, 9, 30))
    with pytest.raises(InvalidInput) as refused:
        book(begun, persona)
    assert refused.value.errors == {"slot": "该时段已开始或已过去，不能预约"}
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "张" * 101}, "name"),
        ({"name": "张\x00三"}, "name"),
        ({"phone": "12345"}, "phone"),
        ({"phone": "1385751234x"}, "phone"),
        ({"phone": ""}, "phone"),
        ({"topic": ""}, "topic"),
        ({"topic": "问" * 201}, "topic"),
        ({"slot": 999999}, "slot"),
        ({"slot": True}, "slot"),
    ],
)
def test_bad_input_changes_nothing(frozen, tomorrow, persona, extra, field):
    slot = extra.pop("slot", tomorrow)
    with pytest.raises(InvalidInput) as refused:
        book(slot, persona, **extra)
    assert field in refused.value.errors
    assert not Appointment.objects.exists()


def test_a_landline_is_a_phone_too(frozen, tomorrow, persona):
    assert book(tomorrow, persona, phone="0575-82123456").phone_masked == "057*****3456"


@pytest.mark.parametrize("who", ["leader", "mediator", "grid"])
def test_only_staff_who_serve_the_public_book(frozen, tomorrow, persona, who):
    with pytest.raises(Forbidden):
        book(tomorrow, persona, who=who)


def test_the_portal_books_without_a_staff_member_but_links_no_case(frozen, tomorrow, persona):
    appointment = book(tomorrow, persona, who=None)
    assert appointment.booked_by is None
    with pytest.raises(Forbidden):
        book(tomorrow, persona, who=None, phone="13957500009", case=build_case("registered"))


def test_cancelling_frees_the_place(frozen, legal_aid, persona):
    slot = slot_at(legal_aid, local(7, 14))
    first = book(slot, persona)
    with pytest.raises(Conflict):
        book(slot, persona, phone="13957500001")
    with pytest.raises(InvalidInput):
        services.cancel(first, actor=persona("clerk"), reason=" ")
    cancelled = services.cancel(first, actor=persona("clerk"), reason="本人改期")
    assert cancelled.status == "cancelled" and cancelled.cancel_reason == "本人改期"
    assert book(slot, persona, phone="13957500001").status == "booked"
    with pytest.raises(Conflict, match="已取消"):
        services.cancel(first, actor=persona("clerk"), reason="再取消")
    # The same person may book the slot again once their booking is cancelled.
    slot.capacity = 2
    slot.save()
    assert book(slot, persona).status == "booked"


def test_cancelling_a_case_booking_is_on_the_case(frozen, tomorrow, persona):
    case = build_case("in_progress")
    appointment = book(tomorrow, persona, case=case)
    services.cancel(appointment, actor=persona("dispatcher"), reason="已通过电话解答")
    assert case.events.filter(action="appointment").count() == 2
    assert "取消预约法律援助窗口" in case.events.filter(action="appointment").last().comment


def test_a_begun_slot_is_marked_not_cancelled(frozen, tomorrow, persona):
    appointment = book(tomorrow, persona)
    with pytest.raises(Conflict, match="预约日期未到"):
        services.mark(appointment, actor=persona("clerk"), attended=True)
    frozen.move_to(local(7, 9, 10))
    with pytest.raises(Conflict, match="时段已开始"):
        services.cancel(appointment, actor=persona("clerk"), reason="没来")
    marked = services.mark(appointment, actor=persona("clerk"), attended=False)
    assert marked.status == "no_show" and marked.marked_by == persona("clerk")
    with pytest.raises(Conflict):
        services.mark(appointment, actor=persona("clerk"), attended=True)


def test_who_may_cancel(frozen, tomorrow, persona, lawyer):
    by_town = book(tomorrow, persona, who="baiguan")
    with pytest.raises(Forbidden):
        services.cancel(by_town, actor=persona("caoe"), reason="x")  # another town's handler
    assert services.cancel(by_town, actor=lawyer, reason="律师出差").status == "cancelled"
    mine = book(tomorrow, persona, who="caoe", phone="13957500003")
    assert services.cancel(mine, actor=persona("caoe"), reason="改约").status == "cancelled"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_bookings_of_the_last_place_at_once_only_one_wins(county, persona):
    from concord.appointments.defaults import load_defaults
    from concord.appointments.models import Desk

    load_defaults()
    # Not frozen: the threads read the real clock; the slot is a week ahead of it.
    import datetime as dt

    from django.utils import timezone

    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=7)
    slot = slot_at(Desk.objects.get(code="legal-aid"), start, capacity=2)
    book(slot, persona, phone="13957500000")
    clerk, dispatcher = persona("clerk"), persona("dispatcher")

    def booking(actor, phone):
        def call():
            services.book(slot=slot, actor=actor, name="来访人", phone=phone, topic="咨询")
            return "ok"

        return call

    results = run_at_once(booking(clerk, "13957500001"), booking(dispatcher, "13957500002"))
    assert results.count("ok") == 1
    assert [type(r) for r in results if r != "ok"] == [Conflict]
    assert Appointment.objects.filter(slot=slot).count() == 2
