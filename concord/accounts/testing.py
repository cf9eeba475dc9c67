"""Test helpers for the second factor: an authenticator's current code, and a test client's
session marked as having given it (what the 两步验证 page does after a right code)."""

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User


def totp_code(device: TOTPDevice, at: float | None = None) -> str:
    """The code the device's authenticator app shows now (or at Unix time `at`)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if at is not None:
        totp.time = at
    return f"{totp.token():0{device.digits}d}"


def authenticator(user: User) -> TOTPDevice:
    """The user's confirmed authenticator, enrolled now when there is none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=True)


def pass_second_factor(client: Client, user: User) -> TOTPDevice:
    """After `client.force_login(user)`: the session is verified by the user's authenticator."""
    device = authenticator(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device
