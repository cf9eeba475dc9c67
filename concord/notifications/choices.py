"""Enumerations of notifications and their delivery. Kinds carry a badge colour."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Kind(models.TextChoices):
    # A context of their own: the same words label case actions ("督办" = Supervise).
    DEADLINE_WARNED = "deadline_warned", pgettext_lazy("notification kind", "时限预警")
    DEADLINE_BREACHED = "deadline_breached", pgettext_lazy("notification kind", "超期")
    SUPERVISION = "supervision", pgettext_lazy("notification kind", "督办")
    EXTENSION = "extension", pgettext_lazy("notification kind", "延期")
    RISK = "risk", pgettext_lazy("notification kind", "风险预警")
    OTHER = "other", pgettext_lazy("notification kind", "其他")

    @property
    def colour(self) -> str:
        return KIND_COLOURS[self]


KIND_COLOURS = {
    Kind.DEADLINE_WARNED: "amber",
    Kind.DEADLINE_BREACHED: "red",
    Kind.SUPERVISION: "purple",
    Kind.EXTENSION: "blue",
    Kind.RISK: "red",
    Kind.OTHER: "grey",
}


class OutboxChannel(models.TextChoices):
    SMS = "sms", _("短信")
    EMAIL = "email", _("邮件")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("outbox status", "待发送")
    SENT = "sent", pgettext_lazy("outbox status", "已发送")
    FAILED = "failed", pgettext_lazy("outbox status", "发送失败")
