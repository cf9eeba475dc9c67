"""吹哨报到 in a real browser: the dispatcher summons 人社局 and the court to a case, 人社局
signs in and arrives, and the dispatcher sees the states and the timeliness report."""

import pytest
from playwright.sync_api import expect

from concord.browser import login_as, shot
from concord.cases.tests.factories import build_case

pytestmark = pytest.mark.browser
HRSS, COURT = "上虞区人力资源和社会保障局", "上虞区人民法院"


def test_a_summons_is_answered_and_counted(county, page):
    case = build_case("in_progress")
    detail = f"/cases/{case.pk}/"
    card = page.locator("#summons")

    login_as(page, "dispatcher")
    page.goto(detail)
    card.locator("#summon > summary").click()
    form = card.locator("#summons-form")
    form.get_by_label("召集事由").fill("欠薪纠纷，需人社、法院现场会商")
    form.get_by_label("报到地点").fill("区矛调中心三楼调解室")
    form.get_by_role("button", name="吹哨召集").click()
    expect(form.locator(".errorlist")).to_contain_text("请选择要召集的单位")
    shot(page, "summons-01-refused")
    form.get_by_label(HRSS).check()
    form.get_by_label(COURT).check()
    shot(page, "summons-02-form")
    form.get_by_role("button", name="吹哨召集").click()
    expect(page.locator(".message.success")).to_contain_text("已吹哨召集")
    expect(card.locator(f'tr[data-org="{HRSS}"] .badge')).to_have_text("待签到")
    expect(card.locator(f'tr[data-org="{COURT}"] .badge')).to_have_text("待签到")
    shot(page, "summons-03-issued")

    # 人社局 answers from its list of summonses.
    login_as(page, "hrss")
    page.goto("/summons/")
    row = page.locator(f'tr[data-org="{HRSS}"]')
    expect(page.locator("#summons")).to_contain_text(case.tracking_code)
    shot(page, "summons-04-hrss-list")
    row.get_by_role("button", name="签到").click()
    expect(page.locator(".message.success")).to_contain_text("已签到")
    expect(row.locator(".badge")).to_have_text("已签到")
    row.get_by_role("button", name="到场").click()
    expect(page.locator(".message.success")).to_contain_text("已到场")
    expect(row.locator(".badge")).to_have_text("已到场")
    shot(page, "summons-05-hrss-arrived")

    login_as(page, "dispatcher")
    page.goto(detail)
    expect(card.locator(f'tr[data-org="{HRSS}"] .badge')).to_have_text("已到场")
    expect(card.locator(f'tr[data-org="{COURT}"] .badge')).to_have_text("待签到")
    shot(page, "summons-06-dispatcher-states")
    card.get_by_role("link", name="报到及时率").click()
    expect(page.locator("h1")).to_have_text("报到及时率")
    hrss = page.locator(f'#timeliness tr[data-org="{HRSS}"]')
    expect(hrss.locator("[data-col=summoned]")).to_have_text("1")
    expect(hrss.locator("[data-col=arrived_on_time]")).to_have_text("1")
    expect(
        page.locator(f'#timeliness tr[data-org="{COURT}"] [data-col=arrived_on_time]')
    ).to_have_text("0")
    shot(page, "summons-07-timeliness")
