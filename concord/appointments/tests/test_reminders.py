"""The day-before reminder: the desk's staff and the booker are told in the app, the person by
SMS, each booking once however often the sweep runs, in the daytime only."""

import datetime as dt

import time_machine

from concord.appointments import services
from concord.appointments.models import Appointment
from concord.core.jobs import PERIODIC
from concord.notifications.models import Notification, OutboxMessage

from .conftest import NOW, local, slot_at


def book(slot, persona, phone, who="clerk"):
    return services.book(
        slot=slot, actor=persona(who), name="王大伯", phone=phone, topic="赡养纠纷咨询"
    )


def test_tomorrows_bookings_are_reminded_once(frozen, legal_aid, persona, lawyer):
    thursday = book(slot_at(legal_aid, local(7, 9)), persona, "13857512345")
    book(slot_at(legal_aid, local(8, 9)), persona, "13857500002")  # Friday: not yet
    landline = book(slot_at(legal_aid, local(7, 15)), persona, "0575-82123456", who="baiguan")
    sms_before = OutboxMessage.objects.filter(notification=None).count()

    assert services.sweep_reminders() == 2
    assert services.sweep_reminders() == 0  # run twice: nobody is reminded twice

    thursday.refresh_from_db()
    assert thursday.reminded_at == NOW
    notes = Notification.objects.filter(title__startswith="预约提醒")
    assert sorted(n.user.username for n in notes) == ["baiguan", "clerk", "lvshi", "lvshi"]
    clerk_note = notes.get(user=persona("clerk"))
    assert clerk_note.title == "预约提醒：明天 法律援助窗口 05-07 09:00–10:00，王大伯"
    assert "138****2345" in clerk_note.body and "13857512345" not in clerk_note.body
    texts = OutboxMessage.objects.filter(notification=None)
    assert texts.count() - sms_before == 1  # a landline gets no text
    text = texts.get(recipient="13857512345")
    assert (
        text.channel == "sms" and "王大伯您好，您已预约法律援助窗口 05-07 09:00–10:00" in text.body
    )
    assert landline.pk in Appointment.objects.exclude(reminded_at=None).values_list("pk", flat=True)

    frozen.move_to(local(7, 10))  # Thursday: Friday's booking is now due
    assert services.sweep_reminders() == 1


def test_no_reminders_at_night(legal_aid, persona, county):
    with time_machine.travel(NOW, tick=False):
        book(slot_at(legal_aid, local(7, 9)), persona, "13857512345")
    with time_machine.travel(local(6, 21, 30), tick=False):
        assert services.sweep_reminders() == 0
    with time_machine.travel(local(6, 7, 59), tick=False):
        assert services.sweep_reminders() == 0
    with time_machine.travel(local(6, 8, 0), tick=False):
        assert services.sweep_reminders() == 1


def test_cancelled_bookings_are_not_reminded(frozen, legal_aid, persona):
    appointment = book(slot_at(legal_aid, local(7, 9)), persona, "13857512345")
    services.cancel(appointment, actor=persona("clerk"), reason="不来了")
    assert services.sweep_reminders() == 0


def test_the_sweep_is_a_periodic_job():
    assert ("concord.appointments.services.sweep_reminders", 300) in PERIODIC


def test_the_window_of_tomorrow_is_local_midnight_to_midnight(frozen, legal_aid, persona):
    book(slot_at(legal_aid, local(8, 0, 0) - dt.timedelta(minutes=30)), persona, "13857500001")
    book(slot_at(legal_aid, local(8, 0, 0)), persona, "13857500002")
    assert services.sweep_reminders() == 1  # 23:30 on Thursday is tomorrow; Friday 00:00 is not
