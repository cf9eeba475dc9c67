"""Outbound feedback: a 12345 case's 受理, 答复 and 结案 reach the hotline's receiver signed; with
the receiver down they are retried with back-off and each is delivered exactly once; two
senders at once never send one delivery twice."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from concord.accounts.models import User
from concord.cases import lifecycle
from concord.cases.tests.factories import build_case
from concord.core.testing import run_at_once
from concord.integrations import webhooks
from concord.integrations.choices import DeliveryStatus
from concord.integrations.models import WebhookDelivery
from concord.integrations.webhooks import deliver_webhooks, resend, retry_after

from .conftest import SECRET

SH = ZoneInfo("Asia/Shanghai")
MONDAY_9 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=SH)


def hotline_case(status: str = "registered", number: str = "GD20261123000042"):
    return build_case(status, source="12345", source_id=number, channel="hotline_12345")


def nothing_due() -> dict:
    return {"delivered": 0, "retrying": 0, "failed": 0}


def test_the_loop_of_a_hotline_case_reaches_the_receiver_signed(subscribed, receiver):
    case = hotline_case("archived")
    assert list(WebhookDelivery.objects.order_by("id").values_list("event", flat=True)) == [
        "accepted",
        "answered",
        "closed",
    ]
    assert deliver_webhooks() == {"delivered": 3, "retrying": 0, "failed": 0}

    assert [r["payload"]["event"] for r in receiver.received] == ["accepted", "answered", "closed"]
    assert all(r["verified"] for r in receiver.received)
    first = receiver.received[0]
    assert first["path"] == "/hooks/concord"
    assert first["headers"]["Content-Type"] == "application/json; charset=utf-8"
    assert first["headers"]["X-Concord-Event"] == "accepted"
    answered = receiver.received[1]["payload"]
    assert answered["event_label"] == "答复（办结）"
    assert answered["case"] | {"received_at": None, "accepted_at": None, "resolved_at": None} == {
        "id": case.pk,
        "tracking_code": case.tracking_code,
        "source": "12345",
        "source_id": "GD20261123000042",
        "status": "resolved",
        "status_label": "已办结",
        "result": "mediated",
        "result_label": "调解成功",
        "reply": "经调解双方达成一致。",
        "comment": "",
        "satisfaction": "",
        "satisfaction_label": "",
        "received_at": None,
        "accepted_at": None,
        "resolved_at": None,
        "closed_at": None,
    }
    assert answered["case"]["resolved_at"].endswith("+08:00")
    closed = receiver.received[2]["payload"]["case"]
    assert (closed["status"], closed["satisfaction_label"]) == ("archived", "满意")
    # The signature covers the timestamp and the exact body; a changed body fails it.
    body, headers = first["body"], first["headers"]
    assert headers["X-Concord-Signature"] == webhooks.sign(
        SECRET, int(headers["X-Concord-Timestamp"]), body
    )
    assert not webhooks.verify_signature(
        SECRET, headers["X-Concord-Timestamp"], body + b" ", headers["X-Concord-Signature"]
    )
    assert not webhooks.verify_signature(
        "another-secret-0123456789",
        headers["X-Concord-Timestamp"],
        body,
        headers["X-Concord-Signature"],
    )
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}
    assert deliver_webhooks() == nothing_due()
    assert len(receiver.received) == 3


def test_an_old_signature_is_refused_as_a_replay(subscribed, receiver):
    hotline_case("accepted")
    deliver_webhooks()
    got = receiver.received[0]
    stamp, body, signature = (
        got["headers"]["X-Concord-Timestamp"],
        got["body"],
        got["headers"]["X-Concord-Signature"],
    )
    with time_machine.travel(dt.datetime.fromtimestamp(int(stamp) + 301, SH)):
        assert not webhooks.verify_signature(SECRET, stamp, body, signature)


def test_only_subscribed_events_of_the_systems_own_cases_are_queued(subscribed):
    build_case("archived")  # a window case: no source
    build_case("accepted", source="api", source_id="A-1")  # a source with no system
    subscribed.events = ["answered"]
    subscribed.save()
    hotline_case("archived")
    assert list(WebhookDelivery.objects.values_list("event", flat=True)) == ["answered"]


def test_a_paused_subscription_or_system_queues_nothing(subscribed):
    subscribed.active = False
    subscribed.save()
    hotline_case("accepted", "GD-1")
    subscribed.active = True
    subscribed.save()
    subscribed.system.active = False
    subscribed.system.save()
    hotline_case("accepted", "GD-2")
    assert not WebhookDelivery.objects.exists()


def test_an_event_rolled_back_is_never_delivered(subscribed):
    case = hotline_case()
    clerk = User.objects.get(username="clerk")
    with pytest.raises(RuntimeError), transaction.atomic():
        lifecycle.transition(case, actor=clerk, action="accept")
        assert WebhookDelivery.objects.count() == 1  # written with the event
        raise RuntimeError("the caller's transaction fails after the event")
    assert not WebhookDelivery.objects.exists()


def test_with_the_receiver_down_deliveries_are_retried_later_and_arrive_once(subscribed, receiver):
    receiver.stop()
    with time_machine.travel(MONDAY_9, tick=False) as clock:
        hotline_case("resolved")
        assert WebhookDelivery.objects.count() == 2
        assert deliver_webhooks() == {"delivered": 0, "retrying": 2, "failed": 0}
        for delivery in WebhookDelivery.objects.all():
            assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
            assert delivery.next_attempt_at == MONDAY_9 + dt.timedelta(seconds=30)
            assert "ConnectionRefusedError" in delivery.last_error or "Errno 111" in (
                delivery.last_error
            )
        clock.shift(dt.timedelta(seconds=29))
        assert deliver_webhooks() == nothing_due()  # not due yet

        clock.shift(dt.timedelta(seconds=1))
        assert deliver_webhooks()["retrying"] == 2  # still down: next in a minute
        assert WebhookDelivery.objects.first().next_attempt_at == timezone.now() + dt.timedelta(
            minutes=1
        )
        receiver.start()  # back up, on the same port
        clock.shift(dt.timedelta(minutes=1))
        assert deliver_webhooks() == {"delivered": 2, "retrying": 0, "failed": 0}
        clock.shift(dt.timedelta(hours=3))
        assert deliver_webhooks() == nothing_due()

    ids = receiver.delivery_ids()
    assert sorted(ids) == sorted(
        str(pk) for pk in WebhookDelivery.objects.values_list("pk", flat=True)
    )
    assert set(ids.values()) == {1}
    assert all(r["verified"] for r in receiver.received)
    for delivery in WebhookDelivery.objects.all():
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
            "delivered",
            3,
            200,
        )
        assert delivery.last_error == "" and delivery.delivered_at == MONDAY_9 + dt.timedelta(
            seconds=90
        )


def test_back_off_doubles_from_30_seconds_to_an_hour_then_gives_up(subscribed, receiver):
    assert [retry_after(n).total_seconds() for n in range(1, 11)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
        3600,
        3600,
    ]
    receiver.answer = 503
    with time_machine.travel(MONDAY_9, tick=False) as clock:
        hotline_case("accepted")
        for attempt in range(1, webhooks.MAX_ATTEMPTS):
            assert deliver_webhooks()["retrying"] == 1
            delivery = WebhookDelivery.objects.get()
            assert delivery.attempts == attempt
            assert delivery.last_status_code == 503
            assert delivery.last_error == "HTTP 503 Service Unavailable: receiver is unhappy"
            clock.shift(retry_after(attempt))
        assert deliver_webhooks() == {"delivered": 0, "retrying": 0, "failed": 1}
        clock.shift(dt.timedelta(days=1))
        assert deliver_webhooks() == nothing_due()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", webhooks.MAX_ATTEMPTS)
    assert len(receiver.received) == webhooks.MAX_ATTEMPTS

    # 重新发送 gives it a new round, and the receiver (now well) gets it.
    receiver.answer = 204
    assert resend(WebhookDelivery.objects.all()) == 1
    assert resend(WebhookDelivery.objects.all()) == 0  # pending now: nothing to resend
    assert deliver_webhooks()["delivered"] == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 204)


def test_a_redirect_is_not_followed(subscribed, receiver):
    receiver.answer = 302
    hotline_case("accepted")
    assert deliver_webhooks()["retrying"] == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.last_status_code == 302 and "不跟随重定向" in delivery.last_error
    assert len(receiver.received) == 1


def test_a_url_that_no_longer_resolves_fails_the_attempt_without_sending(subscribed):
    hotline_case("accepted")
    subscribed.url = "http://no-such-host.invalid/hook"
    subscribed.save()
    assert deliver_webhooks()["retrying"] == 1
    assert "无法解析主机名" in WebhookDelivery.objects.get().last_error


def test_the_same_event_recorded_twice_is_one_delivery(subscribed):
    case = hotline_case("accepted")
    event = case.events.get(action="accept")
    webhooks.on_event_recorded(case=case, event=event)
    assert WebhookDelivery.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_senders_at_once_send_each_delivery_once(transactional_db, subscribed, receiver):
    for n in range(12):
        hotline_case("resolved", f"GD-{n}")  # 受理 + 答复: 24 deliveries
    everything = {str(pk) for pk in WebhookDelivery.objects.values_list("pk", flat=True)}
    assert len(everything) == 24
    receiver.delay = 0.02  # each sender is still sending its batch when the other claims
    counts = run_at_once(deliver_webhooks, deliver_webhooks)
    assert sum(c["delivered"] for c in counts) == 24
    assert all(c["delivered"] for c in counts)  # both took a share
    ids = receiver.delivery_ids()
    assert set(ids) == everything and set(ids.values()) == {1}
    assert json.loads(receiver.received[0]["body"])["case"]["source"] == "12345"
