"""notify(): who gets a notification, what is queued for SMS and email, and reading them."""

import pytest
from django.db import transaction

from concord.cases.tests.factories import build_case
from concord.notifications.choices import Kind, OutboxChannel, OutboxStatus
from concord.notifications.models import Notification, OutboxMessage
from concord.notifications.services import mark_read, notify, unread_count


def test_each_user_gets_a_notification_and_an_sms_to_their_phone(persona):
    case = build_case("assigned")
    baiguan, caoe = persona("baiguan"), persona("caoe")
    made = notify(
        [baiguan, caoe],
        kind=Kind.DEADLINE_WARNED,
        title="签收即将到期",
        body="请尽快签收",
        case=case,
    )
    assert [n.user for n in made] == [baiguan, caoe]
    assert all(n.pk and n.case == case and n.read_at is None for n in made)
    rows = Notification.objects.filter(case=case).order_by("id")
    assert [(n.user.username, n.kind, n.title, n.body) for n in rows] == [
        ("baiguan", "deadline_warned", "签收即将到期", "请尽快签收"),
        ("caoe", "deadline_warned", "签收即将到期", "请尽快签收"),
    ]
    queued = OutboxMessage.objects.order_by("id")
    assert [(m.notification_id, m.channel, m.recipient) for m in queued] == [
        (made[0].pk, OutboxChannel.SMS, baiguan.phone),
        (made[1].pk, OutboxChannel.SMS, caoe.phone),
    ]
    message = queued[0]
    assert message.status == OutboxStatus.PENDING and message.attempts == 0
    assert message.body == "签收即将到期\n请尽快签收"
    assert message.next_attempt_at <= message.created_at


def test_a_user_with_an_email_address_also_gets_an_email(persona):
    hrss = persona("hrss")
    hrss.email = "sunlj@example.gov.cn"
    hrss.phone = ""
    hrss.save()
    notify([hrss], kind=Kind.SUPERVISION, title="区矛调中心督办")
    (email,) = OutboxMessage.objects.all()
    assert (email.channel, email.recipient) == (OutboxChannel.EMAIL, "sunlj@example.gov.cn")
    assert (email.subject, email.body) == ("区矛调中心督办", "区矛调中心督办")


def test_inactive_and_repeated_users_are_notified_once_or_not_at_all(persona):
    caoe = persona("caoe")
    caoe.is_active = False
    made = notify(
        [persona("baiguan"), persona("baiguan"), caoe], kind=Kind.OTHER, title="系统维护通知"
    )
    assert [n.user.username for n in made] == ["baiguan"]
    assert Notification.objects.count() == 1 and OutboxMessage.objects.count() == 1


def test_nobody_to_notify_costs_no_query(persona, django_assert_num_queries):
    caoe = persona("caoe")
    caoe.is_active = False
    with django_assert_num_queries(0):
        assert notify([caoe], kind=Kind.OTHER, title="无人接收") == []
        assert notify([], kind=Kind.OTHER, title="无人接收") == []


def test_notifying_many_users_takes_two_inserts(
    persona, django_user_model, django_assert_num_queries
):
    org = persona("baiguan").organisation
    users = django_user_model.objects.bulk_create(
        django_user_model(username=f"u{i}", organisation=org, phone=f"1380000{i:04d}")
        for i in range(80)
    )
    # One insert each for the notifications and the outbox (SQLite splits beyond ~90 rows).
    with django_assert_num_queries(2):
        made = notify(users, kind=Kind.EXTENSION, title="延期已批准")
    assert len(made) == 80
    assert OutboxMessage.objects.filter(channel=OutboxChannel.SMS).count() == 80


def test_the_notifications_roll_back_with_the_callers_transaction(persona):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify([persona("baiguan")], kind=Kind.OTHER, title="不会留下")
        raise RuntimeError
    assert not Notification.objects.exists() and not OutboxMessage.objects.exists()


def test_a_long_title_is_shortened_to_fit(persona):
    (made,) = notify([persona("baiguan")], kind=Kind.OTHER, title="长" * 200)
    made.refresh_from_db()
    assert len(made.title) == 120 and made.title.endswith("…")


def test_an_unknown_kind_is_refused(persona):
    with pytest.raises(ValueError):
        notify([persona("baiguan")], kind="gossip", title="？")


def test_unread_count_and_marking_read(persona):
    baiguan, caoe = persona("baiguan"), persona("caoe")
    mine = notify([baiguan], kind=Kind.OTHER, title="一") + notify(
        [baiguan], kind=Kind.OTHER, title="二"
    )
    mine += notify([baiguan], kind=Kind.OTHER, title="三")
    (theirs,) = notify([caoe], kind=Kind.OTHER, title="别人的")
    assert unread_count(baiguan) == 3 and unread_count(caoe) == 1

    assert mark_read(baiguan, [mine[0].pk, theirs.pk, 10**30]) == 1
    assert unread_count(baiguan) == 2 and unread_count(caoe) == 1
    assert mark_read(baiguan, [mine[0].pk]) == 0  # already read
    assert mark_read(baiguan) == 2
    assert unread_count(baiguan) == 0 and unread_count(caoe) == 1
    first = Notification.objects.get(pk=mine[0].pk)
    assert first.read_at is not None
