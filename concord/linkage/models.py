"""五调联动: every hand-over of a case between the center and a partner (court, police,
procuratorate, professional mediation organisation, petition bureau), in either direction.

A return (the outcome going back) is a hand-over too, in the opposite direction, that
`answers` the one it closes; a hand-over without an answer and that is no return itself is
still in progress.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .choices import Direction, LinkageType, Outcome


class Handover(models.Model):
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("事项"), on_delete=models.CASCADE, related_name="handovers"
    )
    linkage_type = models.CharField(_("联动类型"), max_length=16, choices=LinkageType.choices)
    direction = models.CharField(_("方向"), max_length=3, choices=Direction.choices)
    partner = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("联动单位"),
        on_delete=models.PROTECT,
        related_name="handovers",
        db_index=False,  # covered by (partner, at)
    )
    at = models.DateTimeField(_("移交时间"), default=timezone.now)
    by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("说明"), blank=True)
    outcome = models.CharField(_("办理结果"), max_length=16, choices=Outcome.choices, blank=True)
    answers = models.OneToOneField(
        "self",
        verbose_name=_("回复的移交"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,  # a return without what it answers means nothing
        related_name="answer",
    )
    # The timeline entry this hand-over came from (automatic) or wrote (manual). One event may
    # close several (a resolution answers the police and the petition bureau alike), but never
    # records the same hand-over twice, however often it is heard.
    event = models.ForeignKey(
        "cases.CaseEvent",
        verbose_name=_("办理记录"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # covered by the unique constraint
    )
    automatic = models.BooleanField(_("自动记录"), default=False)

    class Meta:
        verbose_name = _("联动移交")
        verbose_name_plural = pgettext_lazy("plural", "联动移交")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["at", "linkage_type", "direction"], name="handover_period"),
            models.Index(fields=["partner", "at"], name="handover_partner"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "linkage_type", "direction", "partner"],
                name="handover_once_per_event",
            ),
            models.CheckConstraint(
                condition=Q(answers=None) | ~Q(outcome=""), name="handover_return_has_outcome"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_linkage_type_display()} {self.get_direction_display()} {self.partner}"

    @property
    def type_choice(self) -> LinkageType:
        return LinkageType(self.linkage_type)

    @property
    def outcome_colour(self) -> str:
        return Outcome(self.outcome).colour if self.outcome else "grey"

    @property
    def is_return(self) -> bool:
        return self.answers_id is not None or bool(self.outcome)

    @property
    def kind_label(self) -> str:
        """接收移交 / 移交联动单位 / 收到回复 / 反馈结果: what the row is, in the center's words."""
        incoming = self.direction == Direction.IN
        if self.is_return:
            return _("收到回复") if incoming else _("反馈结果")
        return _("接收移交") if incoming else _("移交联动单位")
