"""Routing rules (一网分流): which organisation leads a case, at which level, who assists."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from concord.cases.choices import CaseType, Channel
from concord.geo.models import DivisionLevel


class RoutingRule(models.Model):
    """When a case matches every condition set here, route it as this rule says.

    Conditions left empty match everything. The most specific matching rule wins: first the
    category (a sub-category beats its parent, which beats none), then the place (a village
    beats a town, which beats the county), then how many other conditions it sets, then the
    priority."""

    name = models.CharField(_("名称"), max_length=80)
    note = models.TextField(_("设立理由"), blank=True)
    active = models.BooleanField(_("启用"), default=True)
    priority = models.IntegerField(
        _("优先级"), default=0, help_text=_("条件同样具体时，数大者优先")
    )
    case_type = models.CharField(_("事项类型"), max_length=16, choices=CaseType.choices, blank=True)
    channel = models.CharField(_("来源渠道"), max_length=24, choices=Channel.choices, blank=True)
    category = models.ForeignKey(
        "cases.Category",
        verbose_name=_("类别"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("上级类别含其下级类别"),
    )
    division = models.ForeignKey(
        "geo.Division",
        verbose_name=_("区划范围"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("空表示全区"),
    )
    min_people = models.PositiveIntegerField(_("涉及人数不少于"), null=True, blank=True)
    min_amount = models.DecimalField(
        _("涉及金额不少于（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    risk_levels = models.JSONField(_("风险等级"), default=list, blank=True)
    level = models.CharField(_("办理层级"), max_length=16, choices=DivisionLevel.choices)
    lead_org = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("主办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lead_local = models.BooleanField(
        _("由属地主办"), default=False, help_text=_("事项所在镇街的矛调中心（村级为村调委会）主办")
    )
    assisting_orgs = models.ManyToManyField(
        "orgs.Organisation", verbose_name=_("协办单位"), blank=True, related_name="+"
    )
    assist_local = models.BooleanField(_("属地协办"), default=False)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    # Optimistic locking (core.locking): one more on each save.
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        verbose_name = _("分流规则")
        verbose_name_plural = pgettext_lazy("plural", "分流规则")
        ordering = ["-priority", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_default(self) -> bool:
        return not (
            self.case_type
            or self.channel
            or self.category_id
            or self.division_id
            or self.min_people
            or self.min_amount
            or self.risk_levels
        )


class RoutingDecision(models.Model):
    """What the rules suggested for a case and what the dispatcher chose."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="routing_decisions"
    )
    rule = models.ForeignKey(
        RoutingRule, null=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    suggested_lead = models.ForeignKey(
        "orgs.Organisation", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    suggested_assisting = models.JSONField(default=list)
    chosen_lead = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    chosen_assisting = models.JSONField(default=list)
    overridden = models.BooleanField(default=False)
    decided_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("分流记录")
        verbose_name_plural = pgettext_lazy("plural", "分流记录")

    def __str__(self) -> str:
        return f"{self.case_id} → {self.chosen_lead_id}"
