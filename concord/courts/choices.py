"""Enumerations of court referrals. Statuses carry a badge colour (the `.badge-*` classes)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ReferralKind(models.TextChoices):
    PRE_SUIT = "pre_suit", _("诉前调解")
    DELEGATED = "delegated", _("委派调解")


class ReferralStatus(models.TextChoices):
    MEDIATING = "mediating", pgettext_lazy("court referral status", "调解中")
    SUCCEEDED = "succeeded", pgettext_lazy("court referral status", "调解成功")
    FAILED = "failed", pgettext_lazy("court referral status", "调解不成")
    WITHDRAWN = "withdrawn", pgettext_lazy("court referral status", "撤回")

    @property
    def colour(self) -> str:
        return REFERRAL_COLOURS[self]


REFERRAL_COLOURS = {
    ReferralStatus.MEDIATING: "amber",
    ReferralStatus.SUCCEEDED: "green",
    ReferralStatus.FAILED: "red",
    ReferralStatus.WITHDRAWN: "slate",
}
# What the center may record by hand (POST …/result, 退回法院); success comes only from a
# mediation that ended with an agreement.
MANUAL_OUTCOMES = (ReferralStatus.FAILED, ReferralStatus.WITHDRAWN)


class BatchStatus(models.TextChoices):
    PREVIEWED = "previewed", _("待确认")
    IMPORTING = "importing", _("导入中")
    IMPORTED = "imported", _("已导入")
    FAILED = "failed", _("导入失败")
