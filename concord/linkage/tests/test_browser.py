"""五调联动 in a real browser: the dispatcher hands a case to the procuratorate (检调), records
its reply, and the /linkage/ report counts both."""

import pytest
from playwright.sync_api import expect

from concord.browser import login_as, shot
from concord.cases.choices import Channel
from concord.cases.tests.factories import build_case

pytestmark = pytest.mark.browser
PROCURATORATE, POLICE = "上虞区人民检察院", "绍兴市公安局上虞区分局"


def test_a_case_goes_to_the_procuratorate_and_back(county, page):
    case = build_case("in_progress", channel=Channel.POLICE_110)  # 警调 in, automatically
    card = page.locator("#linkage")

    login_as(page, "dispatcher")
    page.goto(f"/cases/{case.pk}/")
    expect(card.locator('tr[data-type="police"]')).to_contain_text(POLICE)
    card.locator("#linkage-handover > summary").click()
    form = card.locator("#handover-form")
    form.get_by_label("联动类型").select_option(label="检调")
    form.get_by_label("联动单位").select_option(label=POLICE)
    form.get_by_label("移交说明").fill("调解中发现涉嫌虚假诉讼线索，移送检察院审查")
    form.get_by_role("button", name="记录移交").click()
    expect(form.locator(".errorlist")).to_contain_text("联动单位不存在、已停用或不是检察院")
    shot(page, "linkage-01-wrong-partner")
    form.get_by_label("联动单位").select_option(label=PROCURATORATE)
    shot(page, "linkage-02-handover-form")
    form.get_by_role("button", name="记录移交").click()
    expect(page.locator(".message.success")).to_contain_text(f"检调 · 移交联动单位 {PROCURATORATE}")
    sent = card.locator('tr[data-type="procuratorate"][data-direction="out"]')
    expect(sent).to_contain_text("待回复")
    shot(page, "linkage-03-handed-over")

    card.locator("#linkage-return > summary").click()
    reply = card.locator("#return-form")
    answered = reply.locator("option", has_text=f"检调 · {PROCURATORATE}的回复")
    reply.get_by_label("回复哪一次移交").select_option(value=answered.get_attribute("value"))
    reply.get_by_label("办理结果").select_option(label="已处理")
    reply.get_by_label("回复说明").fill("经审查，线索不成立，退回中心继续调解")
    shot(page, "linkage-04-return-form")
    reply.get_by_role("button", name="记录回复").click()
    expect(page.locator(".message.success")).to_contain_text("检调 · 收到回复")
    answer = card.locator('tr[data-type="procuratorate"][data-direction="in"]')
    expect(answer.locator("[data-outcome]")).to_have_text("已处理")
    expect(sent).not_to_contain_text("待回复")
    expect(page.locator("#timeline")).to_contain_text(f"收到{PROCURATORATE}回复（已处理）")
    shot(page, "linkage-05-returned")

    page.goto("/linkage/")
    stats = page.locator("#linkage-stats")
    procuratorate = stats.locator('tr[data-type="procuratorate"]')
    expect(procuratorate.locator("[data-col=in]")).to_have_text("1")
    expect(procuratorate.locator("[data-col=out]")).to_have_text("1")
    expect(procuratorate.locator("[data-col=out_open]")).to_have_text("0")
    police = stats.locator('tr[data-type="police"]')
    expect(police.locator("[data-col=in]")).to_have_text("1")
    expect(police.locator("[data-col=in_open]")).to_have_text("1")
    expect(page.locator("#linkage-recent")).to_contain_text(case.tracking_code)
    shot(page, "linkage-06-report")

    # The court, a partner, sees its own hand-overs only: none of these.
    login_as(page, "court")
    page.goto("/linkage/")
    expect(stats.locator('tr[data-type="court"] [data-col=in]')).to_have_text("0")
    expect(stats.locator('tr[data-type="procuratorate"]')).to_have_count(0)
    expect(page.locator("#linkage-recent")).to_contain_text("期间没有联动移交")
    shot(page, "linkage-07-court-view")
