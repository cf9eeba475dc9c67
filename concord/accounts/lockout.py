"""Login lockout (等保 2.0 身份鉴别 b): django-axes counts the failures of an account name at
every door (login page, API token, second factor); past the limit the name is refused, even
with the right password, until the cool-off ends or the security administrator unlocks it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.audit.models import AuditAction, record
from concord.core.errors import Forbidden, InvalidInput, ServiceError
from concord.portal.throttle import client_ip

from .models import User
from .permissions import manages_accounts


class LockedOut(ServiceError):
    status = 429
    code = "locked_out"


def lockout_message() -> str:
    cool_off = get_cool_off()
    if cool_off is None:
        return _("登录失败次数过多，账号已锁定，请联系安全管理员解锁。")
    return _("登录失败次数过多，账号已锁定。请%(minutes)d分钟后再试，或联系安全管理员解锁。") % {
        "minutes": max(1, round(cool_off.total_seconds() / 60))
    }


def is_locked_out(request: HttpRequest) -> bool:
    """Whether the authentication just tried in this request found, or made, the name locked."""
    return bool(getattr(request, "axes_locked_out", False))


def count_failure(request: HttpRequest, username: str) -> None:
    """A failure axes did not see itself (a wrong second-factor code): it counts towards the
    same limit as a wrong password."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """axes' answer to a locked request (AXES_LOCKOUT_CALLABLE), 429 everywhere: the API's
    JSON error, or the page that was answering (the login form carries the message itself),
    or a page saying so."""
    error = LockedOut(lockout_message())
    if request.path.startswith("/api/"):
        return JsonResponse(error.as_dict(), status=error.status)
    if original_response is not None and original_response.status_code == 200:
        original_response.status_code = error.status
        return original_response
    context = {"message": error.message, "signing_in": True}
    return render(request, "accounts/locked.html", context, status=error.status)


@dataclass(frozen=True)
class Lockout:
    username: str
    failures: int
    last_attempt: datetime
    ip_address: str | None
    until: datetime | None  # None: until unlocked

    @property
    def account(self) -> User | None:
        return User.objects.filter(username=self.username).first()


def locked_accounts() -> list[Lockout]:
    """The account names locked now, the most recent first."""
    attempts = AccessAttempt.objects.all()
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    rows = (
        attempts.values("username")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("-last")
    )
    last_ip = dict(
        attempts.filter(username__in=[r["username"] for r in rows])
        .order_by("attempt_time")
        .values_list("username", "ip_address")
    )
    return [
        Lockout(
            username=r["username"],
            failures=r["failures"],
            last_attempt=r["last"],
            ip_address=last_ip.get(r["username"]),
            until=r["last"] + cool_off if cool_off is not None else None,
        )
        for r in rows
    ]


def unlock(*, actor: User, username: str, request: HttpRequest | None = None) -> int:
    """Forget the failures of `username` (the security administrator's unlock); returns how
    many attempt records were removed."""
    if not manages_accounts(actor):
        raise Forbidden(_("只有安全管理员可以解除登录锁定"))
    if not username:
        raise InvalidInput({"username": _("请指明要解锁的账号")})
    with transaction.atomic():
        removed = reset(username=username)
        record(
            actor=actor,
            action=AuditAction.CONFIG_CHANGED,
            detail={"account": username, "change": "unlock", "attempts": removed},
            ip=client_ip(request) if request is not None else None,
        )
    return removed
