"""预约服务: service desks (legal aid, psychological counselling), their time slots, and the
appointments booked in them for a person, by staff or (later) by the citizen on the portal."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from concord.core.crypto import EncryptedTextField
from concord.core.pii import mask_phone

from .choices import AppointmentStatus, DeskKind

SLOT_MINUTES_MIN, SLOT_MINUTES_MAX = 5, 480
CAPACITY_MAX = 200
_CAPACITY = [MinValueValidator(1), MaxValueValidator(CAPACITY_MAX)]


class Desk(models.Model):
    """A service desk with its own agenda: 法律援助窗口 (the justice bureau's), 心理咨询室."""

    code = models.SlugField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    kind = models.CharField(_("服务类型"), max_length=16, choices=DeskKind.choices)
    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("负责单位"),
        on_delete=models.PROTECT,
        related_name="desks",
        help_text=_("该单位的人员接收预约提醒"),
    )
    place = models.CharField(_("地点"), max_length=200, blank=True)
    slot_minutes = models.PositiveSmallIntegerField(
        _("每个时段（分钟）"),
        default=60,
        validators=[MinValueValidator(SLOT_MINUTES_MIN), MaxValueValidator(SLOT_MINUTES_MAX)],
        help_text=_("生成时段时，按办公时间切分的长度"),
    )
    capacity = models.PositiveSmallIntegerField(
        _("每个时段可约人数"), default=1, validators=_CAPACITY
    )
    staff_name = models.CharField(
        _("接待人员"),
        max_length=64,
        blank=True,
        help_text=_("值班律师或心理咨询师，生成时段时填入"),
    )
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("服务窗口")
        verbose_name_plural = pgettext_lazy("plural", "服务窗口")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class Slot(models.Model):
    desk = models.ForeignKey(
        Desk,
        verbose_name=_("服务窗口"),
        on_delete=models.CASCADE,
        related_name="slots",
        db_index=False,  # covered by (desk, starts_at)
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveSmallIntegerField(_("可约人数"), default=1, validators=_CAPACITY)
    staff_name = models.CharField(_("接待人员"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("预约时段")
        verbose_name_plural = pgettext_lazy("plural", "预约时段")
        ordering = ["starts_at", "desk"]
        constraints = [
            models.UniqueConstraint(
                fields=["desk", "starts_at"],
                name="slot_unique_start",
                violation_error_message=_("该窗口在这个开始时间已有时段"),
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="slot_ends_after",
                violation_error_message=_("结束时间应晚于开始时间"),
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1),
                name="slot_capacity_positive",
                violation_error_message=_("可约人数至少为1"),
            ),
        ]
        indexes = [models.Index(fields=["starts_at"], name="slot_start")]

    def __str__(self) -> str:
        start = timezone.localtime(self.starts_at)
        return f"{self.desk} {start:%Y-%m-%d %H:%M}–{timezone.localtime(self.ends_at):%H:%M}"


class Appointment(models.Model):
    """One person's booking of a place in a slot. The phone is encrypted at rest and shown
    masked; `booked_by` is empty for a booking the citizen made on the portal."""

    slot = models.ForeignKey(
        Slot, verbose_name=_("预约时段"), on_delete=models.PROTECT, related_name="appointments"
    )
    name = models.CharField(_("来访人"), max_length=100)
    phone = EncryptedTextField(_("联系电话"))
    phone_hash = models.CharField(max_length=64, db_index=True)
    topic = models.CharField(_("咨询事由"), max_length=200)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("关联事项"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appointments",
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.BOOKED,
    )
    booked_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("预约经办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    booked_at = models.DateTimeField(_("预约时间"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("取消人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancel_reason = models.TextField(_("取消原因"), blank=True)
    marked_at = models.DateTimeField(_("登记到场时间"), null=True, blank=True)
    marked_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Set once, by compare-and-set, by the sweep that sends the day-before reminder.
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = pgettext_lazy("plural", "预约")
        ordering = ["booked_at", "pk"]
        constraints = [
            # One person (by phone) holds at most one place in a slot.
            models.UniqueConstraint(
                fields=["slot", "phone_hash"],
                condition=~Q(status=AppointmentStatus.CANCELLED),
                name="appointment_one_per_phone_and_slot",
            )
        ]
        indexes = [
            models.Index(fields=["slot", "status"], name="appointment_slot_status"),
            # What the reminder sweep reads: bookings not yet reminded.
            models.Index(
                fields=["slot"],
                condition=Q(status=AppointmentStatus.BOOKED, reminded_at=None),
                name="appointment_to_remind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {self.slot_id}"

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def status_choice(self) -> AppointmentStatus:
        return AppointmentStatus(self.status)
