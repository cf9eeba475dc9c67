"""Mediators (the expert pool), rooms, the mediations of a case with their sessions, and what
follows a mediation: the agreement, its judicial confirmation, and the way to court."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from concord.cases.models import Case
from concord.orgs.models import Organisation

from .choices import (
    AgreementKind,
    LegalAidReason,
    MediationStatus,
    RoomKind,
    Route,
    Ruling,
    Specialty,
)


class Mediator(models.Model):
    """A people's mediator, professional mediator, lawyer or expert of the pool. `user` links
    the ones who log in (role 调解员); the others are booked by staff."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mediator_profile",
    )
    name = models.CharField(_("姓名"), max_length=64)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("所属调解组织"),
        on_delete=models.PROTECT,
        related_name="mediators",
    )
    specialties = models.JSONField(_("专长领域"), default=list, blank=True)
    certificates = models.TextField(_("资质证书"), blank=True)
    is_lawyer = models.BooleanField(_("执业律师"), default=False)
    active = models.BooleanField(_("在册"), default=True)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking (core.locking): one more on each save.
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        verbose_name = _("调解员")
        verbose_name_plural = pgettext_lazy("plural", "调解员")
        ordering = ["organisation__code", "name"]

    def __str__(self) -> str:
        return self.name

    def specialty_labels(self) -> list[str]:
        labels = dict(Specialty.choices)
        return [str(labels[s]) for s in self.specialties if s in labels]


