"""Signing in, in a real browser: the lockout message, an administrator's first login with
the enrolment of an authenticator, the 两步验证 page at the next login, and the security
administrator's 登录锁定 page."""

import re
import time

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from concord.accounts.models import User
from concord.accounts.testing import authenticator, totp_code
from concord.browser import login_as, shot

pytestmark = pytest.mark.browser


def type_login(page, username: str, password: str) -> None:
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form button[type=submit]")


def next_code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return totp_code(device, at=time.time() + 30)


def test_five_wrong_passwords_show_the_lockout(page):
    page.goto("/accounts/login/")
    for attempt in range(5):
        type_login(page, "clerk", f"Wrong-password-{attempt}")
        page.wait_for_load_state()
    expect(page.locator(".form-errors")).to_contain_text("登录失败次数过多，账号已锁定")
    expect(page.locator(".form-errors")).to_contain_text("请30分钟后再试，或联系安全管理员解锁")
    shot(page, "accounts-01-locked")


def test_admin_enrols_an_authenticator_then_gives_its_code(page):
    login_as(page, "admin")
    expect(page).to_have_url("/accounts/otp/enrol/?next=%2F")
    expect(page.locator("h1")).to_have_text("绑定身份验证器")
    expect(page.locator(".otp-qr svg")).to_be_visible()
    expect(page.locator("#otp-secret")).to_have_text(re.compile(r"^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$"))
    expect(page.locator(".mainnav")).to_have_count(0)  # no top bar before the second factor
    shot(page, "accounts-02-enrol")

    device = TOTPDevice.objects.get(user__username="admin", confirmed=False)
    page.fill("#id_code", totp_code(device))
    page.click("form button[type=submit]")
    expect(page).to_have_url("/")
    expect(page.locator(".messages")).to_contain_text("身份验证器已绑定")
    page.goto("/admin/")
    expect(page.locator("#site-name")).to_be_visible()

    # The next login asks for the code.
    login_as(page, "admin")
    expect(page).to_have_url("/accounts/otp/?next=%2F")
    expect(page.locator("h1")).to_have_text("两步验证")
    shot(page, "accounts-03-verify")
    page.fill("#id_code", "000000")
    page.click("form button[type=submit]")
    expect(page.locator(".errorlist")).to_contain_text("验证码不正确")
    shot(page, "accounts-04-verify-wrong")
    time.sleep(1.2)  # the wait a wrong code imposes
    page.fill("#id_code", next_code(device))
    page.click("form button[type=submit]")
    expect(page).to_have_url("/")
    expect(page.locator(".mainnav")).to_contain_text("系统配置")
    page.locator(".userbox .who a").click()
    expect(page.locator("#second-factor")).to_contain_text("已启用")
    shot(page, "accounts-07-security")


def test_security_admin_unlocks_an_account(page, client):
    for attempt in range(5):
        client.post("/accounts/login/", {"username": "baiguan", "password": f"Wrong-{attempt}x"})
    device = authenticator(User.objects.get(username="secadmin"))
    login_as(page, "secadmin")
    page.fill("#id_code", totp_code(device))
    page.click("form button[type=submit]")
    expect(page).to_have_url("/accounts/lockouts/")
    expect(page.locator(".mainnav")).to_contain_text("账号管理")
    row = page.locator("#lockouts tbody tr", has_text="baiguan")
    expect(row).to_contain_text("刘芳")
    expect(row).to_contain_text("5")
    shot(page, "accounts-05-lockouts")
    row.get_by_role("button", name="解锁").click()
    expect(page.locator(".messages")).to_contain_text("已解除 baiguan 的登录锁定")
    expect(page.locator("#lockouts")).to_contain_text("当前没有被锁定的账号")
    shot(page, "accounts-06-unlocked")
    login_as(page, "baiguan")
    expect(page).to_have_url("/")
