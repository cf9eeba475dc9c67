"""信访代办: a staff member of the center (the agent, 代办员) runs the errands of a petition or
dispute for the citizen, so that the citizen comes at most once (最多跑一次). One active
`Agency` per case; each errand is an `Errand` in its log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AgencyStatus(models.TextChoices):
    ACTIVE = "active", _("代办中")
    FINISHED = "finished", _("已办结")
    REASSIGNED = "reassigned", _("已改派")

    @property
    def colour(self) -> str:
        return {"active": "amber", "finished": "green", "reassigned": "grey"}[self.value]


class Agency(models.Model):
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("事项"), on_delete=models.CASCADE, related_name="agencies"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代办员"),
        on_delete=models.PROTECT,
        related_name="agencies",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("指派人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("指派时间"), default=timezone.now)
    note = models.TextField(_("代办要求"), blank=True)
    status = models.CharField(
        _("代办状态"), max_length=16, choices=AgencyStatus.choices, default=AgencyStatus.ACTIVE
    )
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("结束人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closing_note = models.TextField(_("办结说明"), blank=True)

    class Meta:
        verbose_name = _("信访代办")
        verbose_name_plural = pgettext_lazy("plural", "信访代办")
        ordering = ["-assigned_at", "-pk"]
        constraints = [
            # Two people assigning an agent to the same case at once: the second insert fails.
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status="active"),
                name="agency_one_active_per_case",
            )
        ]
        indexes = [models.Index(fields=["agent", "status"])]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.agent_id} ({self.status})"

    @property
    def status_choice(self) -> AgencyStatus:
        return AgencyStatus(self.status)

    @property
    def is_active(self) -> bool:
        return self.status == AgencyStatus.ACTIVE


class Errand(models.Model):
    """One errand run for the citizen: where the agent went, what was handed in or collected,
    what came of it and what is next."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("信访代办"), on_delete=models.CASCADE, related_name="errands"
    )
    at = models.DateTimeField(_("办理时间"))
    department = models.CharField(_("前往部门"), max_length=128)
    what = models.TextField(_("办理事项"))
    result = models.TextField(_("办理结果"))
    next_step = models.TextField(_("下一步"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("代办记录")
        verbose_name_plural = pgettext_lazy("plural", "代办记录")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["agency", "-at"])]

    def __str__(self) -> str:
        return f"{self.agency_id} @ {self.at:%Y-%m-%d %H:%M} {self.department}"
