"""Two people on one rule, in a real browser: the rule is saved by someone else while the
dispatcher's form is open; the dispatcher's save comes back with the message and their input,
and after a refresh the form shows the other person's edit and saves."""

import pytest
from playwright.sync_api import expect

from concord.accounts.models import User
from concord.browser import login_as, shot
from concord.routing.models import RoutingRule
from concord.routing.rules import save_rule

pytestmark = pytest.mark.browser

LABOUR = "劳动争议/欠薪：属地主办，人社协办"


def test_a_save_over_someone_elses_edit_is_refused_until_refreshed(county, page):
    rule = RoutingRule.objects.get(name=LABOUR)
    login_as(page, "dispatcher")
    page.goto(f"/routing/rules/{rule.pk}/")
    page.fill("#id_note", "调度员：欠薪案件先由人社局核实")

    theirs = RoutingRule.objects.get(pk=rule.pk)
    theirs.note = "管理员：春节前欠薪案件优先"
    save_rule(theirs, actor=User.objects.get(username="admin"), version=rule.version)

    page.click("#rule-form button[type=submit]")
    expect(page.locator(".form-errors")).to_have_text("该记录已被他人修改，请刷新后重试")
    expect(page.locator("#id_note")).to_have_value("调度员：欠薪案件先由人社局核实")
    shot(page, "routing-rule-stale")
    assert RoutingRule.objects.get(pk=rule.pk).note == "管理员：春节前欠薪案件优先"

    page.goto(f"/routing/rules/{rule.pk}/")
    expect(page.locator("#id_note")).to_have_value("管理员：春节前欠薪案件优先")
    page.fill("#id_priority", "4")
    page.click("#rule-form button[type=submit]")
    expect(page.locator(".message.success")).to_contain_text(LABOUR)
    saved = RoutingRule.objects.get(pk=rule.pk)
    assert (saved.priority, saved.version) == (4, rule.version + 2)
