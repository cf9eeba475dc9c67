"""3+X in a real browser: the dispatcher calls a joint consultation on a group wage-arrears case
(refused first without its judge and lawyer), records the minutes with two decisions, and
人社局 finds its decision on its 联合会商 page and marks it done."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from concord.browser import login_as, shot
from concord.cases.tests.factories import organisation
from concord.consultations.models import Consultation

pytestmark = pytest.mark.browser
HRSS, UNION = "上虞区人力资源和社会保障局", "上虞区总工会"


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_a_3_plus_x_is_held_and_its_decision_done(group_case, chief, lawyer, page):
    detail = f"/cases/{group_case.pk}/"
    card = page.locator("#consultations")

    login_as(page, "dispatcher")
    page.goto(detail)
    card.locator("#schedule-consultation > summary").click()
    form = card.locator("#consultation-form")
    tomorrow = timezone.localtime() + dt.timedelta(days=1)
    form.get_by_label("会商时间").fill(local(tomorrow.replace(hour=9, minute=30)))
    form.get_by_label("会商地点").fill("区矛调中心三楼会商室")
    form.get_by_label("会商议题").fill("某建筑公司拖欠30名农民工工资，研究化解方案")
    form.get_by_label("首席调解员").select_option(str(chief.pk))
    form.get_by_label(HRSS).check()
    form.get_by_role("button", name="安排会商").click()
    expect(form.locator(".has-error .errorlist")).to_have_text(
        [
            "3+X联合会商须有法官参加，请选择或填写法官",
            "3+X联合会商须有法律援助律师参加，请选择或填写律师",
        ]
    )
    card.scroll_into_view_if_needed()
    shot(page, "consult-01-refused")
    assert Consultation.objects.count() == 0

    form = card.locator("#consultation-form")
    form.get_by_label("法官", exact=True).select_option(label="钱明哲（上虞区人民法院）")
    form.get_by_label("法律援助律师").select_option(str(lawyer.pk))
    form.get_by_label(UNION).check()
    shot(page, "consult-02-form")
    form.get_by_role("button", name="安排会商").click()
    expect(page.locator(".message.success")).to_contain_text("已安排联合会商")
    meeting = card.locator(".consultation")
    expect(meeting.locator(".badge")).to_have_text("待召开")
    expect(meeting.locator(".seat-chips")).to_contain_text("钱明哲")
    expect(meeting.locator(".seat-chips")).to_contain_text(lawyer.name)
    card.scroll_into_view_if_needed()
    shot(page, "consult-03-scheduled")

    consultation = Consultation.objects.get()
    card.locator(f"#minutes-{consultation.pk} > summary").click()
    minutes = card.locator(f"#minutes-form-{consultation.pk}")
    prefix = f"minutes-{consultation.pk}"
    minutes.get_by_label("召开时间").fill(local(timezone.now()))
    minutes.get_by_label(f"相关部门：{UNION}").uncheck()
    minutes.get_by_label("会商纪要").fill(
        "法官释明欠薪纠纷的法律责任，首席调解员提出分期支付方案，律师为工人提供法律援助意见。"
        "各方同意先由人社局责令企业限期支付，街道核对工资清单。"
    )
    today = timezone.localdate()
    rows = [
        ("责令企业于7日内支付拖欠工资", "hrss", today + dt.timedelta(days=7)),
        ("核对30名工人的工资清单", "town-330604001", today + dt.timedelta(days=3)),
    ]
    for i, (text, code, due) in enumerate(rows):
        minutes.locator(f'[name="{prefix}-d{i}_text"]').fill(text)
        minutes.locator(f'[name="{prefix}-d{i}_organisation"]').select_option(
            str(organisation(code).pk)
        )
        minutes.locator(f'[name="{prefix}-d{i}_due_date"]').fill(due.isoformat())
    card.scroll_into_view_if_needed()
    shot(page, "consult-04-minutes-form")
    minutes.get_by_role("button", name="保存会商纪要").click()
    expect(page.locator(".message.success")).to_contain_text("已录入会商纪要")
    expect(meeting.locator(".consultation-head .badge")).to_have_text("已召开")
    decisions = meeting.locator(".decisions-table tbody tr")
    expect(decisions).to_have_count(2)
    expect(decisions.first).to_contain_text("责令企业于7日内支付拖欠工资")
    expect(meeting.locator(f'.seat-chips li:has-text("{UNION}")')).to_contain_text("未到会")
    expect(meeting.get_by_role("link", name="PDF")).to_be_visible()
    card.scroll_into_view_if_needed()
    shot(page, "consult-05-held")

    # 人社局 carries out its decision from its own list.
    login_as(page, "hrss")
    page.goto("/consultations/")
    mine = page.locator("#my-decisions")
    row = mine.locator("tbody tr", has_text="责令企业于7日内支付拖欠工资")
    expect(row.locator(".badge")).to_have_text("办理中")
    expect(mine).not_to_contain_text("核对30名工人的工资清单")
    shot(page, "consult-06-hrss-list")
    row.get_by_label("办理情况").fill("已向企业下达限期支付令，企业已支付全部工资")
    row.get_by_role("button", name="标记完成").click()
    expect(page.locator(".message.success")).to_contain_text("议定事项已办结")
    expect(row.locator(".badge")).to_have_text("已完成")
    shot(page, "consult-07-hrss-done")

    # The dispatcher sees the state on the case card.
    login_as(page, "dispatcher")
    page.goto(detail)
    hrss_row = card.locator(f'tr[data-org="{HRSS}"]')
    expect(hrss_row.locator(".badge")).to_have_text("已完成")
    expect(hrss_row).to_contain_text("已向企业下达限期支付令")
    card.scroll_into_view_if_needed()
    shot(page, "consult-08-dispatcher-card")
