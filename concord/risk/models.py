"""Risk weights the admin tunes, the one red alert per case, and the spike warnings."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from concord.cases.choices import RiskLevel
from concord.cases.models import Case, Category
from concord.geo.models import Division, DivisionLevel

from .choices import Factor, WarningStatus

POINTS_MAX = 100


class RiskWeight(models.Model):
    """The points one factor adds; a factor without a row keeps its default (scoring.DEFAULTS).
    Category base points have one row per level-1 category."""

    factor = models.CharField(_("风险因素"), max_length=24, choices=Factor.choices)
    category = models.ForeignKey(
        Category,
        verbose_name=_("类别（一级）"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        limit_choices_to={"parent__isnull": True},
    )
    points = models.PositiveSmallIntegerField(
        _("分值"),
        validators=[MinValueValidator(0), MaxValueValidator(POINTS_MAX)],
        help_text=_("0–100 分；合计 60 分以上为红色，40 分以上橙色，20 分以上黄色"),
    )

    class Meta:
        verbose_name = _("风险权重")
        verbose_name_plural = pgettext_lazy("plural", "风险权重")
        ordering = ["factor", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["factor"], condition=Q(category=None), name="risk_weight_one_per_factor"
            ),
            models.UniqueConstraint(
                fields=["factor", "category"],
                condition=Q(category__isnull=False),
                name="risk_weight_one_per_category",
            ),
        ]

    def __str__(self) -> str:
        label = Factor(self.factor).label
        return f"{label} · {self.category.name}" if self.category_id else str(label)


class CaseRisk(models.Model):
    """What scoring keeps per case besides the level on the case: the level a person judged
    (the clerk at registration, or whoever set the level since: a floor the score never goes
    below), the level scoring last wrote (to tell a person's change from its own), and when
    the dispatchers were told the case turned red (once per case, never again)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="risk")
    judged_level = models.CharField(
        _("受理研判等级"), max_length=8, choices=RiskLevel.choices, default=RiskLevel.BLUE
    )
    scored_level = models.CharField(
        _("评分等级"), max_length=8, choices=RiskLevel.choices, blank=True
    )
    red_alerted_at = models.DateTimeField(_("红色提醒时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("事项风险研判")
        verbose_name_plural = pgettext_lazy("plural", "事项风险研判")

    def __str__(self) -> str:
        return str(self.case)


class SpikeWarning(models.Model):
    """弱信号: a town's cases of one category rose well above their own baseline."""

    town = models.ForeignKey(
        Division,
        verbose_name=_("乡镇（街道）"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": DivisionLevel.TOWN},
    )
    category = models.ForeignKey(
        Category, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="+"
    )
    window_start = models.DateField(_("统计起日"))
    window_end = models.DateField(_("统计止日"))
    count = models.PositiveIntegerField(_("近期件数"))
    baseline = models.FloatField(_("基线（周均件数）"))
    baseline_weeks = models.PositiveSmallIntegerField(_("基线周数"))
    ratio = models.FloatField(_("倍数"))
    case_ids = models.JSONField(_("涉及事项"), default=list)
    status = models.CharField(
        _("状态"), max_length=8, choices=WarningStatus.choices, default=WarningStatus.OPEN
    )
    raised_at = models.DateTimeField(_("发现时间"), default=timezone.now)

    class Meta:
        verbose_name = _("异常增多预警")
        verbose_name_plural = pgettext_lazy("plural", "异常增多预警")
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["status", "town"])]
        constraints = [
            # Two sweeps at once raise the same spike once.
            models.UniqueConstraint(
                fields=["town", "category", "window_end"], name="spike_once_per_window"
            )
        ]

    def __str__(self) -> str:
        return f"{self.town.name} {self.category.name} {self.window_end}"
