"""Which cases came in through Open311, from which system, with what the spec carries beyond a
case: the media link, the reporter's e-mail and the request's token."""

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concord.core.crypto import EncryptedTextField


def new_token() -> str:
    return secrets.token_hex(16)


class ServiceRequest(models.Model):
    """One Open311 service request: the case it registered and the system that sent it.

    Open311 lists and reads only these rows, so a case registered at a window, by 12345's
    inbound API or on the portal never shows through Open311, and one system never reads
    another's requests."""

    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("事项"),
        on_delete=models.CASCADE,
        related_name="open311_request",
    )
    system = models.ForeignKey(
        "integrations.ExternalSystem",
        verbose_name=_("对接系统"),
        on_delete=models.PROTECT,
        related_name="open311_requests",
        db_index=False,  # covered by (system, requested_at)
    )
    token = models.CharField(_("令牌"), max_length=32, unique=True, default=new_token)
    media_url = models.URLField(_("图片链接"), max_length=500, blank=True)
    # The reporter's e-mail, kept like a party's phone (encrypted at rest, PIPL art. 51): the
    # Party model has no e-mail, and it is the only way back to some reporters.
    email = EncryptedTextField(_("电子邮箱"), blank=True)
    requested_at = models.DateTimeField(_("提交时间"), default=timezone.now)

    class Meta:
        verbose_name = _("Open311 服务请求")
        verbose_name_plural = _("Open311 服务请求")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["system", "-requested_at"])]

    def __str__(self) -> str:
        return f"{self.system_id} → {self.case_id}"
