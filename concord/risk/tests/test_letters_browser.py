"""风险提示函 in a real browser: the dispatcher writes one from a red case's page, the town's
handler finds it among the letters awaiting a reply and answers it."""

import pytest
from playwright.sync_api import expect

from concord.browser import login_as, shot
from concord.risk.models import RiskLetter

from .test_letters import red_case

pytestmark = pytest.mark.browser


def test_a_letter_written_from_a_case_and_answered_by_the_town(page, live_server):
    case = red_case()
    login_as(page, "dispatcher")
    page.goto(f"/cases/{case.pk}/")
    page.locator("#risk-letter").click()
    form = page.locator("#letter-form")
    expect(form.get_by_label("函件类型")).to_have_value("warning")
    expect(form.get_by_label("风险情况")).to_contain_text("跳楼")
    form.get_by_label("回复期限（工作日）").fill("0")
    form.get_by_role("button", name="发函").click()
    expect(page.locator("#letter-form .errorlist")).to_contain_text("回复期限至少1个工作日")
    shot(page, "risk-03-letter-form-refused")
    page.locator("#letter-form").get_by_label("回复期限（工作日）").fill("3")
    page.locator("#letter-form").get_by_role("button", name="发函").click()
    expect(page.locator(".case-head h1")).to_contain_text("预警〔")
    expect(page.locator("#letter-text")).to_contain_text("百官街道矛调中心：")
    shot(page, "risk-04-letter")

    page.context.clear_cookies()
    login_as(page, "baiguan")
    page.goto("/risk/letters?status=awaiting")
    letter = RiskLetter.objects.get()
    expect(page.locator(f'tr[data-letter="{letter.pk}"]')).to_contain_text("待回复")
    shot(page, "risk-05-letters-awaiting")
    page.locator(f'tr[data-letter="{letter.pk}"] a').first.click()
    page.get_by_label("回复内容").fill("已落实包案领导，当事人情绪稳定。")
    page.get_by_role("button", name="回复").click()
    expect(page.locator("#letter-reply")).to_contain_text("已落实包案领导")
    expect(page.locator(".case-head .badge")).to_have_text("已回复")
    shot(page, "risk-06-letter-answered")
