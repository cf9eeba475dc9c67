"""Other systems that send cases in and get answers back (一网归集 / 一网反馈): 12345, 网上信访,
110, the court, … Each has its own API key with its own scopes, and acts through an account of
its own, so every case it registers says who sent it."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from concord.cases.choices import Channel
from concord.core.crypto import EncryptedTextField

from .choices import DeliveryStatus, WebhookEvent


class Scope(models.TextChoices):
    CASES_CREATE = "cases:create", _("登记事项")
    CASES_READ = "cases:read", _("查询本系统送来的事项")
    OPEN311 = "open311", _("Open311 接口")


class ExternalSystem(models.Model):
    code = models.SlugField(
        _("系统编码"),
        max_length=32,
        unique=True,
        help_text=_("也是其事项的来源系统（source），与来源编号一起保证同一工单不重复登记"),
    )
    name = models.CharField(_("系统名称"), max_length=80)
    channel = models.CharField(
        _("默认来源渠道"), max_length=24, choices=Channel.choices, default=Channel.OTHER
    )
    # The account the system acts as: a clerk of the county center without a password.
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("系统账号"),
        on_delete=models.PROTECT,
        related_name="external_system",
    )
    scopes = models.JSONField(_("权限范围"), default=list, blank=True)
    key_prefix = models.CharField(_("密钥前缀"), max_length=12, blank=True)
    key_hash = models.CharField(max_length=64, blank=True, db_index=True)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("对接系统")
        verbose_name_plural = pgettext_lazy("plural", "对接系统")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def allows(self, scope: str) -> bool:
        return self.active and scope in self.scopes


class Webhook(models.Model):
    """Where a system wants to hear about its cases (一网反馈): an URL, the secret that signs
    each delivery, and the events it subscribes to (choices.WebhookEvent)."""

    system = models.ForeignKey(
        ExternalSystem,
        verbose_name=_("对接系统"),
        on_delete=models.CASCADE,
        related_name="webhooks",
    )
    # Checked by webhooks.url_problem, which accepts the intranet's dotless host names.
    url = models.CharField(_("接收地址"), max_length=500)
    # Shared with the receiver, who checks the signature with it: kept encrypted at rest.
    secret = EncryptedTextField(_("签名密钥"))
    events = models.JSONField(_("订阅事件"), default=list)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("回调订阅")
        verbose_name_plural = pgettext_lazy("plural", "回调订阅")
        ordering = ["system", "id"]

    def __str__(self) -> str:
        return f"{self.system.name} → {self.url}"


class WebhookDelivery(models.Model):
    """One event of one case for one subscription: the outbox row, written in the transaction
    that records the event, sent by `webhooks.deliver_webhooks` until delivered or given up."""

    webhook = models.ForeignKey(
        Webhook,
        verbose_name=_("回调订阅"),
        on_delete=models.PROTECT,  # the log outlives a change of mind: deactivate instead
        related_name="deliveries",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("事项"),
        on_delete=models.CASCADE,
        related_name="webhook_deliveries",
    )
    # The timeline event that caused it: one delivery per event and subscription.
    case_event = models.ForeignKey(
        "cases.CaseEvent", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    event = models.CharField(_("事件"), max_length=16, choices=WebhookEvent.choices)
    payload = models.JSONField(_("内容"))
    status = models.CharField(
        _("状态"), max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    # When it is due next; while a sender holds it, the end of the sender's lease.
    next_attempt_at = models.DateTimeField(_("下次发送时间"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("最近发送时间"), null=True, blank=True)
    last_status_code = models.PositiveIntegerField(_("最近响应码"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("回调投递")
        verbose_name_plural = pgettext_lazy("plural", "回调投递")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sender's claim reads only what is still to send.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status=DeliveryStatus.PENDING),
                name="webhook_delivery_due_idx",
            ),
            models.Index(fields=["webhook", "-created_at"]),
            models.Index(fields=["status", "-created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case_event", "webhook"], name="webhook_delivery_once_per_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} {self.case_id} → {self.webhook_id}"

    @property
    def status_choice(self) -> DeliveryStatus:
        return DeliveryStatus(self.status)
