"""Ratings and their reviews, follow-up plans and visits, and the assessment scheme."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from concord.cases.choices import Satisfaction

from .choices import (
    Assignee,
    Kpi,
    RatingChannel,
    ReviewDecision,
    ReviewStatus,
    VisitMethod,
    VisitStatus,
)

OFFSETS_MAX = 5
OFFSET_DAYS_MAX = 365
MIN_SAMPLE_DEFAULT = 10


class Rating(models.Model):
    """The citizen's judgement of one round of handling: a reopened case is rated again."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("事项"), on_delete=models.CASCADE, related_name="ratings"
    )
    round = models.PositiveIntegerField(_("办理轮次"), help_text=_("重新办理的次数：首轮为0"))
    satisfaction = models.CharField(_("满意度"), max_length=24, choices=Satisfaction.choices)
    comment = models.TextField(_("评价意见"), blank=True)
    channel = models.CharField(_("评价渠道"), max_length=16, choices=RatingChannel.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("空表示群众通过评价链接自行评价"),
    )
    at = models.DateTimeField(_("评价时间"), db_index=True)
    # The `rate` event this rating keeps: the same event sent again adds nothing.
    event = models.OneToOneField(
        "cases.CaseEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("群众评价")
        verbose_name_plural = _("群众评价")
        ordering = ["case", "round"]
        constraints = [
            models.UniqueConstraint(fields=["case", "round"], name="one_rating_per_round")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} #{self.round + 1} {self.get_satisfaction_display()}"

    @property
    def round_number(self) -> int:
        return self.round + 1


class Review(models.Model):
    """不满意复核: a dissatisfied rating waits for the dispatcher to reopen the case or to
    close it with an explanation."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("事项"), on_delete=models.CASCADE, related_name="reviews"
    )
    rating = models.OneToOneField(
        Rating, verbose_name=_("评价"), on_delete=models.CASCADE, related_name="review"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    opened_at = models.DateTimeField(_("发起时间"))
    decision = models.CharField(
        _("处理决定"), max_length=16, choices=ReviewDecision.choices, blank=True
    )
    explanation = models.TextField(_("说明"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("不满意复核")
        verbose_name_plural = _("不满意复核")
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["status", "opened_at"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_status_display()}"


def offsets_problem(offsets) -> str | None:
    """Why a plan's visit days are wrong, or None: 1 to 5 whole days, each 1–365, ascending."""
    if (
        not isinstance(offsets, list)
        or not offsets
        or not all(isinstance(d, int) and not isinstance(d, bool) for d in offsets)
    ):
        return gettext("回访时间应为办结后第几日的列表，如 [7, 30, 90]")
    if len(offsets) > OFFSETS_MAX:
        return gettext("最多安排%(max)d次回访") % {"max": OFFSETS_MAX}
    if not all(1 <= d <= OFFSET_DAYS_MAX for d in offsets):
        return gettext("每次回访应在办结后1至%(max)d日") % {"max": OFFSET_DAYS_MAX}
    if any(a >= b for a, b in zip(offsets, offsets[1:], strict=False)):
        return gettext("回访时间应由小到大，且不能重复")
    return None


class FollowUpPlan(models.Model):
    """When to go back after resolution. For a case, the most specific active plan applies:
    its category (a parent category covers its children) before group matters before the
    plan that names neither."""

    name = models.CharField(_("名称"), max_length=80)
    category = models.ForeignKey(
        "cases.Category",
        verbose_name=_("事项类别"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("上级类别含其下级类别；不选表示不限类别"),
    )
    group_only = models.BooleanField(
        _("仅群体性事项"), default=False, help_text=_("涉及人数达到群体性标准的事项")
    )
    offsets = models.JSONField(
        _("回访时间（办结后第几日）"),
        default=list,
        help_text=_("如 [7, 30, 90]：每次1至365日，由小到大，最多5次"),
    )
    assignee = models.CharField(
        _("回访人"), max_length=16, choices=Assignee.choices, default=Assignee.GRID_FIRST
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("回访计划")
        verbose_name_plural = _("回访计划")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if problem := offsets_problem(self.offsets):
            raise ValidationError({"offsets": problem})


class FollowUpVisit(models.Model):
    """One planned visit after resolution, with its 回访 clock; done, or cancelled when the
    case was reopened or archived first."""

    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("事项"),
        on_delete=models.CASCADE,
        related_name="follow_up_visits",
    )
    round = models.PositiveIntegerField(_("办理轮次"))
    number = models.PositiveSmallIntegerField(_("第几次"))
    plan = models.ForeignKey(
        FollowUpPlan,
        verbose_name=_("回访计划"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("回访单位"),
        on_delete=models.PROTECT,
        related_name="follow_up_visits",
        db_index=False,  # covered by (organisation, status)
    )
    deadline = models.OneToOneField(
        "deadlines.Deadline",
        verbose_name=_("时限"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visit",
    )
    due_at = models.DateTimeField(_("应回访时间"))
    status = models.CharField(
        _("状态"), max_length=16, choices=VisitStatus.choices, default=VisitStatus.PLANNED
    )
    method = models.CharField(_("回访方式"), max_length=16, choices=VisitMethod.choices, blank=True)
    findings = models.TextField(_("回访情况"), blank=True)
    stable = models.BooleanField(_("纠纷是否稳定"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("回访人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    done_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    relapse = models.ForeignKey(
        "cases.Case",
        verbose_name=_("反复登记的新事项"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="relapse_of",
    )
    # The `follow_up` event that recorded the visit: the same event sent again adds nothing.
    follow_up = models.OneToOneField(
        "cases.CaseEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        ordering = ["case", "round", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "round", "number"], name="one_visit_number_per_round"
            )
        ]
        indexes = [models.Index(fields=["organisation", "status", "due_at"])]

    def __str__(self) -> str:
        return f"{self.case_id} #{self.number} {self.get_status_display()}"

    @property
    def status_choice(self) -> VisitStatus:
        return VisitStatus(self.status)

    @property
    def due(self):
        """When the visit is due now: its clock's time, which an approved extension moves."""
        return self.deadline.due_at if self.deadline_id else self.due_at


def weights_problems(weights) -> dict[str, str]:
    """What is wrong with a scheme's weights: known KPI codes, numbers ≥ 0 summing to 100."""
    if not isinstance(weights, dict) or not weights:
        return {"weights": gettext('权重应为「指标编码: 权重」，如 {"on_time": 30}')}
    unknown = [k for k in weights if k not in Kpi.values]
    if unknown:
        return {
            "weights": gettext("未知的考核指标：%(codes)s（可用：%(known)s）")
            % {"codes": "、".join(map(str, unknown)), "known": "、".join(Kpi.values)}
        }
    numbers = [
        w for w in weights.values() if isinstance(w, int | float) and not isinstance(w, bool)
    ]
    if len(numbers) != len(weights) or any(w < 0 or w != w for w in numbers):
        return {"weights": gettext("每项权重应为不小于0的数")}
    if abs(sum(numbers) - 100) > 1e-6:
        return {
            "weights": gettext("权重合计应为100（现为%(total)s）") % {"total": f"{sum(numbers):g}"}
        }
    return {}


class AssessmentScheme(models.Model):
    """考核方案: each KPI's weight in an organisation's or town's monthly score. The first
    active scheme is the one in force."""

    name = models.CharField(_("名称"), max_length=80)
    weights = models.JSONField(
        _("指标权重"),
        default=dict,
        help_text=_(
            "指标编码与权重，合计100：on_time 按期办结率、satisfaction 满意率、resolution 化解率、"
            "reopen 重新办理率、summons 报到及时率、ping_pong 流转退回率"
        ),
    )
    min_sample = models.PositiveIntegerField(
        _("最小样本量"),
        default=MIN_SAMPLE_DEFAULT,
        help_text=_("样本少于此数的指标显示“样本不足”，不计入得分，其权重按比例分给其余指标"),
    )
    active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = weights_problems(self.weights)
        if self.min_sample is not None and self.min_sample < 1:
            errors["min_sample"] = gettext("最小样本量至少为1")
        if errors:
            raise ValidationError(errors)
