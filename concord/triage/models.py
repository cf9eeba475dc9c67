from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TriageModel(models.Model):
    """One trained classifier (joblib bytes); the newest row is the one in use."""

    trained_at = models.DateTimeField(_("训练时间"), auto_now_add=True)
    sample_size = models.PositiveIntegerField(_("训练样本数"))
    counts = models.JSONField(_("各类别样本数"), default=dict)
    seconds = models.FloatField(_("训练耗时（秒）"), default=0)
    data = models.BinaryField(_("模型"))

    class Meta:
        verbose_name = _("分类模型")
        verbose_name_plural = pgettext_lazy("plural", "分类模型")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"#{self.pk} ({self.sample_size})"


class Feedback(models.Model):
    """What the clerk was shown at intake and what they chose: the accuracy page's data."""

    case = models.OneToOneField(
        "cases.Case", verbose_name=_("事项"), on_delete=models.CASCADE, related_name="+"
    )
    suggested = models.JSONField(_("推荐类别"), default=list)  # codes, best first
    chosen = models.CharField(_("选定类别"), max_length=64)
    top1 = models.BooleanField(_("首选命中"))
    top3 = models.BooleanField(_("前三命中"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("分类反馈")
        verbose_name_plural = pgettext_lazy("plural", "分类反馈")
        indexes = [models.Index(fields=["chosen"])]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.chosen}"
