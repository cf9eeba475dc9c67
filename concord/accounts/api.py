from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from pydantic import field_validator

from concord.api.auth import issue_token
from concord.audit.models import AuditAction, record
from concord.core.errors import Forbidden, InvalidInput, ServiceError
from concord.core.limits import has_control_characters
from concord.portal.throttle import client_ip

from . import lockout, otp

router = Router()


class Credentials(Schema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=256)
    otp: str | None = Field(
        None,
        max_length=16,
        description="两步验证码：身份验证器显示的6位数字或一个备用码；启用了两步验证的账号必填",
    )

    @field_validator("username", "password", "otp")
    @classmethod
    def printable(cls, value: str | None) -> str | None:
        # A NUL would reach the database in the lockout's records (PostgreSQL refuses it).
        if value is not None and has_control_characters(value):
            raise ValueError(_("含有不可见的控制字符"))
        return value


class TokenOut(Schema):
    token: str
    expires_at: str


class BadCredentials(ServiceError):
    status = 401
    code = "bad_credentials"


@router.post("/token", auth=None, response=TokenOut)
def create_token(request: HttpRequest, credentials: Credentials):
    """Exchange a username and password (and the second-factor code, for accounts that have
    one) for a bearer token. Failures count towards the same lockout as the login page."""
    ip = client_ip(request)
    user = authenticate(request, username=credentials.username, password=credentials.password)
    if user is None:
        locked = lockout.is_locked_out(request)
        reason = "locked_out" if locked else "password"
        detail = {"username": credentials.username, "reason": reason}
        record(actor=None, action=AuditAction.LOGIN_FAILED, detail=detail, ip=ip)
        if locked:
            raise lockout.LockedOut(lockout.lockout_message())
        raise BadCredentials(_("用户名或密码错误"))
    if otp.needs_second_factor(user):
        _check_second_factor(request, user, credentials.otp or "", ip)
    key, token = issue_token(user)
    record(actor=user, action=AuditAction.TOKEN_ISSUED, obj=token, ip=ip)
    return {"token": key, "expires_at": token.expires_at.isoformat()}


def _check_second_factor(request: HttpRequest, user, code: str, ip: str) -> None:
    if not otp.has_authenticator(user):
        raise Forbidden(
            _("该账号须使用两步验证，请先登录网页绑定身份验证器，再申请令牌"),
            code="second_factor_enrolment_required",
        )
    if not code.strip():
        raise BadCredentials(
            _("该账号已启用两步验证，请在 otp 字段提供身份验证器显示的6位验证码"),
            field="otp",
            code="second_factor_required",
        )
    try:
        otp.check_code(user, code)
    except InvalidInput as exc:
        detail = {"username": user.username, "reason": "second_factor"}
        record(actor=user, action=AuditAction.LOGIN_FAILED, detail=detail, ip=ip)
        lockout.count_failure(request, user.username)
        if lockout.is_locked_out(request):
            raise lockout.LockedOut(lockout.lockout_message()) from None
        raise BadCredentials(exc.errors["code"], field="otp", code="bad_second_factor") from None
