import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from concord.orgs.models import Organisation


class Role(models.TextChoices):
    CLERK = "clerk", _("窗口受理员")
    DISPATCHER = "dispatcher", _("指挥调度员")
    HANDLER = "handler", _("承办人")
    MEDIATOR = "mediator", _("调解员")
    GRID = "grid", _("网格员")
    LEADER = "leader", _("领导")
    # 三员分立 (GB/T 22239 level 3): the system administrator configures, the security
    # administrator manages accounts, the auditor reads the audit log; none does another's work.
    ADMIN = "admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDITOR = "auditor", _("安全审计员")


class PeopleQuerySet(models.QuerySet):
    def staff_of(self, organisation) -> "PeopleQuerySet":
        """The people working in an organisation: active accounts, not the service accounts
        other systems and the citizen portal act through."""
        return self.filter(organisation=organisation, is_active=True, service=False)


class PeopleManager(UserManager.from_queryset(PeopleQuerySet)):
    pass


class User(AbstractUser):
    full_name = models.CharField(_("姓名"), max_length=64, blank=True)
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, default=Role.HANDLER)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("所属组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    # The account a connected system or the citizen portal acts through: never signs in,
    # never receives notifications.
    service = models.BooleanField(_("系统账号"), default=False)

    objects = PeopleManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = pgettext_lazy("plural", "用户")

    def __str__(self) -> str:
        return self.full_name or self.username


class APIToken(models.Model):
    """A bearer token for systems and scripts. Only a hash is stored; the key is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = pgettext_lazy("plural", "API 令牌")

    def __str__(self) -> str:
        return gettext("%(user)s 的令牌（%(date)s）") % {
            "user": self.user,
            "date": f"{self.created_at:%Y-%m-%d}",
        }

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(32)
