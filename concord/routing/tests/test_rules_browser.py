"""The 分流规则 page in a real browser: a dispatcher adds a rule for one town's labour disputes,
finds it listed with its conditions, and disables it in place."""

import pytest
from playwright.sync_api import expect

from concord.browser import login_as, shot
from concord.geo.models import Division
from concord.routing.models import RoutingRule

pytestmark = pytest.mark.browser

NAME = "崧厦劳动争议：法院诉前调解"


def songxia_code() -> str:
    return Division.objects.get(name="崧厦街道").code


def test_a_dispatcher_adds_a_town_rule_and_disables_it(county, page):
    login_as(page, "dispatcher")
    page.goto("/routing/rules/")
    expect(page.locator("h1")).to_contain_text("分流规则")
    expect(page.locator(".rules-table tbody tr")).to_have_count(5)
    shot(page, "routing-rules-list")

    page.get_by_role("link", name="新增规则").click()
    expect(page.locator("h1")).to_contain_text("新增分流规则")
    page.fill("#id_name", NAME)
    page.fill("#id_note", "崧厦街道企业集中，劳动争议先由法院诉前调解，人社局协助核实工资。")
    page.select_option("#id_category", label="劳动争议/欠薪（其他）")
    page.select_option("#id_division", label="崧厦街道（全镇街）")
    page.select_option("#id_level", label="乡镇（街道）")
    page.select_option("#id_assisting_orgs", label="上虞区人力资源和社会保障局")
    page.check("input[name=risk_levels][value=orange]")
    page.check("input[name=risk_levels][value=red]")
    page.fill("#id_priority", "10")
    page.click("#rule-form button[type=submit]")
    # No lead chosen: the service's message comes back next to the field, the rest kept.
    expect(page.locator(".field.has-error")).to_contain_text("请指定主办单位，或选择由属地主办")
    expect(page.locator("#id_name")).to_have_value(NAME)
    shot(page, "routing-rules-form-error")
    page.select_option("#id_lead_org", label="上虞区人民法院")
    shot(page, "routing-rules-form")
    page.click("#rule-form button[type=submit]")

    expect(page.locator(".message.success")).to_contain_text(NAME)
    row = page.locator("tr", has_text=NAME)
    expect(row).to_contain_text("类别属于劳动争议/欠薪")
    expect(row).to_contain_text("发生在崧厦街道")
    expect(row).to_contain_text("风险等级为红、橙")
    expect(row).to_contain_text("上虞区人民法院")
    expect(row.locator("td.num").first).to_have_text("10")
    shot(page, "routing-rules-created")

    row.get_by_role("button", name="停用").click()
    expect(row.locator(".badge")).to_have_text("已停用")
    expect(row.get_by_role("button", name="启用")).to_be_visible()
    assert not RoutingRule.objects.get(name=NAME).active
    shot(page, "routing-rules-disabled")

    # The county default cannot go: the row says why and stays enabled.
    default = page.locator("tr", has_text="全区默认：属地办理")
    default.get_by_role("button", name="停用").click()
    expect(default.locator(".action-error")).to_contain_text("必须保留一条启用的全区默认规则")
    expect(default.locator(".badge")).to_have_text("已启用")
    shot(page, "routing-rules-default-kept")

    # The edit page shows the rule as saved, with the delete button below.
    page.locator("tr", has_text=NAME).get_by_role("link", name="编辑").click()
    expect(page.locator("#id_division")).to_have_value(songxia_code())
    expect(page.locator("#id_active")).not_to_be_checked()
    shot(page, "routing-rules-edit")