class Room(models.Model):
    name = models.CharField(_("名称"), max_length=64)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="rooms"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=RoomKind.choices)
    capacity = models.PositiveSmallIntegerField(_("容纳人数"), default=8)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("调解室")
        verbose_name_plural = pgettext_lazy("plural", "调解室")
        ordering = ["organisation__code", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="room_name_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.organisation.name} · {self.name}"


class Mediation(models.Model):
    """One attempt at mediating a case. A case has at most one open mediation at a time; a
    failed or withdrawn one may be followed by another. A succeeded one may carry an
    `Agreement`."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="mediations")
    mediators = models.ManyToManyField(
        Mediator, verbose_name=_("调解员"), related_name="mediations"
    )
    status = models.CharField(
        _("调解状态"),
        max_length=16,
        choices=MediationStatus.choices,
        default=MediationStatus.OPEN,
    )
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
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
    outcome_note = models.TextField(_("调解结果说明"), blank=True)
    rating = models.PositiveSmallIntegerField(_("调解评分"), null=True, blank=True)

    class Meta:
        verbose_name = _("调解")
        verbose_name_plural = pgettext_lazy("plural", "调解")
        ordering = ["-started_at"]
        constraints = [
            # Two people starting a mediation on the same case at once: the second insert fails.
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status=MediationStatus.OPEN),
                name="one_open_mediation_per_case",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="mediation_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.tracking_code} {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status == MediationStatus.OPEN


class Session(models.Model):
    """One sitting of a mediation, in a room or online."""

    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    room = models.ForeignKey(
        Room,
        verbose_name=_("调解室"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    online_link = models.URLField(_("线上会议链接"), max_length=500, blank=True)
    attendees = models.TextField(_("参加人员"), blank=True)
    record = models.TextField(_("调解记录"), blank=True)
    # Optimistic locking of the record (core.locking): one more on each save.
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("安排人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("调解场次")
        verbose_name_plural = pgettext_lazy("plural", "调解场次")
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["room", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(room__isnull=False) | ~Q(online_link=""),
                name="session_room_or_link",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} {self.room or self.online_link}"


class Agreement(models.Model):
    """The mediation agreement (人民调解协议书) of a succeeded mediation, with what 人民调解法
    art. 29 says it states; one per mediation.

    A written agreement takes effect when every party has signed (sealed or fingerprinted),
    the mediator has signed and the committee's seal is applied (art. 29); an oral one on the
    day it is reached (art. 30). `effective_at` is empty until then."""

    mediation = models.OneToOneField(
        Mediation, verbose_name=_("调解"), on_delete=models.CASCADE, related_name="agreement"
    )
    kind = models.CharField(
        _("协议形式"), max_length=16, choices=AgreementKind.choices, default=AgreementKind.WRITTEN
    )
    parties = models.ManyToManyField(
        "cases.Party", verbose_name=_("当事人"), related_name="mediation_agreements"
    )
    facts = models.TextField(_("纠纷主要事实"))
    disputes = models.TextField(_("争议事项"))
    responsibility = models.TextField(_("各方责任"), blank=True)
    terms = models.TextField(_("协议内容"))
    performance_method = models.TextField(_("履行方式"))
    performance_due = models.DateField(_("履行期限"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("制作人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("制作时间"), default=timezone.now)
    parties_signed = models.BooleanField(_("各方当事人已签名（盖章或按指印）"), default=False)
    mediator_signed = models.BooleanField(_("调解员已签名"), default=False)
    sealed = models.BooleanField(_("已加盖人民调解委员会印章"), default=False)
    effective_at = models.DateTimeField(_("生效时间"), null=True, blank=True)
    effective_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The signed paper, scanned: checked by its bytes, stored under a random name.
    scan = models.FileField(_("签字盖章扫描件"), upload_to="agreements/%Y/%m/", blank=True)
    scan_name = models.CharField(_("原文件名"), max_length=255, blank=True)
    scan_type = models.CharField(_("文件类型"), max_length=64, blank=True)
    scan_size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    scan_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    scan_uploaded_at = models.DateTimeField(_("上传时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("调解协议")
        verbose_name_plural = pgettext_lazy("plural", "调解协议")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """The document number, e.g. 虞调协字〔2026〕第12号: the year made and the row's id."""
        year = timezone.localtime(self.created_at).year
        return _("虞调协字〔%(year)d〕第%(number)d号") % {"year": year, "number": self.pk or 0}

    @property
    def is_effective(self) -> bool:
        return self.effective_at is not None


class Confirmation(models.Model):
    """The parties' joint application to a court to confirm the agreement (司法确认,
    人民调解法 art. 33; 民事诉讼法 arts. 205–206), and the court's ruling once made."""

    agreement = models.OneToOneField(
        Agreement, verbose_name=_("调解协议"), on_delete=models.CASCADE, related_name="confirmation"
    )
    court = models.ForeignKey(
        Organisation, verbose_name=_("受理法院"), on_delete=models.PROTECT, related_name="+"
    )
    applied_on = models.DateField(_("申请日期"))
    joint = models.BooleanField(_("双方当事人共同申请"), default=False)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    ruling = models.CharField(_("裁定结果"), max_length=16, choices=Ruling.choices, blank=True)
    ruled_on = models.DateField(_("裁定日期"), null=True, blank=True)
    ruling_number = models.CharField(_("裁定书文号"), max_length=64, blank=True)
    ruling_note = models.TextField(_("裁定说明"), blank=True)
    ruled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("司法确认")
        verbose_name_plural = pgettext_lazy("plural", "司法确认")
        ordering = ["-applied_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ruling="") | Q(ruled_on__isnull=False),
                name="confirmation_ruling_has_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.agreement} {self.get_ruling_display() or self.court}"


class LitigationReferral(models.Model):
    """A case sent on to court-guided mediation (诉讼引调) or to litigation (诉讼) after a
    failed mediation or a rejected confirmation, with a legal-aid referral when a party is
    eligible."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="litigation_referrals", db_index=False
    )
    route = models.CharField(_("去向"), max_length=16, choices=Route.choices)
    court = models.ForeignKey(
        Organisation, verbose_name=_("法院"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("说明"), blank=True)
    legal_aid = models.BooleanField(_("转介法律援助"), default=False)
    aid_reasons = models.JSONField(_("法律援助事由"), default=list, blank=True)
    aid_note = models.TextField(_("法律援助说明"), blank=True)
    aid_org = models.ForeignKey(
        Organisation,
        verbose_name=_("法律援助机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("引导诉讼")
        verbose_name_plural = pgettext_lazy("plural", "引导诉讼")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["case", "route"], name="one_referral_per_route")
        ]

    def __str__(self) -> str:
        return f"{self.case.tracking_code} {self.get_route_display()}"

    def aid_reason_labels(self) -> list[str]:
        labels = dict(LegalAidReason.choices)
        return [str(labels[r]) for r in self.aid_reasons if r in labels]
