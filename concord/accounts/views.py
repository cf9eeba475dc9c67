"""Signing in (password, then the second factor), the 账号安全 page, and the security
administrator's 登录锁定 page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from concord.audit.models import AuditAction, record
from concord.core.errors import InvalidInput, ServiceError
from concord.portal.throttle import client_ip

from . import lockout, otp, permissions
from .forms import CodeForm, LoginForm


def _next(request: HttpRequest) -> str:
    """The page asked for before signing in, when it is one of ours; else the role's home."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return permissions.home_url(request.user)


def _with_next(name: str, target: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': target})}"


class LoginView(auth_views.LoginView):
    """The password; then, for an account that needs one, the second factor's page."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return permissions.home_url(self.request.user)

    def form_valid(self, form):
        response = super().form_valid(form)  # signs the account in, cycling the session key
        user = form.get_user()
        if otp.begin(self.request, user):
            page = "accounts:otp_verify" if otp.has_authenticator(user) else "accounts:otp_enrol"
            return redirect(_with_next(page, self.get_success_url()))
        record(actor=user, action=AuditAction.LOGIN, ip=client_ip(self.request))
        return response

    def form_invalid(self, form):
        # As typed, less what a database cannot store (a NUL) or a reader cannot see.
        username = "".join(c for c in (form.data.get("username") or "")[:150] if c.isprintable())
        if username:
            reason = "locked_out" if lockout.is_locked_out(self.request) else "password"
            record(
                actor=None,
                action=AuditAction.LOGIN_FAILED,
                detail={"username": username, "reason": reason},
                ip=client_ip(self.request),
            )
        return super().form_invalid(form)


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """两步验证: the code of the account's authenticator (or a backup code)."""
    user = request.user
    if not otp.is_pending(request):
        return redirect(_next(request))
    if not otp.has_authenticator(user):
        return redirect(_with_next("accounts:otp_enrol", _next(request)))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = otp.check_code(user, form.cleaned_data["code"])
        except InvalidInput as exc:
            form.place(exc)
            record(
                actor=user,
                action=AuditAction.LOGIN_FAILED,
                detail={"username": user.username, "reason": "second_factor"},
                ip=client_ip(request),
            )
            lockout.count_failure(request, user.username)
            if lockout.is_locked_out(request):
                logout(request)  # AxesMiddleware answers 429 with this page
                context = {"message": lockout.lockout_message(), "signing_in": True}
                return render(request, "accounts/locked.html", context)
        else:
            otp.complete(request, device)
            return redirect(_next(request))
    context = {"form": form, "next": _next(request), "signing_in": True}
    return render(request, "accounts/otp_verify.html", context)


@login_required
def otp_enrol(request: HttpRequest) -> HttpResponse:
    """绑定身份验证器: a QR code (and the key to type by hand), confirmed by its first code."""
    user = request.user
    pending = otp.is_pending(request)
    if pending and otp.has_authenticator(user):
        # Replacing an authenticator needs the old one first.
        return redirect(_with_next("accounts:otp_verify", _next(request)))
    device = otp.enrolment_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            otp.confirm_enrolment(request, device, form.cleaned_data["code"])
        except InvalidInput as exc:
            form.place(exc)
        else:
            messages.success(request, _("身份验证器已绑定，以后登录时请输入其中显示的验证码"))
            return redirect(_next(request) if pending else reverse("accounts:security"))
    context = {
        "form": form,
        "qr_svg": otp.qr_svg(device),
        "secret": otp.secret_text(device),
        "pending": pending,
        "signing_in": pending,  # no top bar until the second factor is given
        "required": permissions.second_factor_required(user),
        "next": _next(request),
    }
    return render(request, "accounts/otp_enrol.html", context)


@login_required
def security(request: HttpRequest) -> HttpResponse:
    """账号安全: the account's second factor and password."""
    user = request.user
    context = {
        "has_authenticator": otp.has_authenticator(user),
        "required": permissions.second_factor_required(user),
        "backup_left": otp.backup_codes_left(user),
        "disable_form": CodeForm(),
    }
    return render(request, "accounts/security.html", context)


@login_required
@require_POST
def backup_codes(request: HttpRequest) -> HttpResponse:
    try:
        codes = otp.new_backup_codes(request)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("accounts:security")
    return render(request, "accounts/backup_codes.html", {"codes": codes})


@login_required
@require_POST
def otp_disable(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            otp.disable(request, form.cleaned_data["code"])
        except ServiceError as exc:
            messages.error(request, getattr(exc, "errors", {}).get("code") or exc.message)
        else:
            messages.success(request, _("已停用两步验证"))
    else:
        messages.error(request, _("请输入验证码"))
    return redirect("accounts:security")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:security")

    def form_valid(self, form):
        response = super().form_valid(form)
        record(
            actor=self.request.user,
            action=AuditAction.CONFIG_CHANGED,
            detail={"account": self.request.user.username, "change": "password"},
            ip=client_ip(self.request),
        )
        messages.success(self.request, _("密码已修改"))
        return response


@login_required
def lockouts(request: HttpRequest) -> HttpResponse:
    """登录锁定: the account names locked now, each with its unlock button (安全管理员)."""
    if not permissions.manages_accounts(request.user):
        raise PermissionDenied(_("只有安全管理员可以查看登录锁定"))
    if request.method == "POST":
        username = request.POST.get("username", "")[:150]
        try:
            lockout.unlock(actor=request.user, username=username, request=request)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已解除 %(username)s 的登录锁定") % {"username": username})
        return redirect("accounts:lockouts")
    context = {"lockouts": lockout.locked_accounts(), "failure_limit": settings.AXES_FAILURE_LIMIT}
    return render(request, "accounts/lockouts.html", context)
