"""The admin shows notifications and the outbox, refuses edits, and can requeue failures."""

from concord.notifications.choices import Kind, OutboxStatus
from concord.notifications.models import Notification, OutboxMessage
from concord.notifications.services import notify


def test_the_admin_lists_both_and_offers_no_editing(web, persona):
    (made,) = notify([persona("baiguan")], kind=Kind.SUPERVISION, title="区矛调中心督办")
    message = OutboxMessage.objects.get()
    admin = web("admin")
    for model, obj in (("notification", made), ("outboxmessage", message)):
        listing = admin.get(f"/admin/notifications/{model}/")
        assert listing.status_code == 200
        assert admin.get(f"/admin/notifications/{model}/add/").status_code == 403
        detail = admin.get(f"/admin/notifications/{model}/{obj.pk}/change/")
        assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert "区矛调中心督办" in admin.get("/admin/notifications/notification/").content.decode()
    assert web("baiguan").get("/admin/notifications/notification/").status_code == 302


def test_the_admin_requeues_failed_messages(web, persona):
    notify([persona("baiguan")], kind=Kind.OTHER, title="系统维护通知")
    OutboxMessage.objects.update(status=OutboxStatus.FAILED, attempts=5, last_error="超时")
    message = OutboxMessage.objects.get()
    response = web("admin").post(
        "/admin/notifications/outboxmessage/",
        {"action": "requeue", "_selected_action": [message.pk]},
        follow=True,
    )
    assert "已重新排队 1 条消息" in response.content.decode()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 0)
    assert Notification.objects.count() == 1
