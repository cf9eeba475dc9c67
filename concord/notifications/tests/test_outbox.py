"""deliver_outbox(): each message leaves once, failures are retried with backoff, then given up;
two deliveries at once never send the same message twice."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from concord.core.testing import run_at_once
from concord.notifications.choices import Kind, OutboxChannel, OutboxStatus
from concord.notifications.models import OutboxMessage
from concord.notifications.services import deliver_outbox, notify, requeue

from .conftest import FAIL, HERE, RECORD, RecordingSender

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def queued(persona):
    """One SMS to baiguan, queued now."""
    notify([persona("baiguan")], kind=Kind.DEADLINE_BREACHED, title="签收已超期")
    return OutboxMessage.objects.get()


@override_settings(CONCORD_SENDERS=RECORD)
def test_a_due_message_is_sent_once(queued, sent):
    assert deliver_outbox() == {"sent": 1, "retrying": 0, "failed": 0}
    assert sent == [(queued.pk, OutboxChannel.SMS, queued.recipient)]
    queued.refresh_from_db()
    assert queued.status == OutboxStatus.SENT and queued.sent_at and queued.attempts == 1
    assert deliver_outbox() == {"sent": 0, "retrying": 0, "failed": 0}
    assert len(sent) == 1


@override_settings(CONCORD_SENDERS=RECORD)
def test_a_message_waits_until_it_is_due(queued, sent):
    with time_machine.travel(MONDAY_9, tick=False):
        OutboxMessage.objects.update(next_attempt_at=MONDAY_9 + timedelta(minutes=5))
        assert deliver_outbox()["sent"] == 0
    with time_machine.travel(MONDAY_9 + timedelta(minutes=5), tick=False):
        assert deliver_outbox()["sent"] == 1
    assert len(sent) == 1


@override_settings(CONCORD_SENDERS=FAIL)
def test_a_failing_message_is_retried_after_1_2_4_8_minutes_then_given_up(queued):
    with time_machine.travel(MONDAY_9, tick=False) as clock:
        OutboxMessage.objects.update(next_attempt_at=MONDAY_9)
        for attempt, wait in enumerate([1, 2, 4, 8], start=1):
            assert deliver_outbox() == {"sent": 0, "retrying": 1, "failed": 0}
            queued.refresh_from_db()
            assert queued.attempts == attempt and queued.status == OutboxStatus.PENDING
            assert queued.next_attempt_at == timezone.now() + timedelta(minutes=wait)
            assert queued.last_error == "RuntimeError: 短信网关无响应"
            clock.shift(timedelta(minutes=wait) - timedelta(seconds=1))
            assert deliver_outbox() == {"sent": 0, "retrying": 0, "failed": 0}  # not yet
            clock.shift(timedelta(seconds=1))
        assert deliver_outbox() == {"sent": 0, "retrying": 0, "failed": 1}
        queued.refresh_from_db()
        assert queued.status == OutboxStatus.FAILED and queued.attempts == 5
        assert queued.sent_at is None
        clock.shift(timedelta(days=1))
        assert deliver_outbox() == {"sent": 0, "retrying": 0, "failed": 0}


def test_a_failing_channel_does_not_hold_back_the_other(persona, sent, settings):
    settings.CONCORD_SENDERS = {"sms": f"{HERE}.RecordingSender", "email": f"{HERE}.FailingSender"}
    hrss = persona("hrss")
    hrss.email = "sunlj@example.gov.cn"
    notify([hrss], kind=Kind.SUPERVISION, title="区矛调中心督办")
    assert deliver_outbox() == {"sent": 1, "retrying": 1, "failed": 0}
    assert [channel for _, channel, _ in sent] == [OutboxChannel.SMS]
    email = OutboxMessage.objects.get(channel=OutboxChannel.EMAIL)
    assert email.status == OutboxStatus.PENDING and email.attempts == 1


@override_settings(CONCORD_SENDERS={"sms": "concord.notifications.senders.NoSuchSender"})
def test_a_misconfigured_sender_fails_loudly_and_sends_nothing(queued):
    with pytest.raises(ImproperlyConfigured):
        deliver_outbox()
    queued.refresh_from_db()
    assert queued.status == OutboxStatus.PENDING and queued.attempts == 0


@override_settings(CONCORD_SENDERS=RECORD)
def test_a_batch_takes_the_longest_waiting_first(persona, sent):
    for n in range(5):
        notify([persona("baiguan")], kind=Kind.OTHER, title=f"第{n}条")
    oldest = list(OutboxMessage.objects.order_by("id").values_list("id", flat=True))
    assert deliver_outbox(batch=3)["sent"] == 3
    assert deliver_outbox(batch=3)["sent"] == 2
    assert [pk for pk, _, _ in sent] == oldest


def test_the_console_sender_logs_the_message_with_the_phone_masked(queued, caplog):
    caplog.set_level("INFO", logger="concord.notifications")
    assert deliver_outbox()["sent"] == 1
    (record,) = [r for r in caplog.records if r.name == "concord.notifications"]
    assert "签收已超期" in record.getMessage()
    assert queued.recipient not in record.getMessage()
    assert queued.recipient[-4:] in record.getMessage()


def test_the_email_sender_uses_django_mail(persona, mailoutbox, settings):
    settings.CONCORD_SENDERS = {"email": "concord.notifications.senders.EmailSender"}
    hrss = persona("hrss")
    hrss.email, hrss.phone = "sunlj@example.gov.cn", ""
    notify([hrss], kind=Kind.EXTENSION, title="延期申请已批准", body="办理时限延长5个工作日")
    assert deliver_outbox()["sent"] == 1
    (mail,) = mailoutbox
    assert mail.to == ["sunlj@example.gov.cn"] and mail.subject == "延期申请已批准"
    assert "办理时限延长5个工作日" in mail.body


@override_settings(CONCORD_SENDERS=FAIL)
def test_a_failed_message_can_be_given_another_round(queued):
    OutboxMessage.objects.update(status=OutboxStatus.FAILED, attempts=5)
    assert requeue(OutboxMessage.objects.all()) == 1
    queued.refresh_from_db()
    assert queued.status == OutboxStatus.PENDING and queued.attempts == 0
    assert deliver_outbox()["retrying"] == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@override_settings(CONCORD_SENDERS=RECORD)
def test_two_deliveries_at_once_send_each_message_once(transactional_db, persona, sent):
    users = [persona(name) for name in ("baiguan", "caoe", "hrss", "court", "mediator")]
    for n in range(6):
        notify(users, kind=Kind.OTHER, title=f"第{n}批")
    everything = set(OutboxMessage.objects.values_list("id", flat=True))
    assert len(everything) == 30
    RecordingSender.delay = 0.01  # each delivery holds its rows while the other one starts
    counts = run_at_once(lambda: deliver_outbox(batch=20), lambda: deliver_outbox(batch=20))
    ids = [pk for pk, _, _ in sent]
    assert len(ids) == len(set(ids)) == 30 and set(ids) == everything
    assert sorted(c["sent"] for c in counts) == [10, 20]
    assert set(OutboxMessage.objects.values_list("status", flat=True).distinct()) == {
        OutboxStatus.SENT
    }
