"""信访代办 in a real browser: the clerk assigns 刘芳 of 百官街道 as the agent of a petition, the
agent logs an errand from her list, and the case card shows the log and the visits count."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from concord.browser import login_as, shot
from concord.cases.models import Case

pytestmark = pytest.mark.browser


def test_an_agent_runs_an_errand_for_the_petitioner(petition, page):
    detail = f"/cases/{petition.pk}/"
    card = page.locator("#agency")

    login_as(page, "clerk")
    page.goto(detail)
    expect(card.locator(".visits-count")).to_have_text("1")
    form = card.locator("#assign-form")
    form.get_by_label("代办员").select_option(label="刘芳（百官街道矛调中心）")
    form.get_by_label("代办要求").fill("代为向人社局递交工伤认定材料并领取结果")
    card.scroll_into_view_if_needed()
    shot(page, "agency-01-assign")
    form.get_by_role("button", name="指派").click()
    expect(page.locator(".message.success")).to_contain_text("已指派代办员：刘芳")
    expect(card.locator("#agency-agent")).to_have_text("刘芳")
    expect(card.locator(".errands-table")).to_contain_text("尚无代办记录")
    card.scroll_into_view_if_needed()
    shot(page, "agency-02-assigned")

    login_as(page, "baiguan")
    page.goto("/agency/")
    row = page.locator("#my-agencies tbody tr", has_text=petition.tracking_code)
    expect(row).to_contain_text("尚无代办记录")
    expect(row.locator("[data-col=visits]")).to_have_text("1")
    shot(page, "agency-03-list")
    row.locator("details.errand-inline > summary").click()
    errand = row.locator("form.errand-form")
    errand.get_by_label("办理时间").fill(timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    errand.get_by_label("前往部门").fill("上虞区人力资源和社会保障局")
    errand.get_by_label("办理事项（递交/领取材料）").fill("递交工伤认定申请表、病历、劳动关系证明")
    errand.get_by_label("办理结果").fill("材料齐全，窗口已受理")
    errand.get_by_label("下一步").fill("10个工作日后领取工伤认定书")
    shot(page, "agency-04-errand-form")
    errand.get_by_role("button", name="记录").click()
    expect(page.locator(".message.success")).to_contain_text("已记录代办情况")
    expect(row).to_contain_text("上虞区人力资源和社会保障局")
    expect(row.locator("[data-col=days]")).to_have_text("0 天")
    shot(page, "agency-05-logged")

    page.goto(detail)
    expect(card.locator(".errands-table")).to_contain_text("递交工伤认定申请表")
    expect(card.locator("#not-once")).to_have_count(0)
    card.scroll_into_view_if_needed()
    shot(page, "agency-06-card")

    # The petitioner came back a second time: the card says the goal was missed.
    Case.objects.filter(pk=petition.pk).update(visits_count=2)
    page.goto(detail)
    expect(card.locator("#not-once")).to_have_text("未实现“最多跑一次”")
    card.scroll_into_view_if_needed()
    shot(page, "agency-07-not-once")
