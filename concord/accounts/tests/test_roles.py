"""三员分立: the system administrator configures, the security administrator keeps the
accounts, the auditor reads the audit log, and neither of the last two sees any case."""

import re

import pytest
from django.test import Client

from concord.accounts.models import Role, User
from concord.accounts.permissions import CASE_ROLES, staff_flags
from concord.audit.models import AuditAction, AuditEntry
from concord.cases.scope import visible_cases
from concord.cases.tests.factories import build_case
from concord.core.admin import TOKEN
from concord.dashboard.scope import sees_whole_division

STRONG = "Tiaojie-2026!"


def nav(client: Client, path: str = "/") -> str:
    html = client.get(path, follow=True).content.decode()
    return re.search(r'<nav class="mainnav">(.*?)</nav>', html, re.S).group(1)


@pytest.mark.parametrize("username", ["secadmin", "auditor"])
def test_security_admin_and_auditor_see_no_case(username, persona, api, web):
    build_case()  # in 百官街道; their organisation, the county center, sees every case
    user = persona(username)
    assert user.organisation.code == "county-center"
    assert not visible_cases(user).exists()
    assert not sees_whole_division(user)
    assert visible_cases(persona("clerk")).count() == 1
    client = web(username)
    for page in ("/cases/", "/cases/archive/", "/dashboard/", "/routing/queue/", "/courts/"):
        assert client.get(page).status_code == 403, page
    answer = api(username).get("/cases")
    assert answer.status_code == 403
    assert answer.json()["code"] == "forbidden"


def test_a_role_nobody_has_placed_sees_nothing(county, web):
    build_case()
    center = User.objects.get(username="clerk").organisation
    stranger = User.objects.create_user("newrole", role="archivist", organisation=center)
    assert "archivist" not in CASE_ROLES
    assert not visible_cases(stranger).exists()
    client = Client()
    client.force_login(stranger)
    assert client.get("/cases/").status_code == 403
    assert client.get("/").status_code == 403  # no home of its own: refused, not looping


def test_security_admin_lands_on_the_accounts_and_sees_only_its_menu(web):
    client = web("secadmin")
    home = client.get("/")
    assert home.status_code == 302 and home["Location"] == "/accounts/lockouts/"
    menu = nav(client, "/accounts/security/")
    assert "账号管理" in menu and "登录锁定" in menu and "账号安全" in menu
    assert "事项查询" not in menu and "系统配置" not in menu and "审计日志" not in menu
    for href in re.findall(r'href="([^"]+)"', menu):
        assert client.get(href).status_code == 200, href


def test_auditor_lands_on_the_audit_log_and_sees_only_its_menu(web):
    client = web("auditor")
    home = client.get("/")
    assert home.status_code == 302 and home["Location"] == "/audit/"
    menu = nav(client, "/accounts/security/")
    assert 'href="/audit/"' in menu and "审计日志" in menu
    assert "账号管理" not in menu and "事项查询" not in menu and "系统配置" not in menu
    assert client.get("/admin/").status_code == 403


def test_system_admin_configures_but_cannot_touch_accounts(web, persona):
    admin = web("admin")
    index = admin.get("/admin/").content.decode()
    assert "/admin/deadlines/" in index
    assert "/admin/accounts/user/" not in index and "/admin/axes/" not in index
    assert admin.get("/admin/accounts/user/").status_code == 403
    clerk = persona("clerk")
    change = admin.post(f"/admin/accounts/user/{clerk.pk}/change/", {"role": Role.ADMIN})
    assert change.status_code == 403
    clerk.refresh_from_db()
    assert clerk.role == Role.CLERK
    assert admin.get("/accounts/lockouts/").status_code == 403


