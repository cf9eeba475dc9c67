"""Routing in a real browser: the dispatcher assigns a group wage case as the rules suggest, the
department returns it, and the dispatcher finds it back in the queue with the hop counted."""

import pytest
from playwright.sync_api import expect

from concord.accounts.models import User
from concord.browser import login_as, shot
from concord.cases import lifecycle
from concord.cases.models import Case
from concord.cases.tests.factories import CAOE, build_case
from concord.geo.models import Division
from concord.routing.services import route

pytestmark = pytest.mark.browser

RULE = "群体性欠薪（30人以上）：区人力社保局主办"
HRSS = "上虞区人力资源和社会保障局"
REASON = "欠薪主体为个人包工头，不属于用人单位欠薪，请崧厦街道先行调处。"


def act(page, action: str, status_label: str, **fields) -> None:
    """Open the action's panel on the case page, fill it, submit, wait for the new status."""
    panel = page.locator(f"details.action[data-action={action}]")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    for name, value in fields.items():
        panel.locator(f"[name={name}]").fill(value)
    panel.locator("button[type=submit]").click()
    expect(page.locator(".case-head .badge")).to_have_text(status_label)


def bounced_three_times() -> Case:
    """A red-risk case in 曹娥街道 that the two town centers kept sending back."""
    users = {
        u.username: u for u in User.objects.filter(username__in=["dispatcher", "baiguan", "caoe"])
    }
    case = build_case("accepted", town=CAOE, title="曹娥江堤沿线养殖户补偿纠纷")
    Case.objects.filter(pk=case.pk).update(risk_level="red")
    for handler in ("caoe", "baiguan", "caoe"):
        lead = users[handler].organisation_id
        case = route(case, actor=users["dispatcher"], lead_org=lead, assisting_orgs=[])
        case = lifecycle.transition(
            case, actor=users[handler], action="return", comment="不属于本镇街管辖"
        )
    return case


def test_a_returned_group_wage_case_comes_back_to_the_queue(county, page):
    songxia = Division.objects.get(name="崧厦街道")
    case: Case = build_case(
        "accepted",
        town=songxia.code,
        category="labour-wage-arrears",
        people_count=30,
        title="崧厦某建材公司拖欠30名工人工资",
        description="某建材公司拖欠30名工人三个月工资，工人集体讨薪。",
    )
    detail = f"/cases/{case.pk}/"
    flagged = bounced_three_times()

    # 交办: the dispatcher sees the rules' suggestion in the assign panel and confirms it.
    login_as(page, "dispatcher")
    page.goto(detail)
    suggestion = page.locator("#routing-suggestion")
    expect(suggestion).to_contain_text(RULE)
    expect(suggestion).to_contain_text("区县")
    expect(suggestion).to_contain_text(f"主办：{HRSS}")
    expect(suggestion).to_contain_text("协办：崧厦街道矛调中心")
    expect(suggestion).to_contain_text("涉及30人以上")
    shot(page, "routing-01-suggestion")
    act(page, "assign", "已交办")
    expect(page.locator("#tasks")).to_contain_text(HRSS)
    expect(page.locator("#tasks")).to_contain_text("崧厦街道矛调中心")
    shot(page, "routing-02-assigned")

    # 退回: the bureau finds it is not a wage case of an employer and returns it with a reason.
    login_as(page, "hrss")
    page.goto(detail)
    panel = page.locator("details.action[data-action=return]")
    panel.locator("summary").click()
    panel.locator("[name=comment]").fill(REASON)
    shot(page, "routing-03-return")
    act(page, "return", "已受理")
    expect(page.locator("#timeline")).to_contain_text(REASON)

    # 分流调度: the dispatcher finds it back, with who returned it, why, and the hop counted.
    login_as(page, "dispatcher")
    page.goto("/routing/queue/")
    expect(page.locator("h1")).to_have_text("分流调度")
    row = page.locator(f"tr[data-case='{case.pk}']")
    expect(row.get_by_role("link", name=case.tracking_code)).to_be_visible()
    expect(row.locator(".returned")).to_contain_text(f"{HRSS} 于")
    expect(row.locator(".return-reason")).to_have_text(REASON)
    expect(row.locator("td.hops")).to_have_text("1")
    expect(row.locator("td.suggested")).to_contain_text(HRSS)
    expect(row).not_to_contain_text("踢皮球")
    # The red case bounced three times comes first, flagged.
    first = page.locator("#queue tbody tr").first
    expect(first).to_have_attribute("data-case", str(flagged.pk))
    expect(first.locator(".flag")).to_have_text("踢皮球")
    expect(first.locator("td.hops")).to_have_text("3")
    shot(page, "routing-04-queue")

    # 按建议批量交办: ticked and routed again as the rules suggest.
    row.locator("input[name=case]").check()
    with page.expect_navigation():
        page.locator("#route-selected").click()
    expect(page.locator(".message.success")).to_contain_text(
        f"{case.tracking_code} 已交办，主办：{HRSS}"
    )
    expect(page.locator("#queue tbody tr")).to_have_count(1)
    expect(page.locator(f"tr[data-case='{case.pk}']")).to_have_count(0)
    shot(page, "routing-05-routed")

    # 踢皮球统计: the return is counted against the pair (returned by, assigned next).
    page.get_by_role("link", name="踢皮球统计").click()
    pairs = page.locator(".pairs-table tbody tr")
    expect(pairs).to_have_count(4)
    ours = pairs.filter(has=page.locator(".returned-by", has_text=HRSS))
    expect(ours.locator(".next-lead")).to_have_text(HRSS)
    expect(ours.locator(".returns")).to_have_text("1")
    expect(page.locator("#flagged")).to_contain_text(flagged.tracking_code)
    shot(page, "routing-06-pingpong")
    case.refresh_from_db()
    assert case.status == "assigned" and case.hop_count == 1
