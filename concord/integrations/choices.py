"""Enumerations of outbound feedback: the events a system may subscribe to, delivery states."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from concord.cases.choices import Action


class WebhookEvent(models.TextChoices):
    ACCEPTED = "accepted", _("受理")
    ANSWERED = "answered", _("答复（办结）")
    CLOSED = "closed", _("结案")


# Which timeline actions send which event. 结案 is the end of the case at the center: archived
# (after rating and follow-up, or a 不满意 review closed with an explanation, which archives),
# or closed without an answer (不予受理, 转办): the source learns its order ends here either way.
# A reopened case that is answered again sends a second 答复.
EVENT_OF_ACTION = {
    Action.ACCEPT: WebhookEvent.ACCEPTED,
    Action.RESOLVE: WebhookEvent.ANSWERED,
    Action.ARCHIVE: WebhookEvent.CLOSED,
    Action.REFUSE: WebhookEvent.CLOSED,
    Action.REFER: WebhookEvent.CLOSED,
}


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    DELIVERED = "delivered", _("已送达")
    FAILED = "failed", _("失败")

    @property
    def colour(self) -> str:
        return {"pending": "amber", "delivered": "green", "failed": "red"}[self.value]
