"""The audit log: append-only, hash-chained (等保 2.0 level 3 安全审计; 网络安全法: kept at least
six months), and the marks the personal-information commands leave.

Each entry carries a gap-free sequence number `seq`, the hash of the entry before it and its own
hash over a canonical serialisation (`concord.audit.chain`): changing, removing or reordering a
row breaks the chain, and `python manage.py verify_audit` names the row. The model refuses to
update or delete a row; on PostgreSQL a trigger refuses it too (migration 0005).
"""

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
    # "Who looked at my data": the auditor's lookup of one person's access record.
    ACCESS_REPORT = "access_report", _("查询个人信息访问记录")
    ANONYMISE = "anonymise", _("匿名化处理")
    KEYS_ROTATED = "keys_rotated", _("轮换加密密钥")
    AUDIT_PURGED = "audit_purged", _("清理过期审计记录")

    @property
    def colour(self) -> str:
        return ACTION_COLOURS.get(self, "slate")


ACTION_COLOURS = {
    AuditAction.REVEAL_PII: "amber",
    AuditAction.EXPORT: "blue",
    AuditAction.LOGIN: "green",
    AuditAction.LOGIN_FAILED: "red",
    AuditAction.TOKEN_ISSUED: "indigo",
    AuditAction.CONFIG_CHANGED: "purple",
    AuditAction.ACCESS_REPORT: "teal",
    AuditAction.ANONYMISE: "grey",
    AuditAction.KEYS_ROTATED: "indigo",
    AuditAction.AUDIT_PURGED: "red",
}


class AppendOnlyError(Exception):
    """An attempt to change or remove an audit entry."""


class AuditQuerySet(models.QuerySet):
    """No bulk writes: each entry is chained one at a time (AuditEntry.save)."""

    def update(self, **kwargs):
        raise AppendOnlyError("audit entries cannot be changed")

    def delete(self):
        raise AppendOnlyError("audit entries cannot be deleted (purge_audit removes old ones)")

    def bulk_create(self, *args, **kwargs):
        raise AppendOnlyError("audit entries are chained one at a time: use audit.models.record")

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError("audit entries cannot be changed")


class AuditEntry(models.Model):
    """Append-only record of access to personal information and other sensitive acts.

    Changes to cases are audited by their own timeline (cases.CaseEvent); this log holds what
    changes nothing but must still be traceable: who saw which ID number, who exported what.
    """

    seq = models.BigIntegerField(_("序号"), unique=True, editable=False)
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
    prev_hash = models.CharField(_("前一条哈希"), max_length=64, editable=False)
    entry_hash = models.CharField(_("本条哈希"), max_length=64, editable=False)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = pgettext_lazy("plural", "审计记录")
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["actor", "created_at"]),
            models.Index(fields=["action", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        """Insert only, at the head of the chain (seq, prev_hash and entry_hash are set here)."""
        if not self._state.adding:
            raise AppendOnlyError("audit entries cannot be changed")
        from .chain import append  # the chain reads this model

        append(self)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit entries cannot be deleted (purge_audit removes old ones)")

    @property
    def colour(self) -> str:
        return ACTION_COLOURS.get(self.action, "slate")


class AuditAnchor(models.Model):
    """Where the chain starts after `purge_audit` removed the entries before `seq`: the hash
    the first kept entry names as its predecessor is trusted from here on. The purge itself is
    an entry in the chain (AUDIT_PURGED) naming the same seq and hash, so an anchor nobody
    recorded is reported by verify_audit."""

    seq = models.BigIntegerField(_("起始序号"), unique=True)
    prev_hash = models.CharField(_("锚定哈希"), max_length=64)
    purged_before = models.DateField(_("清理截止日期"))
    rows_purged = models.PositiveBigIntegerField(_("清理条数"))
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("审计链锚点")
        verbose_name_plural = pgettext_lazy("plural", "审计链锚点")
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.prev_hash[:12]}"


class AnonymisedCase(models.Model):
    """A closed case whose parties' personal data `anonymise_cases` replaced (PIPL art. 47:
    deleted or de-identified once no longer needed); what statistics need stays on the case."""

    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("事项"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="anonymisation",
    )
    anonymised_at = models.DateTimeField(_("匿名化时间"), default=timezone.now)
    parties = models.PositiveIntegerField(_("当事人数"), default=0)
    files_removed = models.PositiveIntegerField(_("删除文件数"), default=0)

    class Meta:
        verbose_name = _("已匿名化事项")
        verbose_name_plural = pgettext_lazy("plural", "已匿名化事项")

    def __str__(self) -> str:
        return str(self.case_id)


def record(*, actor, action: str, obj=None, detail: dict | None = None, ip: str | None = None):
    """Write one audit entry. Callers run it inside the transaction of the act it records: the
    entry is chained under a lock held until that transaction ends (concord.audit.chain)."""
    entry = AuditEntry(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.model_name if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail or {},
        ip=ip,
    )
    entry.save()
    return entry
