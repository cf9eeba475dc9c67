"""Enumerations of imports. Statuses carry a badge colour (the `.badge-*` classes)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class JobStatus(models.TextChoices):
    PREVIEWED = "previewed", pgettext_lazy("import status", "待确认")
    QUEUED = "queued", pgettext_lazy("import status", "排队中")
    CHECKING = "checking", pgettext_lazy("import status", "检查中")
    WRITING = "writing", pgettext_lazy("import status", "写入中")
    DONE = "done", pgettext_lazy("import status", "已完成")
    FAILED = "failed", pgettext_lazy("import status", "未导入")

    @property
    def colour(self) -> str:
        return JOB_COLOURS[self]


JOB_COLOURS = {
    JobStatus.PREVIEWED: "slate",
    JobStatus.QUEUED: "blue",
    JobStatus.CHECKING: "amber",
    JobStatus.WRITING: "amber",
    JobStatus.DONE: "green",
    JobStatus.FAILED: "red",
}
RUNNING = frozenset({JobStatus.QUEUED, JobStatus.CHECKING, JobStatus.WRITING})


class ReportFormat(models.TextChoices):
    CSV = "csv", _("CSV")
    XLSX = "xlsx", _("Excel")
