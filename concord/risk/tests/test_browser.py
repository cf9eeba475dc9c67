"""风险预警 in a real browser: a case that says 跳楼 turns red and reaches the dispatcher's
bell; a wage spike in 百官街道 shows on the warnings page and is closed from there."""

import pytest
from playwright.sync_api import expect

from concord.browser import login_as, shot
from concord.cases.tests.factories import build_case
from concord.risk.spikes import sweep_spikes

from .test_spikes import TODAY, baseline_of_one_a_week, wage_cases

pytestmark = pytest.mark.browser


def test_warnings_page_and_closing_a_warning(page, live_server):
    build_case(title="工人讨薪", description="包工头拖欠工资半年，工人扬言要跳楼。")
    baseline_of_one_a_week()
    wage_cases(8, days_ago=0, every=0.5)
    (warning,) = sweep_spikes(TODAY)

    login_as(page, "dispatcher")
    page.goto("/risk/warnings")
    row = page.locator(f'tr[data-warning="{warning.pk}"]')
    expect(row).to_contain_text("百官街道")
    expect(row).to_contain_text("劳动争议/欠薪")
    expect(row.locator("a.code")).to_have_count(8)
    shot(page, "risk-01-warnings")

    row.get_by_role("button", name="已处置").click()
    expect(page.locator("#spike-warnings")).to_contain_text("没有待处置的预警")
    shot(page, "risk-02-warning-closed")
