"""In-app notifications, and the outbox through which each also leaves as SMS or email."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .choices import KIND_COLOURS, Kind, OutboxChannel, OutboxStatus


class Notification(models.Model):
    """One message to one user, shown under the bell until read."""

    # Covered by the composite indexes below.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("事项"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("类型"), max_length=24, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("内容"), blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        # Plain "通知" is the page and the bell (Notifications); the model is one of them.
        verbose_name = pgettext_lazy("singular", "通知")
        verbose_name_plural = pgettext_lazy("plural", "通知")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The list page: one user's notifications, newest first.
            models.Index(fields=["user", "-created_at", "-id"], name="notification_user_recent"),
            # The bell on every page: a count over a user's unread rows only.
            models.Index(fields=["user"], name="notification_unread", condition=Q(read_at=None)),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def colour(self) -> str:
        return KIND_COLOURS.get(self.kind, "grey")


class OutboxMessage(models.Model):
    """One SMS or email waiting to leave, sent, or given up on. `deliver_outbox` sends it."""

    notification = models.ForeignKey(
        Notification,
        verbose_name=pgettext_lazy("singular", "通知"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outbox",
    )
    channel = models.CharField(_("渠道"), max_length=8, choices=OutboxChannel.choices)
    recipient = models.CharField(_("收件人"), max_length=254, help_text=_("手机号或邮箱地址"))
    subject = models.CharField(_("主题"), max_length=120, blank=True)
    body = models.TextField(_("内容"))
    status = models.CharField(
        _("状态"), max_length=8, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次发送时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("待发消息")
        verbose_name_plural = pgettext_lazy("plural", "待发消息")
        ordering = ["-created_at", "-id"]
        indexes = [
            # What `deliver_outbox` asks every minute; sent and failed rows stay out of it.
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_due",
                condition=Q(status=OutboxStatus.PENDING),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}"
