"""The second factor (等保 2.0 身份鉴别 d): TOTP authenticator apps through django-otp, with
one-time backup codes.

After the password an account that needs a second factor (`needs_second_factor`) is signed in
but *pending*: SecondFactorMiddleware lets it reach only the pages that ask for the code (or,
for an administrator without an authenticator yet, enrol one). The code marks the session
verified (django_otp.login); a wrong code counts as a failed login towards the lockout.
"""

from __future__ import annotations

import math
from base64 import b32encode

import django_otp
import qrcode
import qrcode.image.svg
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from concord.audit.models import AuditAction, record
from concord.core.errors import Forbidden, InvalidInput
from concord.portal.throttle import client_ip

from . import permissions
from .models import User

PENDING_KEY = "concord_second_factor_pending"
AUTHENTICATOR = "身份验证器"  # the device's name; not shown to users
BACKUP = "备用码"
BACKUP_CODES = 8


def needs_second_factor(user: User) -> bool:
    """Mandatory for the administrators; anyone else who enabled it has it too."""
    return permissions.second_factor_required(user) or django_otp.user_has_device(user)


def has_authenticator(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_pending(request: HttpRequest) -> bool:
    """Whether this session's account still owes its second factor. Costs no query for the
    accounts that never need one (the session says so, or the role does not require it)."""
    user = request.user
    if not user.is_authenticated:
        return False
    if request.session.get(PENDING_KEY):
        return True
    return permissions.second_factor_required(user) and not user.is_verified()


def begin(request: HttpRequest, user: User) -> bool:
    """Right after the password: mark the session pending when a second factor is owed."""
    if needs_second_factor(user):
        request.session[PENDING_KEY] = True
        return True
    return False


def complete(request: HttpRequest, device: Device) -> None:
    """The second factor is given: the session is verified from now on."""
    django_otp.login(request, device)
    request.session.pop(PENDING_KEY, None)
    record(
        actor=request.user,
        action=AuditAction.LOGIN,
        detail={"second_factor": device.__class__.__name__},
        ip=client_ip(request),
    )


def check_code(user: User, code: str, devices: list[Device] | None = None) -> Device:
    """The device that accepts `code` (an authenticator's 6 digits or a backup code; by
    default any confirmed device of the user's), else InvalidInput under "code". After a wrong
    code a device refuses every code for a while (1 s, then 2, 4, ...): the message says so."""
    if devices is None:
        devices = list(django_otp.devices_for_user(user))
    wait = wait_message(devices)  # before trying: a wrong code sets a new wait
    code = "".join(code.split())
    if code and len(code) <= 16:
        for device in devices:
            if django_otp.verify_token(user, device.persistent_id, code) is not None:
                return device
    raise InvalidInput({"code": wait or _("验证码不正确，请核对手机上显示的数字后重试")})


def wait_message(devices: list[Device]) -> str:
    """Why codes are refused for now when a device waits after wrong codes, or ""."""
    for device in devices:
        allowed, data = device.verify_is_allowed()
        if not allowed and data and data.get("locked_until"):
            seconds = (data["locked_until"] - timezone.now()).total_seconds()
            return _("验证码错误次数过多，请%(seconds)d秒后再试") % {
                "seconds": max(1, math.ceil(seconds))
            }
    return ""


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def enrolment_device(user: User) -> TOTPDevice:
    """The authenticator being enrolled: the same unconfirmed one until it is confirmed, so a
    reload of the page shows the same QR code."""
    device = TOTPDevice.objects.filter(user=user, name=AUTHENTICATOR, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The key in base32 in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG QR code (no script, no image request)."""
    image = qrcode.make(
        device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=14, border=2
    )
    return image.to_string(encoding="unicode")


def confirm_enrolment(request: HttpRequest, device: TOTPDevice, code: str) -> None:
    """The first code read from the new authenticator proves it works: the device becomes
    the account's (replacing an older one) and this session is verified."""
    user = request.user
    # Checked before the transaction: a refused code must leave its throttling count behind.
    check_code(user, code, [device])
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record(
            actor=user,
            action=AuditAction.CONFIG_CHANGED,
            detail={"account": user.username, "change": "second_factor_enrolled"},
            ip=client_ip(request),
        )
    complete(request, device)


def new_backup_codes(request: HttpRequest) -> list[str]:
    """Fresh one-time backup codes for an account with an authenticator (the old ones stop
    working); shown once."""
    user = request.user
    if not has_authenticator(user):
        raise Forbidden(_("请先绑定身份验证器，再生成备用码"))
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(
            user=user, name=BACKUP, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
        StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
        record(
            actor=user,
            action=AuditAction.CONFIG_CHANGED,
            detail={"account": user.username, "change": "backup_codes"},
            ip=client_ip(request),
        )
    return codes


def disable(request: HttpRequest, code: str) -> None:
    """An account for which the second factor is optional turns it off, proving it holds the
    authenticator once more."""
    user = request.user
    if permissions.second_factor_required(user):
        raise Forbidden(_("管理员账号必须使用两步验证，不能停用"))
    check_code(user, code)
    with transaction.atomic():
        _remove_devices(user)
        record(
            actor=user,
            action=AuditAction.CONFIG_CHANGED,
            detail={"account": user.username, "change": "second_factor_disabled"},
            ip=client_ip(request),
        )
    request.session.pop(PENDING_KEY, None)


def reset(*, actor: User | None, user: User, ip: str | None = None) -> int:
    """The security administrator removes an account's authenticator and backup codes (a lost
    phone): an administrator enrols a new one at the next login. Returns the devices removed.
    `actor` None is the server's operator (`manage.py reset_second_factor`), for the day the
    only security administrator loses their own phone."""
    if actor is not None and not permissions.manages_accounts(actor):
        raise Forbidden(_("只有安全管理员可以重置两步验证"))
    with transaction.atomic():
        removed = _remove_devices(user)
        detail = {"account": user.username, "change": "second_factor_reset"}
        if actor is None:
            detail["by"] = "manage.py"
        record(actor=actor, action=AuditAction.CONFIG_CHANGED, obj=user, detail=detail, ip=ip)
    return removed


def _remove_devices(user: User) -> int:
    return sum(
        model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
        for model in (TOTPDevice, StaticDevice)
    )
