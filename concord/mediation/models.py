"""Mediators (the expert pool), rooms, and the mediations of a case with their sessions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from concord.cases.models import Case
from concord.orgs.models import Organisation

from .choices import MediationStatus, RoomKind, Specialty


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
    failed or withdrawn one may be followed by another.

    Hook for the next step: a SUCCEEDED mediation is where the mediation agreement
    (人民调解协议书, 人民调解法 art. 28–29) and the 30-day judicial-confirmation window
    (art. 33) attach; they are not built yet."""

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
