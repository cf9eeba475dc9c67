"""The case desk in a real browser: the closed loop walked by four people, and the pages around
it (list filters, intake errors, revealing personal data, scope, language)."""

import re

import pytest
from playwright.sync_api import expect

from concord.browser import login_as, shot
from concord.cases.choices import CaseStatus, PartyRole
from concord.cases.models import Case
from concord.cases.services import PartyDraft
from concord.cases.tests.factories import BAIGUAN, CAOE, build_case
from concord.core.pii import id_check_digit

pytestmark = pytest.mark.browser

APPLICANT_ID17 = "33060419850312402"
APPLICANT_ID = APPLICANT_ID17 + id_check_digit(APPLICANT_ID17)
RESPONDENT_ID17 = "33060419790921153"
RESPONDENT_ID = RESPONDENT_ID17 + id_check_digit(RESPONDENT_ID17)
DETAIL_URL = re.compile(r"/cases/(\d+)/$")
DESCRIPTION = "楼上住户连续两个月夜间装修，噪音影响休息，多次协商未果，要求调解。"
REPLY = "经调解，双方约定夜间不再施工，已握手言和。"


def status_badge(page):
    return page.locator(".case-head .badge")


def open_panel(page, action: str):
    """The action's panel on the detail page, opened if it is not already."""
    panel = page.locator(f"details.action[data-action={action}]")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    expect(panel.locator("button[type=submit]")).to_be_visible()
    return panel


def act(page, action: str, status_label: str, **fields) -> None:
    """Open the action's panel, fill its fields (select by label, else type), submit, and wait
    for the page that HX-Redirect loads to show the new status."""
    panel = open_panel(page, action)
    for name, value in fields.items():
        field = panel.locator(f"[name={name}]")
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)
    panel.locator("button[type=submit]").click()
    expect(status_badge(page)).to_have_text(status_label)


def fill_intake(page, *, applicant_id: str = APPLICANT_ID) -> None:
    """The walk-in form: a dispute in a village of 百官街道 between two neighbours."""
    page.goto("/")
    page.get_by_role("link", name="事项登记").click()
    expect(page.locator("h1")).to_contain_text("事项登记")
    page.select_option("#id_type", label="矛盾纠纷")
    page.select_option("#id_channel", label="窗口来访")
    page.select_option("#id_category", label="噪音扰民")
    page.fill("#id_title", "楼上装修噪音扰民纠纷")
    page.fill("#id_description", DESCRIPTION)
    page.select_option("#id_town", label="百官街道")
    # htmx replaces the village options with those of the chosen town.
    expect(page.locator("#id_village option", has_text="龙山社区")).to_have_count(1)
    page.select_option("#id_village", label="龙山社区")
    page.fill("#id_address", "龙山社区3幢201室")
    page.fill("#id_people_count", "2")
    page.select_option("#id_party-0-role", label="申请人")
    page.fill("#id_party-0-name", "王建国")
    page.fill("#id_party-0-id_number", applicant_id)
    page.fill("#id_party-0-phone", "13805751234")
    page.select_option("#id_party-1-role", label="被申请人")
    page.fill("#id_party-1-name", "李秀英")
    page.fill("#id_party-1-id_number", RESPONDENT_ID)
    page.fill("#id_party-1-phone", "13967512345")


