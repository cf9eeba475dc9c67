"""Configuring systems in the admin: a new system's key and a generated webhook secret are shown
once; rotating shows the new key once and the old one stops at once; bad subscriptions (a
malformed or unresolvable URL, a 100 KB secret, an unknown event) are refused by name and
nothing is written."""

import re

import pytest

from concord.audit.models import AuditAction, AuditEntry
from concord.integrations.models import ExternalSystem, Webhook

ADD = "/admin/integrations/externalsystem/add/"
LIST = "/admin/integrations/externalsystem/"


def inline(**webhook) -> dict:
    """The webhook inline's management form, with one subscription when given."""
    data = {
        "webhooks-TOTAL_FORMS": "1" if webhook else "0",
        "webhooks-INITIAL_FORMS": "0",
        "webhooks-MIN_NUM_FORMS": "0",
        "webhooks-MAX_NUM_FORMS": "1000",
    }
    for name, value in webhook.items():
        data[f"webhooks-0-{name}"] = value
    return data


SYSTEM = {"code": "grid-app", "name": "网格通", "channel": "grid", "active": "on"}
GOOD_HOOK = {
    "url": "http://127.0.0.1:8099/hook",
    "events": ["accepted", "answered"],
    "active": "on",
}


def shown_once(response) -> list[str]:
    return re.findall(r'<code class="shown-once-value">([^<]+)</code>', response.content.decode())


def test_a_new_system_shows_its_key_and_generated_secret_once(web, system_api):
    admin = web("admin")
    response = admin.post(
        ADD, {**SYSTEM, "scopes": ["cases:create", "cases:read"], **inline(**GOOD_HOOK)}
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    assert "no-store" in response["Cache-Control"]
    key, secret = shown_once(response)
    system = ExternalSystem.objects.get(code="grid-app")
    assert key.startswith("cs_") and system.key_prefix == key[:10]
    assert system.scopes == ["cases:create", "cases:read"]
    assert (system.account.username, system.account.role) == ("system-grid-app", "clerk")
    assert not system.account.has_usable_password()
    webhook = Webhook.objects.get()
    assert webhook.secret == secret and webhook.events == ["accepted", "answered"]
    assert system_api(key).get("/cases").status_code == 200
    # Neither is shown again on the system's page.
    page = admin.get(f"{LIST}{system.pk}/change/").content.decode()
    assert key not in page and secret not in page
    assert 'type="checkbox" name="scopes" value="cases:read"' in page
    assert 'type="checkbox" name="webhooks-0-events" value="closed"' in page
    assert AuditEntry.objects.filter(action=AuditAction.TOKEN_ISSUED, object_id=system.pk)


def test_rotating_shows_the_new_key_once_and_the_old_one_stops(hotline, web, system_api):
    system, old_key = hotline
    response = web("admin").post(LIST, {"action": "rotate", "_selected_action": [system.pk]})
    assert response.status_code == 200
    (new_key,) = shown_once(response)
    assert new_key != old_key
    assert system_api(old_key).get("/cases").status_code == 401
    assert system_api(new_key).get("/cases").status_code == 200
    entry = AuditEntry.objects.get(action=AuditAction.TOKEN_ISSUED)
    assert entry.detail == {"system": "12345", "key": "rotated", "prefix": new_key[:10]}
    assert new_key not in str(entry.detail)


def test_revoking_stops_the_key(hotline, web, system_api):
    system, key = hotline
    web("admin").post(LIST, {"action": "revoke", "_selected_action": [system.pk]})
    assert system_api(key).get("/cases").status_code == 401


def test_an_existing_secret_is_kept_when_the_field_is_left_empty(subscribed, web):
    system = subscribed.system
    page = web("admin").get(f"{LIST}{system.pk}/change/")
    data = {
        # The version the change page was shown (core.admin.OptimisticAdmin).
        "concord_version": page.context["adminform"].form["concord_version"].value(),
        "name": system.name,
        "channel": system.channel,
        "scopes": system.scopes,
        "active": "on",
        "webhooks-TOTAL_FORMS": "1",
        "webhooks-INITIAL_FORMS": "1",
        "webhooks-MIN_NUM_FORMS": "0",
        "webhooks-MAX_NUM_FORMS": "1000",
        "webhooks-0-id": subscribed.pk,
        "webhooks-0-system": system.pk,
        "webhooks-0-url": subscribed.url,
        "webhooks-0-set_secret": "",
        "webhooks-0-events": ["closed"],
        "webhooks-0-active": "on",
    }
    response = web("admin").post(f"{LIST}{system.pk}/change/", data)
    assert response.status_code == 302
    subscribed.refresh_from_db()
    assert (
        subscribed.events == ["closed"] and subscribed.secret == "receiver-shared-secret-0123456789"
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("url", "htp:/receiver", "接收地址只能以 http:// 或 https:// 开头"),
        ("url", "http://", "接收地址缺少主机名"),
        ("url", "http://user:pw@127.0.0.1/hook", "接收地址不能包含用户名或密码"),
        ("url", "http://no-such-host.invalid/hook", "无法解析主机名「no-such-host.invalid」"),
        ("url", "http://169.254.169.254/latest/meta-data", "不允许的网络地址 169.254.169.254"),
        ("url", "http://127.0.0.1:99999/hook", "接收地址格式不正确"),
        ("url", "http://127.0.0.1/" + "a" * 600, "接收地址不能超过500个字符"),
        ("set_secret", "s" * 100_000, "签名密钥应为16至200个字符"),
        ("set_secret", "short", "签名密钥应为16至200个字符"),
        ("events", ["accepted", "rejected"], "未知的事件「rejected」"),
        ("events", [], "请至少订阅一个事件"),
    ],
)
def test_bad_subscriptions_are_refused_by_name_and_nothing_is_written(web, field, value, message):
    hook = {**GOOD_HOOK, field: value}
    response = web("admin").post(ADD, {**SYSTEM, "scopes": ["cases:read"], **inline(**hook)})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ExternalSystem.objects.filter(code="grid-app").exists()
    assert not Webhook.objects.exists()


def test_unknown_scopes_and_taken_account_names_are_refused(web):
    admin = web("admin")
    response = admin.post(ADD, {**SYSTEM, "scopes": ["cases:delete"], **inline()})
    assert "未知的权限「cases:delete」" in response.content.decode()
    made = admin.post(ADD, {**SYSTEM, "code": "x", **inline()})
    assert shown_once(made)[0].startswith("cs_")
    ExternalSystem.objects.filter(code="x").delete()
    again = admin.post(ADD, {**SYSTEM, "code": "x", **inline()})
    assert "账号 system-x 已被占用" in again.content.decode()


def test_the_secret_is_stored_encrypted(subscribed):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM integrations_webhook WHERE id = %s", [subscribed.pk])
        (stored,) = cursor.fetchone()
    assert "receiver-shared-secret" not in stored and stored.startswith("gAAAA")
