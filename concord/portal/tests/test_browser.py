"""The portal on a phone (390×844): a citizen submits a noise dispute, keeps the tracking code,
tracks the case, and rates it 满意 once 百官街道 has resolved it; another books legal aid.
Screenshots in var/screenshots/portal-*.png."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from concord.accounts.models import User
from concord.appointments.defaults import load_defaults
from concord.appointments.models import Appointment, Desk, Slot
from concord.browser import TIMEOUT_MS, shot
from concord.cases import lifecycle
from concord.cases.choices import CaseStatus, Result
from concord.cases.models import Case
from concord.cases.tests.factories import BAIGUAN, first_village
from concord.evaluation.models import Rating

pytestmark = pytest.mark.browser
PHONE_VIEWPORT = {"width": 390, "height": 844}
MOBILE = "13857501234"
REPLY = "经百官街道矛调中心调解，楼上住户承诺晚上八点后不再施工，并已安装隔音垫。"


@pytest.fixture
def phone(browser, live_server, county, request):
    context = browser.new_context(
        base_url=live_server.url,
        viewport=PHONE_VIEWPORT,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    failures = request.session.testsfailed
    yield tab
    if request.session.testsfailed > failures:
        shot(tab, f"failed-{request.node.name}")
    context.close()


def handle(case: Case) -> Case:
    """The center accepts and assigns to 百官街道, whose handler signs and resolves."""
    users = {u.username: u for u in User.objects.select_related("organisation")}
    baiguan = users["baiguan"]
    case = lifecycle.transition(case, actor=users["clerk"], action="accept")
    case = lifecycle.transition(
        case, actor=users["dispatcher"], action="assign", lead_org=baiguan.organisation_id
    )
    case = lifecycle.transition(case, actor=baiguan, action="sign")
    return lifecycle.transition(
        case, actor=baiguan, action="resolve", result=Result.MEDIATED, reply=REPLY
    )


def test_a_citizen_submits_tracks_and_rates_on_a_phone(phone):
    page = phone
    village = first_village(BAIGUAN)

    page.goto("/portal/")
    expect(page.locator(".p-brand")).to_contain_text("上虞区社会矛盾纠纷调处化解中心")
    expect(page.locator(".p-brand")).to_contain_text("群众服务")
    shot(page, "portal-01-home")

    # 反映矛盾纠纷: where, what, who.
    page.locator("#choice-dispute").click()
    expect(page.get_by_label("反映矛盾纠纷")).to_be_checked()
    page.get_by_label("发生地：乡镇（街道）").select_option(label="百官街道")
    villages = page.locator("#id_village option")
    # Only 百官街道's villages remain to choose from (and the blank).
    expect(villages).to_have_count(village.parent.children.count() + 1)
    page.get_by_label("村（社区）").select_option(label=village.name)
    page.get_by_label("详细地址").fill("3幢2单元")
    page.get_by_label("纠纷类别").select_option("neighbour-noise")
    page.get_by_label("请说明您遇到的问题和诉求").fill(
        "楼上邻居装修长期在夜间施工，晚上十点以后还在电钻，噪音很大，家里老人孩子无法休息。"
        "多次上门沟通无果，希望矛调中心协调。"
    )
    page.get_by_label("您的姓名").fill("王秀兰")
    page.get_by_label("联系电话", exact=True).fill(MOBILE)
    shot(page, "portal-02-form")

    # Forgot the consent: the page says so, nothing is registered.
    page.locator("#submit-button").click()
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.locator(".p-consent .p-errors")).to_contain_text("请阅读并勾选同意个人信息处理说明")
    assert not Case.objects.exists()
    page.locator(".p-consent").scroll_into_view_if_needed()
    shot(page, "portal-03-consent-missing")
    page.locator("#id_consent").check()
    page.locator("#submit-button").click()

    # The tracking code, big, with the advice to keep it.
    expect(page.locator("#submitted h1")).to_have_text("提交成功")
    code = page.locator("#tracking-code").inner_text().strip()
    case = Case.objects.get()
    assert code == case.tracking_code
    assert (case.channel, case.division_id) == ("portal", village.code)
    expect(page.locator(".p-keep")).to_contain_text("请截图或记下查询码")
    shot(page, "portal-04-tracking-code")

    # Tracking: code and the phone's last four digits.
    page.get_by_role("link", name="查询办理进度").click()
    page.get_by_label("查询码").fill(code.lower())
    page.get_by_label("联系电话后4位").fill("9999")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#track-error")).to_have_text(
        "未找到匹配的事项，请核对查询码和联系电话后4位"
    )
    page.get_by_label("联系电话后4位").fill(MOBILE[-4:])
    shot(page, "portal-05-track-form")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#state")).to_have_text("待受理")
    expect(page.locator("#timeline li.ahead")).to_have_count(5)
    shot(page, "portal-06-submitted-progress")

    # 百官街道 handles it and replies.
    handle(case)
    page.reload()
    expect(page.locator("#state")).to_have_text("已办结，请您评价")
    expect(page.locator("#organisation")).to_have_text("百官街道矛调中心")
    expect(page.locator("#timeline")).to_contain_text("百官街道矛调中心已签收，正在办理")
    expect(page.locator("#timeline .p-reply")).to_have_text(REPLY)
    shot(page, "portal-07-resolved")

    # The rating: 满意, with a word of thanks.
    page.get_by_label("意见建议（可不填）").fill("处理及时，谢谢！")
    page.locator("#rate-form").scroll_into_view_if_needed()
    shot(page, "portal-08-rating")
    page.get_by_role("button", name="满意", exact=True).click()
    expect(page.locator(".p-message.success")).to_contain_text("感谢您的评价")
    expect(page.locator("#state")).to_have_text("已评价")
    expect(page.locator("#rated")).to_contain_text("满意")
    expect(page.locator("#rate-form")).to_have_count(0)
    expect(page.locator("#timeline")).to_contain_text("您的评价：满意")
    shot(page, "portal-09-rated")

    case.refresh_from_db()
    assert case.status == CaseStatus.RATED
    rating = Rating.objects.get(case=case)
    assert (rating.satisfaction, rating.channel, rating.comment) == (
        "satisfied",
        "portal",
        "处理及时，谢谢！",
    )

    # Leaving the case: the next person on this phone sees only the lookup form.
    page.locator("#leave").click()
    expect(page.locator("#track-form")).to_be_visible()


def test_a_citizen_books_legal_aid_on_a_phone(phone):
    page = phone
    load_defaults()
    start = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    start += dt.timedelta(days=1)
    desk = Desk.objects.get(code="legal-aid")
    Slot.objects.create(desk=desk, starts_at=start, ends_at=start + dt.timedelta(hours=1))

    page.goto("/portal/")
    page.locator("#choice-book").click()
    expect(page.locator('[data-desk="legal-aid"]')).to_contain_text("近期可约 1 个时段")
    shot(page, "portal-10-desks")
    page.locator('[data-desk="legal-aid"]').click()
    page.get_by_label("选择时段").select_option(index=1)
    page.get_by_label("您的姓名").fill("王秀兰")
    page.get_by_label("联系电话", exact=True).fill(MOBILE)
    page.get_by_label("想咨询的问题").fill("邻居装修噪音，想咨询能否起诉")
    page.locator("#id_consent").check()
    shot(page, "portal-11-booking-form")
    page.get_by_role("button", name="确认预约").click()
    expect(page.locator("#booked h1")).to_have_text("预约成功")
    expect(page.locator("#booked-slot")).to_contain_text("法律援助窗口")
    expect(page.locator("#booked")).to_contain_text("138****1234")
    shot(page, "portal-12-booked")
    assert Appointment.objects.get().booked_by is None
