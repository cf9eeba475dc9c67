"""Lockout (django-axes): the 5th wrong password locks the account name, so the 6th attempt
is refused even with the right password, at the login page and the API alike, until the
cool-off ends or the security administrator unlocks it."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from concord.accounts.testing import authenticator, totp_code
from concord.audit.models import AuditAction, AuditEntry
from concord.demo.county import DEMO_PASSWORD

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token"
LOCKED = "登录失败次数过多，账号已锁定"


def login(client: Client, password: str, username: str = "clerk", ip: str = "10.0.0.1"):
    data = {"username": username, "password": password}
    return client.post(LOGIN, data, REMOTE_ADDR=ip)


def token(client: Client, password: str, username: str = "clerk", **extra):
    body = {"username": username, "password": password, **extra}
    return client.post(TOKEN, body, content_type="application/json")


def fail_five_times(client: Client, username: str = "clerk") -> list:
    return [login(client, "wrong-Password-1", username) for _ in range(5)]


def test_six_wrong_passwords_lock_the_login_page_even_for_the_right_one(client, county):
    answers = fail_five_times(client)
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]
    assert "用户名或密码错误" in answers[0].content.decode()
    assert LOCKED in answers[4].content.decode()

    sixth = login(client, DEMO_PASSWORD)
    assert sixth.status_code == 429
    html = sixth.content.decode()
    assert LOCKED in html and "请30分钟后再试，或联系安全管理员解锁" in html
    assert 'id="id_username"' in html  # the login form, with the message on it
    assert client.get("/").status_code == 302  # not signed in
    reasons = list(
        AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).values_list(
            "detail__reason", flat=True
        )
    )
    assert reasons.count("password") == 4 and reasons.count("locked_out") == 2


def test_the_lock_is_on_the_account_name_not_the_address(client, county):
    fail_five_times(client)
    elsewhere = Client()
    assert login(elsewhere, DEMO_PASSWORD, ip="192.168.9.9").status_code == 429
    # The office's other accounts, behind the same address, still sign in.
    assert login(elsewhere, DEMO_PASSWORD, username="dispatcher").status_code == 302


def test_the_api_counts_failures_and_honours_the_lock(client, county):
    for _ in range(4):
        refused = token(client, "wrong-Password-1")
        assert refused.status_code == 401 and refused.json()["code"] == "bad_credentials"
    fifth = token(client, "wrong-Password-1")
    assert fifth.status_code == 429
    sixth = token(client, DEMO_PASSWORD)
    assert sixth.status_code == 429
    assert sixth.json()["code"] == "locked_out" and LOCKED in sixth.json()["detail"]
    assert "token" not in sixth.json()
    # One count for both doors: the page is locked too.
    assert login(Client(), DEMO_PASSWORD).status_code == 429


def test_failures_at_both_doors_add_up(client, county):
    for _ in range(3):
        login(client, "wrong-Password-1")
    token(client, "wrong-Password-1")
    assert token(client, "wrong-Password-1").status_code == 429


def test_a_success_before_the_limit_starts_the_count_again(client, county):
    for _ in range(4):
        login(client, "wrong-Password-1")
    assert login(Client(), DEMO_PASSWORD).status_code == 302
    for _ in range(4):
        assert login(client, "wrong-Password-1").status_code == 200


def test_the_lock_ends_after_the_cool_off(client, county):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail_five_times(client)
    with time_machine.travel(start + dt.timedelta(minutes=29), tick=False):
        assert login(Client(), DEMO_PASSWORD).status_code == 429
    with time_machine.travel(start + dt.timedelta(minutes=61), tick=False):
        assert login(Client(), DEMO_PASSWORD).status_code == 302


def test_without_cool_off_only_the_security_admin_unlocks(client, county, settings):
    settings.AXES_COOLOFF_TIME = None
    fail_five_times(client)
    locked = login(client, DEMO_PASSWORD)
    assert "请联系安全管理员解锁" in locked.content.decode() and "分钟后再试" not in (
        locked.content.decode()
    )


def test_security_admin_lists_and_unlocks_a_locked_account(client, county, web):
    fail_five_times(client)
    fail_five_times(client, username="no-such-account")
    secadmin = web("secadmin")
    page = secadmin.get("/accounts/lockouts/").content.decode()
    assert "clerk" in page and "王晓燕" in page and "no-such-account" in page
    assert "10.0.0.1" in page

    done = secadmin.post("/accounts/lockouts/", {"username": "clerk"}, follow=True)
    assert "已解除 clerk 的登录锁定" in done.content.decode()
    assert "王晓燕" not in done.content.decode()
    assert login(Client(), DEMO_PASSWORD).status_code == 302
    assert token(Client(), DEMO_PASSWORD).status_code == 200
    unlock = AuditEntry.objects.get(action=AuditAction.CONFIG_CHANGED)
    assert unlock.actor.username == "secadmin"
    assert unlock.detail == {"account": "clerk", "change": "unlock", "attempts": 1}


@pytest.mark.parametrize("username", ["admin", "clerk", "auditor"])
def test_only_the_security_admin_unlocks(username, client, county, web):
    fail_five_times(client, username="dispatcher")
    other = web(username)
    assert other.get("/accounts/lockouts/").status_code == 403
    other.post("/accounts/lockouts/", {"username": "dispatcher"})
    assert login(Client(), DEMO_PASSWORD, username="dispatcher").status_code == 429


def test_the_admin_site_actions_unlock_too(client, county, web, persona):
    fail_five_times(client)
    token(Client(), "wrong-Password-1", username="dispatcher")  # one failure, not locked
    secadmin = web("secadmin")
    listing = secadmin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "clerk" in listing.content.decode()
    clerk = persona("clerk")
    secadmin.post("/admin/accounts/user/", {"action": "unlock", "_selected_action": [clerk.pk]})
    assert login(Client(), DEMO_PASSWORD).status_code == 302


def test_wrong_second_factor_codes_count_towards_the_lock(county, persona):
    admin = persona("admin")
    device = authenticator(admin)
    client = Client()
    assert login(client, DEMO_PASSWORD, username="admin")["Location"].startswith("/accounts/otp/")
    answers = [client.post("/accounts/otp/", {"code": "000000"}) for _ in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]
    assert "验证码" in answers[0].content.decode()
    assert LOCKED in answers[4].content.decode()
    # Signed out, and the right password and code no longer help.
    assert client.get("/admin/").status_code == 302
    assert login(Client(), DEMO_PASSWORD, username="admin").status_code == 429
    assert (
        token(Client(), DEMO_PASSWORD, username="admin", otp=totp_code(device)).status_code == 429
    )


def test_a_name_with_control_characters_is_refused_without_error(client, county):
    answer = login(client, "x", username="cl\x00erk")
    assert answer.status_code == 200 and "空字符" in answer.content.decode()
    assert AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED).detail["username"] == "clerk"
