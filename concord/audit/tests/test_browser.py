"""The auditor in a real browser: the audit log searched by actor and action, then the access
report of one person (who looked at their ID number, when, from where)."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from concord.accounts.models import User
from concord.audit.models import AuditAction, record
from concord.browser import shot
from concord.cases.tests.factories import build_case

pytestmark = pytest.mark.browser


def test_audit_search_and_access_report(page, live_server, auditor, session_cookie):
    case, other = build_case("registered"), build_case("registered")
    party = case.parties.first()
    for username, ip in (("clerk", "10.1.2.3"), ("dispatcher", "10.1.2.4")):
        client = Client(REMOTE_ADDR=ip)
        client.force_login(User.objects.get(username=username))
        assert client.post(f"/cases/{case.pk}/parties/{party.pk}/reveal").status_code == 200
    record(actor=User.objects.get(username="leader"), action=AuditAction.EXPORT, ip="10.9.0.1")

    page.context.add_cookies([session_cookie(auditor, live_server.url)])
    page.goto("/audit/")
    expect(page.locator("h1")).to_have_text("审计日志")
    rows = page.locator("#audit-entries tbody tr[data-seq]")
    expect(rows).to_have_count(3)
    shot(page, "audit-01-log")

    page.fill("#id_actor", "clerk")
    page.select_option("#id_action", "reveal_pii")
    page.click("#audit-search button[type=submit]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("10.1.2.3")
    expect(rows.first).to_contain_text("查看完整个人信息")
    shot(page, "audit-02-filtered")

    page.fill("#id_ip", "10.0.0.1; drop")
    page.click("#audit-search button[type=submit]")
    expect(page.locator("#audit-search .errorlist")).to_contain_text("IP 地址格式不正确")

    page.locator(".page-head").get_by_role("link", name="个人信息访问记录").click()
    expect(page.locator("h1")).to_have_text("个人信息访问记录")
    page.fill("#id_id_number", party.id_number)
    page.click("#access-form button[type=submit]")
    expect(page.locator("#access-cases")).to_contain_text(case.tracking_code)
    expect(page.locator("#access-cases")).not_to_contain_text(other.tracking_code)
    entries = page.locator("#audit-entries tbody tr[data-seq]")
    expect(entries).to_have_count(2)
    expect(page.locator("#audit-entries")).to_contain_text("10.1.2.4")
    expect(page.locator("#access-person h2")).to_contain_text(party.id_number_masked)
    shot(page, "audit-03-access-report")

    with page.expect_download() as download:
        page.click("#access-entries button[data-format=xlsx]")
    assert download.value.suggested_filename.startswith("access-report-")
