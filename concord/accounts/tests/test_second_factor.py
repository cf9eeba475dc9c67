"""The second factor (TOTP): mandatory for the administrators, optional for other staff."""

import datetime as dt
import re
import time
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from concord.accounts.testing import authenticator, totp_code
from concord.audit.models import AuditAction, AuditEntry
from concord.demo.county import DEMO_PASSWORD

LOGIN = "/accounts/login/"
VERIFY = "/accounts/otp/"
ENROL = "/accounts/otp/enrol/"


def sign_in(username: str, next_page: str = "") -> tuple[Client, object]:
    client = Client()
    data = {"username": username, "password": DEMO_PASSWORD, "next": next_page}
    return client, client.post(LOGIN, data)


def later(seconds: int = 60):
    """After the wait a wrong code imposes on its device (1 s, then 2, 4, ...)."""
    return time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(seconds=seconds))


def next_code(device: TOTPDevice) -> str:
    """A code of a later time step than any already used (a code is accepted only once)."""
    device.refresh_from_db()
    return totp_code(device, at=time.time() + 30)


@pytest.mark.parametrize("username", ["admin", "secadmin", "auditor"])
def test_an_administrator_without_authenticator_cannot_reach_any_page(username, persona):
    client = Client()
    client.force_login(persona(username))  # a password alone
    for page in ("/admin/", "/admin/deadlines/calendarday/", "/", "/audit/"):
        answer = client.get(page)
        assert answer.status_code == 302, page
        assert answer["Location"].startswith(f"{ENROL}?next="), page
    api = client.get("/api/v1/cases")
    assert api.status_code == 401 and api.json()["code"] == "second_factor_required"


def test_an_administrator_with_authenticator_is_asked_for_its_code(persona):
    admin = persona("admin")
    authenticator(admin)
    client = Client()
    client.force_login(admin)
    answer = client.get("/admin/")
    assert answer.status_code == 302 and answer["Location"] == f"{VERIFY}?next=%2Fadmin%2F"


def test_admin_enrols_at_first_login_then_reaches_the_admin_site(persona):
    client, answer = sign_in("admin", next_page="/admin/")
    assert answer["Location"] == f"{ENROL}?next=%2Fadmin%2F"
    page = client.get(answer["Location"])
    html = page.content.decode()
    assert "绑定身份验证器" in html and "<svg" in html and "<script>" not in html.split("<main")[1]
    secret = re.search(r'id="otp-secret">([A-Z2-7 ]+)<', html).group(1)
    device = TOTPDevice.objects.get(user=persona("admin"), confirmed=False)
    assert secret.replace(" ", "") in device.config_url
    assert "事项查询" not in html  # no top bar before the second factor

    wrong = client.post(ENROL, {"code": "123456", "next": "/admin/"})
    assert "验证码不正确" in wrong.content.decode()
    assert client.get("/admin/").status_code == 302

    with later():
        right = client.post(ENROL, {"code": next_code(device), "next": "/admin/"})
        assert right.status_code == 302 and right["Location"] == "/admin/"
        assert client.get("/admin/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN, actor=persona("admin")).exists()


def test_admin_with_authenticator_gives_the_code_and_a_wrong_one_is_refused(persona):
    device = authenticator(persona("admin"))
    client, answer = sign_in("admin", next_page="/admin/")
    assert answer["Location"] == f"{VERIFY}?next=%2Fadmin%2F"
    assert "两步验证" in client.get(answer["Location"]).content.decode()

    wrong = client.post(VERIFY, {"code": "000000", "next": "/admin/"})
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    assert client.get("/admin/").status_code == 302
    failed = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failed.detail == {"username": "admin", "reason": "second_factor"}

    # Right away, even the right code waits out the delay the wrong one set.
    hasty = client.post(VERIFY, {"code": next_code(device), "next": "/admin/"})
    assert re.search(r"验证码错误次数过多，请\d+秒后再试", hasty.content.decode())
    with later():
        right = client.post(VERIFY, {"code": next_code(device), "next": "/admin/"})
        assert right["Location"] == "/admin/"
        assert client.get("/admin/").status_code == 200
        assert client.get("/cases/").status_code == 200


def test_a_code_is_accepted_once(persona):
    device = authenticator(persona("admin"))
    code = next_code(device)
    first, _ = sign_in("admin")
    assert first.post(VERIFY, {"code": code})["Location"] == "/"
    second, _ = sign_in("admin")
    assert second.post(VERIFY, {"code": code}).status_code == 200  # refused: replayed


def test_a_clerk_signs_in_without_second_factor(county):
    client, answer = sign_in("clerk")
    assert answer.status_code == 302 and answer["Location"] == "/"
    assert client.get("/").status_code == 200
    assert not TOTPDevice.objects.exists()


def test_a_clerk_may_enable_it_and_is_then_asked_for_it(web, persona):
    client = web("clerk")
    security = client.get("/accounts/security/").content.decode()
    assert "未启用" in security and "启用两步验证" in security
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=persona("clerk"))
    done = client.post(ENROL, {"code": totp_code(device)})
    assert done["Location"] == "/accounts/security/"
    assert "已启用" in client.get("/accounts/security/").content.decode()

    again, answer = sign_in("clerk")
    assert answer["Location"].startswith(VERIFY)
    assert again.get("/cases/").status_code == 302  # pending: only the code page
    assert again.post(VERIFY, {"code": next_code(device)})["Location"] == "/"
    assert again.get("/cases/").status_code == 200


