"""预约服务 in a real browser: a clerk books a legal-aid slot for a visitor, linked to a case,
from the case page's link, and finds the booking on the agenda and on the case page."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from concord.appointments.defaults import load_defaults
from concord.appointments.models import Desk
from concord.appointments.slots import generate_week
from concord.browser import login_as, shot
from concord.cases.tests.factories import build_case

pytestmark = pytest.mark.browser


def test_a_clerk_books_legal_aid_for_a_case(county, page):
    load_defaults()
    legal_aid = Desk.objects.get(code="legal-aid")
    next_week = timezone.localdate() + dt.timedelta(days=7)
    assert generate_week(legal_aid, day=next_week)
    case = build_case(
        "in_progress", description="公司拖欠三个月工资，当事人经济困难，想申请法律援助。"
    )

    login_as(page, "clerk")
    page.goto(f"/cases/{case.pk}/")
    card = page.locator("#appointments")
    expect(card).to_contain_text("该事项没有预约")
    card.get_by_role("link", name="预约法律援助窗口").click()
    expect(page.locator("h1")).to_have_text("预约服务")
    form = page.locator("#booking-form")
    expect(form.get_by_label("关联事项查询码")).to_have_value(case.tracking_code)
    shot(page, "appointments-01-desk")

    page.locator("a.btn", has_text="下一周").click()
    page.locator("#agenda-week .book-link").first.click()
    form = page.locator("#booking-form")
    expect(form.get_by_label("关联事项查询码")).to_have_value(case.tracking_code)
    expect(form.get_by_label("预约时段")).not_to_have_value("")
    form.get_by_label("来访人姓名").fill("张秀兰")
    form.get_by_label("联系电话").fill("12345")
    form.get_by_label("咨询事由").fill("欠薪，申请法律援助")
    form.get_by_role("button", name="预约").click()
    expect(form.locator(".errorlist")).to_contain_text("电话号码应为11位手机号")
    shot(page, "appointments-02-refused")
    form.get_by_label("联系电话").fill("13857512345")
    shot(page, "appointments-03-form")
    form.get_by_role("button", name="预约").click()
    expect(page.locator(".message.success")).to_contain_text("已为张秀兰预约法律援助窗口")
    booking = page.locator(".booking", has_text="张秀兰")
    expect(booking).to_contain_text("138****2345")
    expect(booking).to_contain_text(case.tracking_code)
    expect(page.locator("body")).not_to_contain_text("13857512345")
    shot(page, "appointments-04-agenda")

    page.goto(f"/cases/{case.pk}/")
    expect(card.locator("tr[data-appointment]")).to_contain_text("欠薪，申请法律援助")
    expect(card.locator("tr[data-appointment]")).to_contain_text("已预约")
    expect(page.locator("#timeline")).to_contain_text("预约法律援助窗口")
    shot(page, "appointments-05-case-card")
