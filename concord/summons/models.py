"""吹哨报到: the center calls departments to a case; each must acknowledge (签到) and arrive
(到场) within minutes. One `SummonsTarget` per summoned organisation carries its due times."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TargetState(models.TextChoices):
    WAITING = "waiting", _("待签到")
    ACKNOWLEDGED = "acknowledged", _("已签到")
    ARRIVED = "arrived", _("已到场")
    OVERDUE = "overdue", _("超时")

    @property
    def colour(self) -> str:
        return {"waiting": "blue", "acknowledged": "amber", "arrived": "green", "overdue": "red"}[
            self.value
        ]


class Summons(models.Model):
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("事项"), on_delete=models.CASCADE, related_name="summonses"
    )
    issued_by = models.ForeignKey(
        "accounts.User", verbose_name=_("吹哨人"), on_delete=models.PROTECT, related_name="+"
    )
    issuer_org = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("吹哨单位"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("召集事由"))
    issued_at = models.DateTimeField(_("吹哨时间"), default=timezone.now)
    ack_minutes = models.PositiveSmallIntegerField(_("签到时限（分钟）"), default=20)
    arrive_minutes = models.PositiveSmallIntegerField(_("到场时限（分钟）"), default=40)
    place = models.CharField(_("报到地点"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("吹哨报到")
        verbose_name_plural = pgettext_lazy("plural", "吹哨报到")
        ordering = ["-issued_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.case_id} @ {self.issued_at:%Y-%m-%d %H:%M}"


class SummonsTarget(models.Model):
    """One summoned organisation. `ack_late`/`arrive_late` are fixed when it acts;
    `escalated_at` is set once by the sweep when a due time passes without the act."""

    summons = models.ForeignKey(
        Summons, verbose_name=_("吹哨报到"), on_delete=models.CASCADE, related_name="targets"
    )
    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("被召集单位"),
        on_delete=models.PROTECT,
        related_name="summons_targets",
    )
    # Copied from the summons so that "one open summons per department and case" is a
    # database constraint, and the report groups without a join.
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("事项"), on_delete=models.CASCADE, related_name="+"
    )
    ack_due_at = models.DateTimeField(_("签到期限"))
    arrive_due_at = models.DateTimeField(_("到场期限"))
    acknowledged_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("签到人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    arrived_at = models.DateTimeField(_("到场时间"), null=True, blank=True)
    arrived_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("到场人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ack_late = models.BooleanField(_("签到超时"), default=False)
    arrive_late = models.BooleanField(_("到场超时"), default=False)
    escalated_at = models.DateTimeField(_("超时提醒时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("被召集单位")
        verbose_name_plural = pgettext_lazy("plural", "被召集单位")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "organisation"],
                condition=Q(arrived_at=None),
                name="summons_one_open_per_case_and_org",
            )
        ]
        indexes = [
            # What the sweep reads: open targets not yet escalated, by due time.
            models.Index(
                fields=["ack_due_at"],
                condition=Q(escalated_at=None, arrived_at=None),
                name="summons_target_sweep",
            )
        ]

    def __str__(self) -> str:
        return f"{self.summons_id} → {self.organisation_id}"

    def state_at(self, now) -> TargetState:
        if self.arrived_at:
            return TargetState.ARRIVED
        if (not self.acknowledged_at and now > self.ack_due_at) or now > self.arrive_due_at:
            return TargetState.OVERDUE
        return TargetState.ACKNOWLEDGED if self.acknowledged_at else TargetState.WAITING

    @property
    def state(self) -> TargetState:
        return self.state_at(timezone.now())

    @property
    def late(self) -> bool:
        return self.ack_late or self.arrive_late