def test_security_admin_sees_accounts_but_no_configuration(web):
    client = web("secadmin")
    index = client.get("/admin/").content.decode()
    assert "/admin/accounts/user/" in index and "/admin/axes/accessattempt/" in index
    assert "/admin/deadlines/" not in index and "/admin/audit/" not in index
    assert client.get("/admin/deadlines/calendarday/").status_code == 403
    assert client.get("/admin/accounts/user/").status_code == 200
    assert client.get("/admin/axes/accessattempt/").status_code == 200


def _account_form(**overrides) -> dict:
    return {
        "username": "wangfang",
        "password1": STRONG,
        "password2": STRONG,
        "full_name": "王芳",
        "role": Role.DISPATCHER,
        "organisation": "",
        **overrides,
    }


def test_security_admin_creates_an_account_under_the_password_policy(web):
    client = web("secadmin")
    weak = client.post(
        "/admin/accounts/user/add/", _account_form(password1="tiaojie2026", password2="tiaojie2026")
    )
    assert weak.status_code == 200
    assert "密码须包含大写字母、小写字母、数字、符号中的至少3类" in weak.content.decode()
    assert not User.objects.filter(username="wangfang").exists()

    created = client.post("/admin/accounts/user/add/", _account_form())
    assert created.status_code == 302
    user = User.objects.get(username="wangfang")
    assert user.check_password(STRONG)
    assert (user.role, user.is_staff, user.is_superuser) == (Role.DISPATCHER, False, False)
    entry = AuditEntry.objects.filter(action=AuditAction.CONFIG_CHANGED).first()
    assert entry.detail["account"] == "wangfang" and entry.detail["change"] == "account_created"
    assert entry.actor.username == "secadmin"


def test_security_admin_sets_a_role_and_the_staff_flags_follow(web, persona):
    client = web("secadmin")
    clerk = persona("clerk")
    form = {
        "username": "clerk",
        "full_name": clerk.full_name,
        "role": Role.ADMIN,
        "organisation": clerk.organisation_id,
        "phone": clerk.phone,
        "is_active": "on",
    }
    url = f"/admin/accounts/user/{clerk.pk}/change/"
    response = client.post(url, as_shown(client, url, form))
    assert response.status_code == 302, response.content.decode()[:2000]
    clerk.refresh_from_db()
    assert (clerk.role, clerk.is_staff, clerk.is_superuser) == (Role.ADMIN, True, True)
    form["role"] = Role.CLERK
    form.pop("is_active")  # deactivated
    client.post(url, as_shown(client, url, form))
    clerk.refresh_from_db()
    assert (clerk.role, clerk.is_staff, clerk.is_superuser, clerk.is_active) == (
        Role.CLERK,
        False,
        False,
        False,
    )
    changes = AuditEntry.objects.filter(action=AuditAction.CONFIG_CHANGED, object_id=str(clerk.pk))
    assert changes.count() == 2


def test_security_admin_cannot_raise_or_retire_itself(web, persona):
    client = web("secadmin")
    me = persona("secadmin")
    form = {
        "username": "secadmin",
        "full_name": "林国栋",
        "role": Role.ADMIN,  # and no is_active: would retire the account
        "organisation": me.organisation_id,
        "phone": me.phone,
    }
    url = f"/admin/accounts/user/{me.pk}/change/"
    response = client.post(url, as_shown(client, url, form))
    assert response.status_code == 302  # saved, without the fields it may not change
    me.refresh_from_db()
    assert me.role == Role.SECURITY_ADMIN and me.is_active and not me.is_superuser


@pytest.mark.parametrize("role", Role.values)
def test_staff_flags_follow_the_role(role):
    is_staff, is_superuser = staff_flags(role)
    assert is_staff == (role in (Role.ADMIN, Role.SECURITY_ADMIN))
    assert is_superuser == (role == Role.ADMIN)


def as_shown(client, url: str, form: dict) -> dict:
    """The form with the version the change page carries (core.admin.OptimisticAdmin)."""
    shown = client.get(url).context["adminform"].form
    return {**form, TOKEN: shown.fields[TOKEN].initial}
