from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from concord.geo.models import Division

from .choices import PeriodKind, ReportStatus
from .kpis import STORED
from .report_periods import ReportPeriod, title


class Report(models.Model):
    """A monthly or quarterly report of a division's KPIs: an XLSX of tables and a DOCX with
    charts, generated in the background. Asked for by a user, or by the schedule
    (`generated_by` empty), which makes each county report once."""

    division = models.ForeignKey(
        Division, verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+"
    )
    period_kind = models.CharField(_("报表类型"), max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField(_("期间起"))
    # The last day counted: the period's last day, or the day it was asked for when the
    # period was not over yet.
    period_end = models.DateField(_("统计截至"))
    status = models.CharField(
        _("状态"), max_length=8, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    error = models.TextField(_("失败原因"), blank=True)
    xlsx = models.FileField(_("Excel 表格"), upload_to="reports/%Y/", blank=True)
    docx = models.FileField(_("Word 报告"), upload_to="reports/%Y/", blank=True)
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    generated_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("生成人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("统计报表")
        verbose_name_plural = pgettext_lazy("plural", "统计报表")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # Two schedulers running at once still make one scheduled report per period.
            models.UniqueConstraint(
                fields=["division", "period_kind", "period_start"],
                condition=Q(generated_by=None),
                name="dashboard_report_scheduled_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.division_id} {self.period_kind} {self.period_start:%Y-%m}"

    @property
    def period(self) -> ReportPeriod:
        return ReportPeriod.starting(self.period_kind, self.period_start)

    @property
    def title(self) -> str:
        return title(self.division.name, self.period)

    @property
    def partial(self) -> bool:
        """Made before its period was over: counts up to `period_end` only."""
        return self.period_end < self.period.last

    @property
    def state(self) -> ReportStatus:
        return ReportStatus(self.status)


# The KPI rollup (dashboard.rollups): daily counts per town, kept up to date on read.
class IntakeDay(models.Model):
    """The KPI counts of one day's intake in one town (no town: a county-level address):
    `<kpi>_good` and `<kpi>_n` for each KPI of kpis.STORED (added below), and the intake by
    channel and level-1 category in `breakdown`."""

    day = models.DateField()
    town = models.ForeignKey(Division, null=True, on_delete=models.CASCADE, related_name="+")
    breakdown = models.JSONField(default=dict)  # {"channel_<code>" | "category_<pk>": n}

    class Meta:
        indexes = [models.Index(fields=["day", "town"])]

    def __str__(self) -> str:
        return f"{self.day} {self.town_id or '-'}"


# Integer columns, so a year of the county sums in SQL in milliseconds.
for _key in STORED:
    IntakeDay.add_to_class(f"{_key}_good", models.PositiveIntegerField(default=0))
    IntakeDay.add_to_class(f"{_key}_n", models.PositiveIntegerField(default=0))


class RollupMark(models.Model):
    """Up to when the rollup counts every change; one row, locked while refreshing."""

    refreshed_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"rollup refreshed at {self.refreshed_at}"
