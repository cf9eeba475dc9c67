"""Enumerations of the statistics reports. States carry a badge colour (the `.badge-*` classes)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月报")
    QUARTER = "quarter", _("季报")


class ReportStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("report status", "排队中")
    RUNNING = "running", pgettext_lazy("report status", "生成中")
    READY = "ready", pgettext_lazy("report status", "已生成")
    FAILED = "failed", pgettext_lazy("report status", "生成失败")

    @property
    def colour(self) -> str:
        return REPORT_COLOURS[self]


REPORT_COLOURS = {
    ReportStatus.PENDING: "grey",
    ReportStatus.RUNNING: "amber",
    ReportStatus.READY: "green",
    ReportStatus.FAILED: "red",
}