def test_a_clerk_may_turn_it_off_with_a_code_but_an_administrator_may_not(web, persona):
    clerk = web("clerk")
    device = authenticator(persona("clerk"))
    clerk.post("/accounts/otp/disable/", {"code": "000000"})
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    with later():
        clerk.post("/accounts/otp/disable/", {"code": next_code(device)})
    assert not TOTPDevice.objects.filter(user=persona("clerk")).exists()

    admin = web("admin")
    admin_device = TOTPDevice.objects.get(user=persona("admin"))
    refused = admin.post("/accounts/otp/disable/", {"code": next_code(admin_device)}, follow=True)
    assert "管理员账号必须使用两步验证" in refused.content.decode()
    assert TOTPDevice.objects.filter(pk=admin_device.pk).exists()


def test_backup_codes_sign_in_once_each(web, persona):
    codes_page = web("admin").post("/accounts/otp/backup-codes/").content.decode()
    codes = re.findall(r"<li><code>(\w+)</code></li>", codes_page)
    assert len(codes) == 8
    client, _ = sign_in("admin")
    assert client.post(VERIFY, {"code": codes[0]})["Location"] == "/"
    client, _ = sign_in("admin")
    assert client.post(VERIFY, {"code": codes[0]}).status_code == 200
    assert "还剩 7 个备用码" in web("admin").get("/accounts/security/").content.decode()


def test_security_admin_resets_a_lost_authenticator(web, persona):
    admin = persona("admin")
    authenticator(admin)
    web("secadmin").post(
        "/admin/accounts/user/", {"action": "reset_second_factor", "_selected_action": [admin.pk]}
    )
    assert not TOTPDevice.objects.filter(user=admin).exists()
    _, answer = sign_in("admin")
    assert answer["Location"].startswith(ENROL)
    entry = AuditEntry.objects.get(detail__change="second_factor_reset")
    assert entry.actor.username == "secadmin" and entry.object_id == str(admin.pk)


def test_the_system_admin_cannot_reset_anyone(web, persona):
    clerk = persona("clerk")
    device = authenticator(clerk)
    answer = web("admin").post(
        "/admin/accounts/user/", {"action": "reset_second_factor", "_selected_action": [clerk.pk]}
    )
    assert answer.status_code == 403
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_the_admin_site_login_is_the_login_page(client, county):
    answer = client.get("/admin/")
    assert answer.status_code == 302
    login = client.get(answer["Location"])
    assert login.status_code == 302 and login["Location"] == "/accounts/login/?next=/admin/"


class TestToken:
    URL = "/api/v1/auth/token"

    def ask(self, username: str, **extra):
        body = {"username": username, "password": DEMO_PASSWORD, **extra}
        return Client().post(self.URL, body, content_type="application/json")

    def test_an_account_with_authenticator_must_send_its_code(self, persona):
        device = authenticator(persona("admin"))
        missing = self.ask("admin")
        assert missing.status_code == 401
        assert missing.json()["code"] == "second_factor_required"
        assert "otp" in missing.json()["detail"] and missing.json()["field"] == "otp"
        wrong = self.ask("admin", otp="000000")
        assert wrong.status_code == 401 and wrong.json()["code"] == "bad_second_factor"
        with later():
            right = self.ask("admin", otp=next_code(device))
        assert right.status_code == 200 and right.json()["token"]

    def test_an_administrator_without_authenticator_gets_no_token(self, county):
        refused = self.ask("secadmin")
        assert refused.status_code == 403
        assert refused.json()["code"] == "second_factor_enrolment_required"

    def test_a_clerk_without_authenticator_needs_no_code(self, county):
        assert self.ask("clerk").status_code == 200

    def test_a_code_too_long_is_refused_as_input(self, county):
        answer = self.ask("clerk", otp="1" * 17)
        assert answer.status_code == 422 and answer.json()["code"] == "invalid_input"

    @pytest.mark.parametrize("field", ["username", "password", "otp"])
    def test_control_characters_are_refused_as_input(self, field, county):
        body = {"username": "clerk", "password": DEMO_PASSWORD, field: "cl\x00erk"}
        answer = Client().post(self.URL, body, content_type="application/json")
        assert answer.status_code == 422
        assert answer.json()["errors"] == {
            f"credentials.{field}": "Value error, 含有不可见的控制字符"
        }


def test_the_operator_resets_from_the_command_line(persona):
    secadmin = persona("secadmin")
    authenticator(secadmin)
    out = StringIO()
    call_command("reset_second_factor", "secadmin", stdout=out)
    assert "1 second-factor device(s) removed" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=secadmin).exists()
    entry = AuditEntry.objects.get(detail__change="second_factor_reset")
    assert entry.actor is None and entry.detail["by"] == "manage.py"
