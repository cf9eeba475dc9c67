"""Enumerations of the appointment service. Statuses carry a badge colour."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DeskKind(models.TextChoices):
    LEGAL_AID = "legal_aid", _("法律援助")
    COUNSELLING = "counselling", _("心理咨询")


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", pgettext_lazy("appointment status", "已预约")
    ATTENDED = "attended", pgettext_lazy("appointment status", "已到")
    NO_SHOW = "no_show", pgettext_lazy("appointment status", "未到")
    CANCELLED = "cancelled", pgettext_lazy("appointment status", "已取消")

    @property
    def colour(self) -> str:
        return {"booked": "blue", "attended": "green", "no_show": "amber", "cancelled": "grey"}[
            self.value
        ]


# The bookings that take a place in their slot: a cancelled one gives it back.
HOLDING = (AppointmentStatus.BOOKED, AppointmentStatus.ATTENDED, AppointmentStatus.NO_SHOW)
