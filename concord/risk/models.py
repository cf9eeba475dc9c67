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
from concord.orgs.models import Organisation

from .choices import Factor, LetterKind, LetterStatus, WarningStatus

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
    closed_at = models.DateTimeField(_("处置时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("处置人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

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


class RiskLetter(models.Model):
    """风险提示函 / 预警函: a supervisor's letter to an organisation about a case's risk or a
    spike, with a reply deadline in working days; tracked until the addressee answers."""

    kind = models.CharField(_("函件类型"), max_length=8, choices=LetterKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    serial = models.PositiveIntegerField(_("序号"))
    case = models.ForeignKey(
        Case,
        verbose_name=_("事项"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="risk_letters",
    )
    spike = models.ForeignKey(
        SpikeWarning,
        verbose_name=_("异常增多预警"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="letters",
    )
    issuer_org = models.ForeignKey(
        Organisation, verbose_name=_("发函单位"), on_delete=models.PROTECT, related_name="+"
    )
    issued_by = models.ForeignKey(
        "accounts.User", verbose_name=_("发函人"), on_delete=models.PROTECT, related_name="+"
    )
    target_org = models.ForeignKey(
        Organisation,
        verbose_name=_("收函单位"),
        on_delete=models.PROTECT,
        related_name="risk_letters",
    )
    subject = models.TextField(_("风险情况"))
    measures = models.TextField(_("工作要求"))
    issued_at = models.DateTimeField(_("发函时间"))
    reply_due_at = models.DateTimeField(_("回复期限"))
    replied_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    replied_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("回复人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reply = models.TextField(_("回复内容"), blank=True)
    # Set once by the sweep when the reply deadline passed unanswered: the reminder goes once.
    overdue_at = models.DateTimeField(_("逾期提醒时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("风险函件")
        verbose_name_plural = pgettext_lazy("plural", "风险函件")
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["target_org", "replied_at"])]
        constraints = [
            models.UniqueConstraint(fields=["kind", "year", "serial"], name="letter_number_once"),
            models.CheckConstraint(
                condition=Q(case__isnull=False, spike=None) | Q(case=None, spike__isnull=False),
                name="letter_about_case_or_spike",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """文号: 风险提示〔2026〕3号 / 预警〔2026〕3号."""
        prefix = _("风险提示") if self.kind == LetterKind.NOTICE else _("预警")
        return f"{prefix}〔{self.year}〕{self.serial}号"

    @property
    def status(self) -> str:
        if self.replied_at is not None:
            return LetterStatus.ANSWERED
        if self.reply_due_at <= timezone.now():
            return LetterStatus.OVERDUE
        return LetterStatus.AWAITING

    def get_status_display(self) -> str:
        return LetterStatus(self.status).label
