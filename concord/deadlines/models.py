"""The working-day calendar, deadline policies (关键节点) and each case's deadlines."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from concord.cases.choices import Action, CaseType
from concord.geo.models import DivisionLevel

from .calendar import Unit

FIRST_YEAR, LAST_YEAR = 2004, 2100
AMOUNT_MAX = 3650
# The actions a clock may start or stop at: the lifecycle's own, not the system's records.
SUPERVISORS_RECORDS = (
    Action.DEADLINE_WARNED,
    Action.DEADLINE_BREACHED,
    Action.EXTEND,
    Action.SUPERVISE,
    Action.RISK_LETTER,
    Action.RISK_LETTER_REPLY,
)
LIFECYCLE_ACTIONS = [a for a in Action.values if a not in SUPERVISORS_RECORDS]


class DaySource(models.TextChoices):
    PACKAGE = "package", _("国务院办公厅通知（chinese-calendar）")
    ADMIN = "admin", _("管理员录入")


class CalendarYear(models.Model):
    """A year whose official holiday schedule is entered; other years follow the plain week."""

    year = models.PositiveSmallIntegerField(
        _("年份"),
        primary_key=True,
        validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)],
    )
    source = models.CharField(_("来源"), max_length=16, choices=DaySource.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("节假日年度")
        verbose_name_plural = _("节假日年度")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """A day that differs from the plain week: a holiday, or a weekend made a working day."""

    day = models.DateField(_("日期"), primary_key=True)
    is_workday = models.BooleanField(_("上班"))
    name = models.CharField(_("名称"), max_length=40, blank=True)
    source = models.CharField(
        _("来源"), max_length=16, choices=DaySource.choices, default=DaySource.ADMIN
    )
    changed_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["-day"]

    def __str__(self) -> str:
        kind = _("调休上班") if self.is_workday else _("放假")
        return f"{self.day} {self.name or kind}"


class OfficeHours(models.Model):
    """One period of office hours on a working day (default 8:30–12:00 and 13:30–17:30)."""

    opens = models.TimeField(_("开始"))
    closes = models.TimeField(_("结束"))

    class Meta:
        verbose_name = _("工作时间段")
        verbose_name_plural = _("工作时间")
        ordering = ["opens"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens__lt=models.F("closes")), name="office_hours_open_before_close"
            )
        ]

    def __str__(self) -> str:
        return f"{self.opens:%H:%M}–{self.closes:%H:%M}"


class EscalateTo(models.TextChoices):
    PARENT = "parent", _("上级单位")
    COUNTY_CENTER = "county_center", _("区矛调中心")
    ORGANISATION = "organisation", _("指定单位")
    # A window the parties may let lapse (judicial confirmation): expiry is told, not 督办.
    NONE = "none", _("不督办，仅提示到期")


class DeadlinePolicy(models.Model):
    """Key nodes for the cases it matches. For each node, the most specific matching policy
    wins: a category beats its parent, which beats none; a case type and a level each add."""

    name = models.CharField(_("名称"), max_length=80)
    case_type = models.CharField(_("事项类型"), max_length=16, choices=CaseType.choices, blank=True)
    category = models.ForeignKey(
        "cases.Category",
        verbose_name=_("类别"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("上级类别含其下级类别"),
    )
    level = models.CharField(
        _("办理层级"), max_length=16, choices=DivisionLevel.choices, blank=True
    )
    active = models.BooleanField(_("启用"), default=True)
    note = models.TextField(_("依据与说明"), blank=True)

    class Meta:
        verbose_name = _("时限策略")
        verbose_name_plural = _("时限策略")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PolicyNode(models.Model):
    """One key node (关键节点): starts at one action, stops at others, lasts a period."""

    policy = models.ForeignKey(
        DeadlinePolicy, verbose_name=_("策略"), on_delete=models.CASCADE, related_name="nodes"
    )
    code = models.SlugField(_("节点编码"), max_length=40)
    label = models.CharField(_("节点名称"), max_length=60)
    start_action = models.CharField(_("起算操作"), max_length=16, choices=Action.choices)
    stop_actions = models.JSONField(_("完成操作"), default=list)
    per_task = models.BooleanField(
        _("按工单计时"), default=False, help_text=_("每个承办单位的工单各有一个时限（如签收）")
    )
    unit = models.CharField(_("单位"), max_length=16, choices=Unit.choices)
    amount = models.PositiveIntegerField(_("时限"))
    art85 = models.BooleanField(
        _("按民事诉讼法第八十五条计算"),
        default=True,
        help_text=_("自然日：开始日不计入，期间届满日为节假日的顺延至节假日后第一日"),
    )
    warn_unit = models.CharField(_("预警单位"), max_length=16, choices=Unit.choices)
    warn_amount = models.PositiveIntegerField(_("提前预警"))
    extension_max = models.PositiveIntegerField(
        _("最多延期"), default=0, help_text=_("与时限同一单位；0表示不得延期")
    )
    tell_party_on_extension = models.BooleanField(_("延期须告知当事人"), default=False)
    escalate_to = models.CharField(
        _("逾期督办"), max_length=16, choices=EscalateTo.choices, default=EscalateTo.PARENT
    )
    escalate_org = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("督办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    basis = models.CharField(_("法律依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("关键节点")
        verbose_name_plural = _("关键节点")
        constraints = [
            models.UniqueConstraint(fields=["policy", "code"], name="one_node_code_per_policy")
        ]

    def __str__(self) -> str:
        return f"{self.label}（{self.amount}{self.get_unit_display()}）"

    def clean(self) -> None:
        errors = {}
        actions = self.stop_actions if isinstance(self.stop_actions, list) else None
        lifecycle = set(LIFECYCLE_ACTIONS)
        if not actions or not all(isinstance(a, str) and a in lifecycle for a in actions):
            errors["stop_actions"] = _("请列出完成该节点的操作，可选：%(actions)s") % {
                "actions": ", ".join(LIFECYCLE_ACTIONS)
            }
        elif self.start_action in actions:
            errors["stop_actions"] = _("完成操作不能与起算操作相同")
        if self.start_action and self.start_action not in lifecycle:
            errors["start_action"] = _("起算操作应为事项的办理操作")
        if self.amount is not None and not 1 <= self.amount <= AMOUNT_MAX:
            errors["amount"] = _("时限应为1至%(max)d") % {"max": AMOUNT_MAX}
        if self.escalate_to == EscalateTo.ORGANISATION and not self.escalate_org_id:
            errors["escalate_org"] = _("逾期督办选择“指定单位”时须指定督办单位")
        if errors:
            raise ValidationError(errors)


class DeadlineState(models.TextChoices):
    PENDING = "pending", _("未到期")
    WARNED = "warned", _("即将到期")
    BREACHED = "breached", _("已超期")
    MET = "met", _("按期完成")
    PAUSED = "paused", _("已暂停")


class Deadline(models.Model):
    """One node of one case (or of one task): when it started, when it is due, what happened.

    The period is copied from the policy node at the start, so editing a policy changes
    the cases that start afterwards, not the clocks already running."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="deadlines", db_index=False
    )
    task = models.ForeignKey(
        "cases.Task", null=True, blank=True, on_delete=models.CASCADE, related_name="deadlines"
    )
    node = models.ForeignKey(PolicyNode, on_delete=models.PROTECT, related_name="deadlines")
    code = models.SlugField(_("节点编码"), max_length=40)
    label = models.CharField(_("节点名称"), max_length=60)
    unit = models.CharField(_("单位"), max_length=16, choices=Unit.choices)
    amount = models.PositiveIntegerField(_("时限"))
    art85 = models.BooleanField(default=True)
    extension = models.PositiveIntegerField(_("已延期"), default=0)
    started_at = models.DateTimeField(_("起算时间"))
    # Closed pauses as [start, end] ISO strings; an open pause is `paused_at`.
    pauses = models.JSONField(default=list)
    paused_at = models.DateTimeField(_("暂停时间"), null=True, blank=True)
    due_at = models.DateTimeField(_("到期时间"))
    warn_at = models.DateTimeField(_("预警时间"))
    provisional = models.BooleanField(
        _("待日历确认"), default=False, help_text=_("期间跨入尚未录入节假日安排的年份")
    )
    warned_at = models.DateTimeField(_("预警于"), null=True, blank=True)
    breached_at = models.DateTimeField(_("超期于"), null=True, blank=True)
    met_at = models.DateTimeField(_("完成于"), null=True, blank=True)

    class Meta:
        verbose_name = _("事项时限")
        verbose_name_plural = _("事项时限")
        ordering = ["started_at", "pk"]
        indexes = [
            models.Index(fields=["case", "started_at"]),
            # The sweep's two questions, each answered from a small partial index.
            models.Index(
                fields=["warn_at"],
                name="deadline_to_warn",
                condition=Q(met_at=None, paused_at=None, warned_at=None, breached_at=None),
            ),
            models.Index(
                fields=["due_at"],
                name="deadline_to_breach",
                condition=Q(met_at=None, paused_at=None, breached_at=None),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def state(self) -> str:
        if self.met_at:
            return DeadlineState.MET
        if self.paused_at:
            return DeadlineState.PAUSED
        if self.breached_at:
            return DeadlineState.BREACHED
        if self.warned_at:
            return DeadlineState.WARNED
        return DeadlineState.PENDING


class Supervision(models.Model):
    """督办: a supervising organisation's demand that a case move, with a reply deadline.

    Issued automatically when a node is breached, or by a dispatcher or leader by hand."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("事项"), on_delete=models.CASCADE, related_name="supervisions"
    )
    deadline = models.ForeignKey(
        Deadline,
        verbose_name=_("超期节点"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervisions",
    )
    issued_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("督办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("空表示系统自动督办"),
    )
    issuer_org = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("督办单位"), on_delete=models.PROTECT, related_name="+"
    )
    target_org = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("被督办单位"),
        on_delete=models.PROTECT,
        related_name="supervisions",
    )
    reason = models.TextField(_("督办事由"))
    issued_at = models.DateTimeField(_("督办时间"))
    reply_due_at = models.DateTimeField(_("回复期限"))
    replied_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    reply = models.TextField(_("回复内容"), blank=True)

    class Meta:
        verbose_name = _("督办")
        verbose_name_plural = _("督办")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.target_org_id}"


class ExtensionStatus(models.TextChoices):
    REQUESTED = "requested", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("不批准")


class Extension(models.Model):
    """延期: asked for by the organisation that owes a node, decided by a supervisor."""

    deadline = models.ForeignKey(
        Deadline, verbose_name=_("节点"), on_delete=models.CASCADE, related_name="extensions"
    )
    amount = models.PositiveIntegerField(_("延长"))
    reason = models.TextField(_("延期理由"))
    party_told = models.BooleanField(_("已告知当事人延期理由"), default=False)
    requested_by = models.ForeignKey(
        "accounts.User", verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"))
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=ExtensionStatus.choices,
        default=ExtensionStatus.REQUESTED,
    )
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_comment = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.deadline} +{self.amount}"
