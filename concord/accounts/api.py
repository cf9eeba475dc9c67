from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from concord.api.auth import issue_token
from concord.audit.models import AuditAction, record
from concord.core.errors import ServiceError

router = Router()


class Credentials(Schema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=256)


class TokenOut(Schema):
    token: str
    expires_at: str


class BadCredentials(ServiceError):
    status = 401
    code = "bad_credentials"


@router.post("/token", auth=None, response=TokenOut)
def create_token(request: HttpRequest, credentials: Credentials):
    """Exchange a username and password for a bearer token."""
    user = authenticate(request, username=credentials.username, password=credentials.password)
    if user is None:
        record(
            actor=None, action=AuditAction.LOGIN_FAILED, detail={"username": credentials.username}
        )
        raise BadCredentials(_("用户名或密码错误"))
    key, token = issue_token(user)
    record(actor=user, action=AuditAction.TOKEN_ISSUED, obj=token)
    return {"token": key, "expires_at": token.expires_at.isoformat()}
