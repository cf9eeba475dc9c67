"""An import job: one uploaded file (or one file given to `import_cases`), checked row by row
and written all or nothing; and the rows it could not take, with their line and reasons."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from concord.core.crypto import EncryptedTextField

from .choices import RUNNING, JobStatus


class ImportJob(models.Model):
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    filename = models.CharField(_("文件名"), max_length=255)
    # Kept (never served) until the import is done, so that a failed or interrupted import can
    # run again; empty for a file given to the command, which reads it where it lies.
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/", blank=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)
    profile = models.CharField(_("格式"), max_length=16)
    source = models.CharField(_("来源系统"), max_length=32)
    create_categories = models.BooleanField(_("自动新建类别"), default=False)

    status = models.CharField(
        _("状态"), max_length=16, choices=JobStatus.choices, default=JobStatus.PREVIEWED
    )
    total = models.PositiveIntegerField(_("数据行（估计）"), null=True, blank=True)
    done = models.PositiveIntegerField(_("已检查"), default=0)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    existing_count = models.PositiveIntegerField(_("已导入过"), default=0)
    bad_count = models.PositiveIntegerField(_("有误行"), default=0)
    categories_created = models.PositiveIntegerField(_("新建类别"), default=0)
    header = models.JSONField(_("表头"), default=list, blank=True)
    # The column mapping and the first rows as checked at upload: names and phones, encrypted.
    preview = EncryptedTextField(_("预览"), blank=True)
    error = models.TextField(_("未导入原因"), blank=True)

    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # Moved on by every progress step: a running job whose heartbeat stopped has died with its
    # process and may be run again.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(_("用时（秒）"), null=True, blank=True)

    class Meta:
        verbose_name = _("批量导入")
        verbose_name_plural = pgettext_lazy("plural", "批量导入")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def status_choice(self) -> JobStatus:
        return JobStatus(self.status)

    @property
    def profile_label(self) -> str:
        from .profiles import PROFILES  # profiles read the case choices, not this module

        profile = PROFILES.get(self.profile)
        return str(profile.label) if profile else self.profile

    @property
    def running(self) -> bool:
        return self.status in RUNNING

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, self.done * 100 // self.total)


class RowProblem(models.Model):
    """A row left out of an import: its line in the file, why, and its cells as read (names,
    phones and ID numbers among them, so encrypted), for the error report."""

    # Covered by the (job, line) index.
    job = models.ForeignKey(
        ImportJob, on_delete=models.CASCADE, related_name="problems", db_index=False
    )
    line = models.PositiveIntegerField(_("行号"))
    reasons = models.TextField(_("原因"))
    values = EncryptedTextField(_("原始内容"), blank=True)

    class Meta:
        verbose_name = _("有误行")
        verbose_name_plural = pgettext_lazy("plural", "有误行")
        ordering = ["job", "line"]
        indexes = [models.Index(fields=["job", "line"])]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.line}"
