from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from concord.core.crypto import EncryptedTextField
from concord.core.pii import mask_id_number, mask_phone
from concord.geo.models import Division, DivisionLevel
from concord.orgs.models import Organisation

from .choices import (
    OPEN_STATUSES,
    Action,
    CaseStatus,
    CaseType,
    Channel,
    PartyRole,
    Result,
    RiskLevel,
    Satisfaction,
    TaskRole,
    TaskStatus,
)


class Category(models.Model):
    """Two-level category tree: 劳动争议/欠薪 › 拖欠工资. Codes are stable, names editable."""

    code = models.SlugField(_("编码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级类别"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("事项类别")
        verbose_name_plural = pgettext_lazy("plural", "事项类别")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.parent.name}/{self.name}" if self.parent_id else self.name


class Case(models.Model):
    """One matter from one source (事项). Only `cases.lifecycle` changes `status`."""

    tracking_code = models.CharField(_("查询码"), max_length=20, unique=True)
    type = models.CharField(_("类型"), max_length=16, choices=CaseType.choices)
    channel = models.CharField(_("来源渠道"), max_length=24, choices=Channel.choices)
    # Foreign keys covered by a composite index below carry no index of their own.
    category = models.ForeignKey(
        Category,
        verbose_name=_("类别"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
    )
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("诉求内容"))

    division = models.ForeignKey(
        Division,
        verbose_name=_("发生地"),
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
    )
    # Denormalised from `division` so town scoping and town statistics are one indexed equality.
    town = models.ForeignKey(
        Division,
        verbose_name=_("乡镇（街道）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="town_cases",
        limit_choices_to={"level": DivisionLevel.TOWN},
        db_index=False,
    )
    address = models.CharField(_("详细地址"), max_length=200, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)

    people_count = models.PositiveIntegerField(_("涉及人数"), default=1)
    amount = models.DecimalField(
        _("涉及金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    risk_level = models.CharField(
        _("风险等级"), max_length=8, choices=RiskLevel.choices, default=RiskLevel.BLUE
    )
    risk_reasons = models.JSONField(_("风险依据"), default=list, blank=True)

    status = models.CharField(
        _("状态"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.REGISTERED
    )
    # Bumped by every change: the compare-and-set guard against lost updates.
    version = models.PositiveIntegerField(default=1)
    handling_level = models.CharField(
        _("办理层级"), max_length=16, choices=DivisionLevel.choices, blank=True
    )
    lead_org = models.ForeignKey(
        Organisation,
        verbose_name=_("主办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_cases",
        db_index=False,
    )
    visits_count = models.PositiveIntegerField(_("来访次数"), default=1)
    hop_count = models.PositiveIntegerField(_("流转退回次数"), default=0)
    reopen_count = models.PositiveIntegerField(_("重新办理次数"), default=0)

    source = models.CharField(_("来源系统"), max_length=32, blank=True)
    source_id = models.CharField(_("来源编号"), max_length=64, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Set when the same matter was registered twice and this copy was merged into the other:
    # the surviving case carries the visit, statistics count only it.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("并入事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_cases",
    )

    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    registered_org = models.ForeignKey(
        Organisation,
        verbose_name=_("登记单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registered_cases",
    )
    received_at = models.DateTimeField(_("收到时间"), default=timezone.now)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("交办时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)

    result = models.CharField(_("办理结果"), max_length=24, choices=Result.choices, blank=True)
    reply = models.TextField(_("答复内容"), blank=True)
    satisfaction = models.CharField(
        _("满意度"), max_length=24, choices=Satisfaction.choices, blank=True
    )
    rating_comment = models.TextField(_("评价意见"), blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("事项")
        verbose_name_plural = pgettext_lazy("plural", "事项")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-received_at"]),
            models.Index(fields=["town", "status"]),
            models.Index(fields=["division", "status"]),
            models.Index(fields=["-received_at", "-id"]),
            models.Index(fields=["category", "-received_at"]),
            models.Index(fields=["channel", "-received_at"]),
            models.Index(fields=["lead_org", "status"]),
            models.Index(fields=["risk_level", "-received_at"]),
            # The statistics' rollup: what changed since its last refresh, and one town's day.
            models.Index(fields=["updated_at"]),
            models.Index(fields=["town", "received_at"]),
            # The command map: the open cases' dots read from the index alone.
            models.Index(
                fields=["town", "risk_level"],
                include=["id", "lng", "lat", "division", "category", "channel"],
                condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="case_open_map_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"],
                condition=~Q(source_id=""),
                name="case_unique_source_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.tracking_code} {self.title}"

    @property
    def status_choice(self) -> CaseStatus:
        return CaseStatus(self.status)

    @property
    def is_group_matter(self) -> bool:
        return self.people_count >= settings.CONCORD["GROUP_MATTER_PEOPLE"]

    @property
    def is_ping_pong(self) -> bool:
        return self.hop_count > settings.CONCORD["PING_PONG_HOPS"]


class Party(models.Model):
    """A person in a case. ID number and phone are encrypted at rest and shown masked."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("当事人身份"), max_length=16, choices=PartyRole.choices)
    name = models.CharField(_("姓名/名称"), max_length=100)
    id_number = EncryptedTextField(_("身份证号"), blank=True)
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True)
    phone = EncryptedTextField(_("联系电话"), blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    address = models.CharField(_("住址"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("当事人")
        verbose_name_plural = pgettext_lazy("plural", "当事人")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class Task(models.Model):
    """One organisation's share of a case (工单): signed for, handled, answered or returned."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("承办单位"),
        on_delete=models.PROTECT,
        related_name="tasks",
        db_index=False,  # covered by (organisation, status)
    )
    role = models.CharField(_("承办方式"), max_length=8, choices=TaskRole.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.PENDING
    )
    assigned_at = models.DateTimeField(_("交办时间"), default=timezone.now)
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签收人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    answer = models.TextField(_("办理反馈"), blank=True)
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    return_reason = models.TextField(_("退回理由"), blank=True)

    class Meta:
        verbose_name = _("工单")
        verbose_name_plural = pgettext_lazy("plural", "工单")
        ordering = ["role", "id"]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            # A center's scope asks, per case, whether it holds a task (cases.scope).
            models.Index(fields=["organisation", "case"]),
        ]

    def __str__(self) -> str:
        return f"{self.case.tracking_code} → {self.organisation}"


class CaseEvent(models.Model):
    """The timeline: one append-only row per change of a case, written in the same transaction."""

    # Covered by the (case, created_at) index.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", db_index=False)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_org = models.ForeignKey(
        Organisation,
        verbose_name=_("操作单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("动作"), max_length=16, choices=Action.choices)
    from_status = models.CharField(
        _("原状态"), max_length=16, choices=CaseStatus.choices, blank=True
    )
    to_status = models.CharField(_("新状态"), max_length=16, choices=CaseStatus.choices)
    comment = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("变更内容"), default=dict, blank=True)

    class Meta:
        verbose_name = _("事项记录")
        verbose_name_plural = pgettext_lazy("plural", "事项记录")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_action_display()}"


class Attachment(models.Model):
    """A file kept with a case (a photo from the field). Never served from MEDIA_URL: only the
    scoped `cases:attachment` view hands it out. Written by `cases.attachments`."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to="attachments/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(_("文件类型"), max_length=64)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = pgettext_lazy("plural", "附件")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class CaseAccess(models.Model):
    """An organisation brought into a case it neither holds a task for nor registered: summoned
    (吹哨报到), invited to a consultation, handed the case in the linkage, asked for a judicial
    confirmation or legal aid. It sees the case from then on. Written by `scope.grant_access`."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="access_grants")
    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.CASCADE, related_name="case_grants"
    )
    reason = models.CharField(_("原因"), max_length=32)
    granted_at = models.DateTimeField(_("授权时间"), default=timezone.now)

    class Meta:
        verbose_name = _("事项查看授权")
        verbose_name_plural = _("事项查看授权")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "case"], name="one_grant_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} → {self.case_id} ({self.reason})"


class IdempotencyKey(models.Model):
    """Remembers which case a POST with an `Idempotency-Key` created, so a retry gets it back."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=128)
    fingerprint = models.CharField(max_length=64)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique_user_key")
        ]

    def __str__(self) -> str:
        return self.key


class TrackingSequence(models.Model):
    """Per-day counter behind tracking codes (SY + yymmdd + sequence)."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day} #{self.last}"
