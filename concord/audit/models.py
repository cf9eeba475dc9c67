from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AuditAction(models.TextChoices):
    REVEAL_PII = "reveal_pii", _("查看完整个人信息")
    EXPORT = "export", _("导出")
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    TOKEN_ISSUED = "token_issued", _("签发令牌")
    CONFIG_CHANGED = "config_changed", _("修改配置")


class AuditEntry(models.Model):
    """Append-only record of access to personal information and other sensitive acts.

    Changes to cases are audited by their own timeline (cases.CaseEvent); this log holds what
    changes nothing but must still be traceable: who saw which ID number, who exported what.
    """

    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    action = models.CharField(_("动作"), max_length=32, choices=AuditAction.choices)
    object_type = models.CharField(_("对象类型"), max_length=32, blank=True)
    object_id = models.CharField(_("对象"), max_length=64, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP"), null=True, blank=True)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = pgettext_lazy("plural", "审计记录")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.get_action_display()}"


def record(*, actor, action: str, obj=None, detail: dict | None = None, ip: str | None = None):
    """Write one audit entry. Callers run it inside the transaction of the act it records."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.model_name if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail or {},
        ip=ip,
    )
