"""Two doors every request passes after AuthenticationMiddleware and django-otp's
OTPMiddleware: the second factor, then the role's area (三员分立); and the idle timeout of a
signed-in session."""

import time
from functools import cache
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import otp, permissions


@cache
def _second_factor_pages() -> tuple[str, ...]:
    names = ("accounts:otp_verify", "accounts:otp_enrol", "accounts:login", "accounts:logout")
    return (*(reverse(n) for n in names), reverse("set_language"), "/static/")


class SecondFactorMiddleware:
    """An account owing its second factor reaches only the pages that ask for it: pages
    redirect there, the API answers 401. Whatever signed the session in (the login page, a
    test's force_login), an administrator is never let in on a password alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if otp.is_pending(request) and not request.path.startswith(_second_factor_pages()):
            if request.path.startswith("/api/"):
                body = {"detail": _("请先完成两步验证"), "code": "second_factor_required"}
                return JsonResponse(body, status=401)
            page = "accounts:otp_verify"
            if not otp.has_authenticator(request.user):
                page = "accounts:otp_enrol"
            query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
            return redirect(f"{reverse(page)}?{query}" if query else reverse(page))
        return self.get_response(request)


class RoleAreaMiddleware:
    """The security administrator and the auditor (and any role outside CASE_ROLES) reach
    only their own area (accounts.permissions.ROLE_AREAS): no case, list, map or statistic,
    whatever a view would let their organisation see. "/" takes them to their home page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not permissions.may_enter(user, request.path):
            if request.path == "/" and permissions.home_url(user) != "/":
                return redirect(permissions.home_url(user))
            if request.path.startswith("/api/"):
                body = {"detail": _("您的角色不能使用这项功能"), "code": "forbidden"}
                return JsonResponse(body, status=403)
            raise PermissionDenied(_("您的角色不能使用这项功能"))
        return self.get_response(request)


TOUCHED = "_touched"  # when the session was last written for its idle timeout


class IdleSessionMiddleware:
    """A session ends after SESSION_COOKIE_AGE without a request (30 minutes), not 30 minutes
    after sign-in: each request pushes the end back. The session is written at most once a
    minute for it, not on every request (a database write each), so it may end up to a minute
    early. Listed after SessionMiddleware, so that it runs first on the way out."""

    TOUCH_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = request.session
        if session.session_key is not None and not session.is_empty():
            now = int(time.time())
            if now - session.get(TOUCHED, 0) >= self.TOUCH_SECONDS:
                session[TOUCHED] = now  # modified: saved with a new expiry and cookie
        return response


def touched_at_login(sender, request, user, **kwargs) -> None:
    """Signing in saves the session: that is its first touch (user_logged_in receiver)."""
    if request is not None and hasattr(request, "session"):
        request.session[TOUCHED] = int(time.time())
