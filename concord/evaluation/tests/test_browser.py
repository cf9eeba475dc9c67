"""评价回访 in a real browser: a domestic dispute resolved at a frozen moment gets visits at
7, 30 and 90 days; the grid worker records the first from the case page; the citizen rates
不满意 on a phone through the rating link; the dispatcher reopens from the review; and the
ranking and the dashboard count the reopen."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from concord.browser import TIMEOUT_MS, login_as, shot
from concord.deadlines.models import Deadline
from concord.evaluation.models import AssessmentScheme

from .conftest import domestic_dispute

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
BAIGUAN = "百官街道矛调中心"


def frozen_moment() -> dt.datetime:
    """An hour ago, but in this month, so that the ranking of this month sees the case."""
    now = timezone.localtime()
    month_start = now.replace(day=1, hour=0, minute=1, second=0, microsecond=0)
    return max(now - dt.timedelta(hours=1), month_start)


def test_visits_rating_review_and_ranking(page, browser, live_server):
    resolved_at = frozen_moment()
    case = domestic_dispute(
        when=resolved_at,
        title="夫妻因家务分工争吵，女方要求调解",
        description="夫妻双方因家务分工长期争吵，女方来中心要求调解。",
    )
    clocks = list(Deadline.objects.filter(case=case, code="follow_up").order_by("due_at"))
    assert [d.amount for d in clocks] == [7, 30, 90]
    detail = f"/cases/{case.pk}/"
    visits = page.locator("#visits")

    # The grid worker finds three visits on the case page, with their 回访 deadlines.
    login_as(page, "grid")
    page.goto(detail)
    rows = visits.locator("tr[data-visit]")
    expect(rows).to_have_count(3)
    for row, clock in zip(rows.all(), clocks, strict=True):
        expect(row).to_contain_text(timezone.localtime(clock.due_at).strftime("%Y-%m-%d"))
        expect(row.locator(".badge")).to_have_text("待回访")
    expect(page.locator("#deadlines tr[data-node=follow_up]")).to_have_count(3)
    page.locator("#evaluation").scroll_into_view_if_needed()
    shot(page, "evaluation-01-visits-planned")

    panel = page.locator('details[data-visit="1"]')
    panel.locator("summary").click()
    form = panel.locator("form")
    form.evaluate("f => { f.noValidate = true; }")  # let the server judge, as it must
    form.get_by_role("button", name="记录回访").click()
    expect(form.locator(".errorlist").first).to_contain_text("请选择回访方式")
    form.get_by_label("上门").check()
    form.get_by_label("稳定", exact=True).check()
    form.get_by_label("回访情况").fill("上门回访，夫妻已按约定分担家务，关系和睦。")
    shot(page, "evaluation-02-record-form")
    form.get_by_role("button", name="记录回访").click()
    expect(page.locator(".message.success")).to_contain_text("已记录第1次回访")
    first = visits.locator('tr[data-visit="1"]')
    expect(first.locator(".badge")).to_have_text("已回访")
    expect(first).to_contain_text("关系和睦")
    expect(visits.locator('tr[data-visit="2"] .badge')).to_have_text("待回访")
    expect(page.locator("#deadlines tr[data-node=follow_up] .dl-badge").first).to_have_text(
        "已完成"
    )
    page.locator("#evaluation").scroll_into_view_if_needed()
    shot(page, "evaluation-03-first-visit-recorded")

    # The clerk copies the rating link for the citizen.
    login_as(page, "clerk")
    page.goto(detail)
    link = page.locator("#rating-link-url").input_value()
    assert "/evaluation/rate/" in link

    # The citizen rates on a phone: 不满意, with a comment.
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    phone.set_default_timeout(TIMEOUT_MS)
    citizen = phone.new_page()
    try:
        citizen.goto(link)
        expect(citizen.locator("h1")).to_have_text("办理结果评价")
        expect(citizen.locator(".facts")).to_contain_text(case.tracking_code)
        citizen.get_by_label("意见建议（可不填）").fill("说好每周分担家务，实际没有做到。")
        shot(citizen, "evaluation-04-citizen-rates")
        citizen.get_by_role("button", name="不满意").click()
        expect(citizen.locator("#rate-done")).to_contain_text("感谢您的评价")
        expect(citizen.locator("#rate-done")).to_contain_text("「不满意」")
        shot(citizen, "evaluation-05-citizen-thanks")
        # The link is used up: a second rating changes nothing.
        citizen.goto(link)
        expect(citizen.get_by_role("button", name="满意")).to_have_count(0)
    finally:
        phone.close()

    # The dispatcher reopens from the review.
    login_as(page, "dispatcher")
    page.goto(detail)
    review = page.locator("#review")
    expect(review).to_contain_text("群众不满意，请复核")
    expect(page.locator("#ratings")).to_contain_text("不满意")
    review.get_by_label("重新办理").check()
    review.get_by_label("复核说明").fill("家务分担约定未落实，退回百官街道重新调解。")
    page.locator("#evaluation").scroll_into_view_if_needed()
    shot(page, "evaluation-06-review")
    review.get_by_role("button", name="提交复核决定").click()
    expect(page.locator(".message.success")).to_contain_text("已处理不满意复核：重新办理")
    expect(page.locator(".case-head .badge").first).to_have_text("办理中")
    expect(page.locator("#evaluation h2")).to_contain_text("已重新办理 1 次")
    expect(visits.locator('tr[data-visit="2"] .badge')).to_have_text("已取消")
    expect(page.locator("#timeline")).to_contain_text("家务分担约定未落实")
    page.locator("#evaluation").scroll_into_view_if_needed()
    shot(page, "evaluation-07-reopened")

    # The ranking counts it: one reopen of one resolution, one dissatisfied rating. A county
    # this small scores on any sample (the admin sets the minimum in the scheme).
    AssessmentScheme.objects.update(min_sample=1)
    month = f"{resolved_at:%Y-%m}"
    page.goto(f"/evaluation/ranking/?month={month}&by=org")
    row = page.locator(f'#ranking tr[data-name="{BAIGUAN}"]')
    expect(row.locator('[data-kpi="reopen"]')).to_have_text("100.0%1/1")
    expect(row.locator('[data-kpi="satisfaction"]')).to_have_text("0.0%0/1")
    # (25×100 on time + 25×0 satisfied + 20×100 resolved + 10×0 reopens + 10×100 returns) / 90
    expect(row.locator('[data-col="score"]')).to_have_text("61.1")
    shot(page, "evaluation-08-ranking")

    # The dashboard counts the reopen (重新办理件数) among the cases received since that day.
    received = f"{timezone.localtime(case.received_at):%Y-%m-%d}"
    page.goto(f"/dashboard/?from={received}")
    reopens = page.locator('#kpi-cards [data-kpi="reopen_count"] .kpi-value')
    expect(reopens).to_have_text("1件")
    # One case is too few to judge its resolution: 样本不足 with its n, never 0%.
    resolution = page.locator('#kpi-cards [data-kpi="resolution_rate"] .kpi-value')
    expect(resolution).to_have_text("样本不足 (n=1)")
    shot(page, "evaluation-09-dashboard")
