"""Deadlines in a real browser: the dispatcher finds an overdue case on 超期督办, the town
center asks for more time on it, the dispatcher approves, and the badge turns green."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from concord.browser import login_as, shot
from concord.cases.tests.factories import build_case
from concord.deadlines.sweep import sweep

pytestmark = pytest.mark.browser
REASON = "需等待司法鉴定结果，预计还需一个月。"


def test_an_overdue_case_is_supervised_and_given_more_time(county, page):
    # In progress at 百官街道 since 45 days ago: its 30-day 办结 node is overdue and 督办ed.
    with time_machine.travel(timezone.now() - dt.timedelta(days=45), tick=False):
        case = build_case("in_progress")
    sweep(timezone.now())
    code, detail = case.tracking_code, f"/cases/{case.pk}/"
    resolve = page.locator("#deadlines tr[data-node=resolve] .dl-badge")

    # The dispatcher opens 超期督办 and finds it, most overdue first.
    login_as(page, "dispatcher")
    page.get_by_role("link", name="超期督办").click()
    expect(page.locator("h1")).to_have_text("超期督办")
    row = page.locator("#overdue tbody tr").first
    expect(row).to_contain_text(code)
    expect(row).to_contain_text("办结")
    expect(row).to_contain_text("百官街道矛调中心")
    expect(row.locator(".dl-badge")).to_have_text("已超期")
    expect(page.locator("#on-time")).to_contain_text("百官街道矛调中心")
    shot(page, "deadlines-01-overdue")
    row.get_by_role("link", name=code).click()
    page.wait_for_url(f"**{detail}")
    expect(resolve).to_have_text("已超期")
    expect(resolve).to_have_css("background-color", "rgb(220, 38, 38)")
    expect(page.locator("#supervisions")).to_contain_text("系统自动督办")
    expect(page.locator("#supervisions")).to_contain_text("百官街道矛调中心")
    shot(page, "deadlines-02-detail")

    # The town center asks for 30 more days; a request beyond the cap is refused in place.
    login_as(page, "baiguan")
    page.goto(detail)
    panel = page.locator("details.extension[data-node=resolve]")
    panel.locator("summary").click()
    form = panel.locator("form")
    form.evaluate("f => { f.noValidate = true; }")  # let the server judge, as it must
    form.get_by_label("延长（自然日）").fill("31")
    form.get_by_label("延期理由").fill(REASON)
    form.get_by_role("button", name="提交延期申请").click()
    expect(panel.locator(".errorlist")).to_contain_text("最多还可延长30自然日")
    shot(page, "deadlines-03-refused")
    panel.get_by_label("延长（自然日）").fill("30")
    panel.get_by_role("button", name="提交延期申请").click()
    expect(page.locator(".message.success")).to_contain_text("已提交「办结」的延期申请")
    expect(page.locator("#pending-extensions")).to_contain_text(REASON)
    expect(resolve).to_have_text("已超期")
    shot(page, "deadlines-04-requested")
    page.get_by_role("link", name="我的工作").click()
    expect(page.locator("#section-handling tr", has_text=code).locator(".dl-badge")).to_have_text(
        "已超期"
    )
    shot(page, "deadlines-04b-inbox")

    # The dispatcher approves: the node is due in the future again.
    login_as(page, "dispatcher")
    page.goto(detail)
    shot(page, "deadlines-05-decide")
    page.locator("#pending-extensions").get_by_role("button", name="批准", exact=True).click()
    expect(page.locator(".message.success")).to_contain_text("已批准「办结」延期30自然日")
    expect(resolve).to_have_text("按期")
    expect(resolve).to_have_css("background-color", "rgb(21, 128, 61)")
    expect(page.locator("#pending-extensions")).to_have_count(0)
    expect(page.locator("#timeline")).to_contain_text("延期30自然日")
    shot(page, "deadlines-06-approved")
    page.get_by_role("link", name="超期督办").click()
    expect(page.locator("#overdue")).not_to_contain_text(code)
    shot(page, "deadlines-07-overdue-cleared")
    page.get_by_role("link", name="事项查询").click()
    expect(page.locator("#case-table tr", has_text=code).locator(".dl-badge")).to_have_text("按期")
    shot(page, "deadlines-08-list")
