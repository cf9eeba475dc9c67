"""The security auditor of the audit tests: an account with the role, signed in with its
second factor already given (the role requires one), for the test client, the API and the
browser."""

import pytest
from django.conf import settings
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from concord.accounts.models import Role, User
from concord.browser import DEMO_PASSWORD


@pytest.fixture
def auditor(county) -> User:
    user = User.objects.create_user(
        username="auditor_test",
        password=DEMO_PASSWORD,
        full_name="审计员甲",
        role=Role.AUDITOR,
        organisation=User.objects.get(username="admin").organisation,
    )
    TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=True)
    return user


def verified_client(user: User) -> Client:
    """A test client signed in as `user`, the session verified by an authenticator."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def signed_in(county):
    """signed_in(user) → a test client past the password and the second factor."""
    return verified_client


@pytest.fixture
def auditor_web(auditor) -> Client:
    return verified_client(auditor)


@pytest.fixture
def session_cookie():
    """session_cookie(user, base_url) → the cookie a browser context adds to be signed in."""

    def make(user: User, base_url: str) -> dict:
        client = verified_client(user)
        value = client.cookies[settings.SESSION_COOKIE_NAME].value
        return {"name": settings.SESSION_COOKIE_NAME, "value": value, "url": base_url}

    return make