def test_the_closed_loop_in_the_browser(county, page):
    # 登记: the clerk registers a walk-in at the window.
    login_as(page, "clerk", screenshot="loop-01-login")
    fill_intake(page)
    shot(page, "loop-02-intake")
    with page.expect_navigation(url=DETAIL_URL):
        page.click("#intake-form button[type=submit]")
    case = Case.objects.get()
    code = case.tracking_code
    expect(page.locator("#tracking-code")).to_have_text(code)
    expect(page.locator(".message.success")).to_contain_text(f"已登记，查询码 {code}")
    expect(status_badge(page)).to_have_text("登记")
    expect(page.locator("#parties tbody tr")).to_have_count(2)
    shot(page, "loop-03-registered")
    detail = f"/cases/{case.pk}/"

    # 受理: the clerk accepts it (the first, open panel).
    expect(page.locator("details.action[data-action=accept]")).to_have_attribute("open", "")
    act(page, "accept", "已受理")

    # 交办: the dispatcher finds it waiting and assigns it to 百官街道.
    login_as(page, "dispatcher")
    page.locator("#section-to_dispatch").get_by_role("link", name=code).click()
    page.wait_for_url(f"**{detail}")
    open_panel(page, "assign").locator("[name=lead_org]").select_option(label="百官街道矛调中心")
    shot(page, "loop-04-assign")
    act(page, "assign", "已交办")
    expect(page.locator("#tasks")).to_contain_text("百官街道矛调中心")

    # 签收, 办结: the town center sees the task in its inbox, signs for it and resolves it.
    login_as(page, "baiguan")
    to_sign = page.locator("#section-to_sign")
    expect(to_sign.get_by_role("link", name=code)).to_be_visible()
    shot(page, "loop-05-inbox")
    to_sign.get_by_role("link", name=code).click()
    page.wait_for_url(f"**{detail}")
    act(page, "sign", "办理中")
    act(page, "resolve", "已办结", result="调解成功", reply=REPLY)
    expect(page.locator("dl.facts")).to_contain_text("调解成功")
    expect(page.locator("dl.facts")).to_contain_text(REPLY)
    shot(page, "loop-06-resolved")

    # 评价: the clerk records the applicant's rating.
    login_as(page, "clerk")
    page.goto(detail)
    act(page, "rate", "已评价", satisfaction="满意")
    expect(page.locator("dl.facts")).to_contain_text("满意")

    steps = page.locator("#timeline > li")
    expect(steps).to_have_count(7)
    # Resolving plans the follow-up visits (the evaluation app's 安排回访) in the same breath.
    assert [li.get_attribute("data-event") for li in steps.all()] == [
        "register",
        "accept",
        "assign",
        "sign",
        "resolve",
        "follow_up_plan",
        "rate",
    ]
    labels = [text.split()[0] for text in steps.locator(".what").all_inner_texts()]
    assert labels == ["登记", "受理", "交办", "签收", "办结", "安排回访", "评价"]
    shot(page, "loop-07-timeline")
    case.refresh_from_db()
    assert case.status == CaseStatus.RATED and case.lead_org.code == "town-330604001"


def test_the_case_list_filters_by_town_and_status_and_pages(county, page, settings):
    # Lists count up to a limit (10,000 in use), then say "more than".
    settings.CONCORD = {**settings.CONCORD, "PAGE_SIZE": 5, "LIST_COUNT_LIMIT": 7}
    for _ in range(6):
        build_case()
    build_case(CaseStatus.ACCEPTED)
    build_case(town=CAOE, handler="caoe")
    login_as(page, "clerk")
    page.goto("/cases/")
    table = page.locator("#case-table")
    expect(table.locator(".pager")).to_contain_text("超过 7 件，第 1 页")
    shot(page, "list-capped")
    # A full page load would forget this; htmx swaps only the table.
    page.evaluate("window.stillHere = true")

    page.select_option("#id_division", label="百官街道")
    expect(table.locator(".pager")).to_contain_text("共 7 件，第 1 / 2 页")
    page.select_option("#id_status", label="登记")
    expect(table.locator(".pager")).to_contain_text("共 6 件，第 1 / 2 页")
    expect(table.locator("tbody tr")).to_have_count(5)
    shot(page, "list-filtered")

    table.get_by_role("link", name="下一页").click()
    expect(table.locator(".pager")).to_contain_text("第 2 / 2 页")
    expect(table.locator("tbody tr")).to_have_count(1)
    assert page.evaluate("window.stillHere") is True
    assert f"division={BAIGUAN}" in page.url and "status=registered" in page.url
    assert "page=2" in page.url


