"""API authentication: users' bearer tokens, external systems' keys, the browser's session."""

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth

from concord.accounts.models import APIToken, User
from concord.accounts.permissions import may_enter
from concord.core.errors import Forbidden, ServiceError
from concord.integrations.keys import key_from_headers, system_for_key
from concord.integrations.models import Scope

# Writing last_used_at on every request would turn each read into a write.
_TOUCH_EVERY = timedelta(minutes=5)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        if not token or len(token) > 128:
            return None
        now = timezone.now()
        found = (
            APIToken.objects.select_related("user", "user__organisation__division")
            .filter(key_hash=APIToken.hash_key(token), expires_at__gt=now, user__is_active=True)
            .first()
        )
        if found is None:
            return None
        if not may_enter(found.user, request.path):  # the same areas as the pages (三员分立)
            raise Forbidden(_("您的角色不能使用这项功能"))
        if found.last_used_at is None or now - found.last_used_at > _TOUCH_EVERY:
            APIToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


def issue_token(user: User) -> tuple[str, APIToken]:
    """A new token for `user`; the plain key is returned once and never stored."""
    key = APIToken.new_key()
    token = APIToken.objects.create(
        user=user,
        key_hash=APIToken.hash_key(key),
        expires_at=timezone.now() + timedelta(days=settings.CONCORD["API_TOKEN_DAYS"]),
    )
    return key, token


class InvalidKey(ServiceError):
    status = 401
    code = "unauthenticated"


class SystemKeyAuth(APIKeyHeader):
    """An external system's key (`X-API-Key: cs_…` or `Authorization: Bearer cs_…`).

    The system acts as its account (a clerk of the county center), marked `acting_system` so
    that it sees only the cases it sent (cases.scope). `scope` is what the endpoint needs;
    endpoints that do not name one are closed to systems (403). A key that is unknown,
    revoked or replaced is refused (401) whatever else the request carries.
    """

    param_name = "X-API-Key"

    def __init__(self, scope: Scope | None = None) -> None:
        self.scope = scope
        super().__init__()

    def _get_key(self, request: HttpRequest) -> str | None:
        return key_from_headers(request.headers)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        if key is None:
            return None  # not a system: a token or the session may still apply
        system = system_for_key(key)
        if system is None:
            raise InvalidKey(_("对接系统密钥无效、已停用或已被更换"))
        if self.scope is None:
            raise Forbidden(_("对接系统密钥只能用于登记事项和查询本系统送来的事项"))
        if not system.allows(self.scope):
            raise Forbidden(
                _("该对接系统没有「%(scope)s」（%(code)s）权限，请联系管理员开通")
                % {"scope": Scope(self.scope).label, "code": self.scope}
            )
        user = system.account
        user.acting_system = system
        request.user = user
        return user


def for_systems(scope: Scope) -> list:
    """The authentication of an endpoint that systems holding `scope` may call too."""
    return [SystemKeyAuth(scope), TokenAuth(), SessionAuth()]


API_AUTH = [SystemKeyAuth(), TokenAuth(), SessionAuth()]