def test_a_bad_id_number_is_refused_next_to_the_field(county, page):
    login_as(page, "clerk")
    wrong = "0" if APPLICANT_ID[-1] != "0" else "1"
    fill_intake(page, applicant_id=APPLICANT_ID17 + wrong)
    page.click("#intake-form button[type=submit]")
    cell = page.locator("td:has(#id_party-0-id_number)")
    expect(cell.locator(".errorlist")).to_have_text("身份证号校验位错误")
    expect(page).to_have_url(re.compile(r"/cases/new$"))
    # What was typed is kept, and the village list still belongs to the chosen town.
    expect(page.locator("#id_party-0-name")).to_have_value("王建国")
    expect(page.locator("#id_village")).to_have_value("330604001001")
    assert not Case.objects.exists()


def test_the_clerk_reveals_a_full_phone_number(county, page):
    parties = [PartyDraft(PartyRole.APPLICANT, "陈美华", APPLICANT_ID, "13805751234", "")]
    case = build_case(parties=parties)
    party = case.parties.get()
    login_as(page, "clerk")
    page.goto(f"/cases/{case.pk}/")
    row = page.locator(f"#party-{party.pk}")
    expect(row).to_contain_text("138****1234")
    expect(row).not_to_contain_text("13805751234")
    row.get_by_role("button", name="查看完整").click()
    expect(page.locator(f"#party-{party.pk}")).to_contain_text("13805751234")
    expect(page.locator(f"#party-{party.pk}")).to_contain_text(APPLICANT_ID)


def test_a_town_cannot_open_a_neighbouring_towns_case(county, page):
    case = build_case(town=BAIGUAN)
    login_as(page, "caoe")
    response = page.goto(f"/cases/{case.pk}/")
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text(case.tracking_code)


def test_switching_the_language_to_english(county, page):
    build_case()
    build_case(CaseStatus.ACCEPTED)
    login_as(page, "clerk")
    page.goto("/cases/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    with page.expect_navigation():
        page.locator(".userbox").get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/cases/$"))
    expect(page.locator("#case-table")).to_be_visible()
    expect(page.locator(".userbox").get_by_role("button", name="中文")).to_be_visible()
    # The chrome is English; names and places stay as they were entered.
    expect(page.locator("nav.mainnav a")).to_have_text(
        [
            "My work",
            "Register a case",
            "Find cases",
            "Archived cases",
            "Court referrals",
            "Joint consultation",
            "Petition agency",
            "Appointments",
            "Import",
            "Dashboard",
            "Command screen",
            "Trend forecast",
            "Risk letters",
        ]
    )
    expect(page.locator("nav.mainnav summary")).to_have_text(
        ["Mediation & linkage", "Data exchange", "Statistics"]
    )
    expect(page.locator("h1")).to_have_text("Find cases")
    expect(page.locator("label[for=id_status]")).to_have_text("Status")
    expect(page.locator("form.filters button")).to_have_text("Search")
    expect(page.locator("#case-table th").first).to_have_text("Risk")
    expect(page.locator("#case-table .badge")).to_have_text(["Accepted", "Registered"])
    expect(page.locator("#case-table .pager")).to_contain_text("2 cases, page 1 of 1")
    expect(page.locator("#case-table tbody")).to_contain_text("百官街道")
    shot(page, "language-english")

    # Filtering (an htmx swap) keeps the language; so does the next page.
    page.select_option("#id_status", label="Registered")
    expect(page.locator("#case-table .pager")).to_contain_text("1 case, page 1 of 1")
    page.get_by_role("link", name="Register a case").click()
    expect(page.locator("h1")).to_contain_text("Register a case")
    expect(page.locator("label[for=id_description]")).to_have_text("Request")

    with page.expect_navigation():
        page.locator(".userbox").get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("h1")).to_contain_text("事项登记")
