"""The intake form suggests categories as the clerk types; one click picks one."""

import re

import pytest
from playwright.sync_api import expect

from concord.browser import login_as, shot
from concord.cases.tests.factories import build_case
from concord.triage import services

pytestmark = pytest.mark.browser


def test_clerk_picks_a_suggested_category_while_typing(page, closed_cases):
    closed_cases(6)
    services.train_from_cases()
    login_as(page, "clerk")
    page.goto("/cases/new")

    page.get_by_label("诉求内容").press_sequentially("楼上邻居每天半夜噪音扰民，影响休息", delay=20)
    box = page.locator("#triage-suggestions")
    buttons = box.locator("[data-pick-category]")
    expect(buttons).to_have_count(3)
    expect(buttons.first).to_have_attribute("data-pick-category", "neighbour-noise")
    expect(box.locator("input[name=triage_shown]")).to_have_value(re.compile(r"^neighbour-noise,"))
    # The clerk disagrees with the first suggestion and picks the second.
    second = buttons.nth(1).get_attribute("data-pick-category")
    buttons.nth(1).click()
    expect(page.locator("#id_category")).to_have_value(second)
    expect(buttons.nth(1)).to_have_class(re.compile(r"\bprimary\b"))
    shot(page, "triage-01-intake-suggestions")


def test_dispatcher_reads_accuracy_per_category(page, county):
    for chosen, shown in (
        ("labour-injury", ["labour-injury", "labour-contract", "family"]),
        ("labour-injury", ["labour-contract", "labour-injury", "family"]),
        ("family-marriage", ["neighbour-noise", "labour", "family"]),
    ):
        services.record_choice(case=build_case(category=chosen), suggested=shown, actor=None)
    login_as(page, "dispatcher")
    page.goto("/triage/accuracy")

    injury = page.locator('#triage-accuracy tr[data-code="labour-injury"]')
    expect(injury.locator("[data-col=top1]")).to_contain_text("50%")
    expect(injury.locator("[data-col=top3]")).to_contain_text("100%")
    expect(page.locator('#triage-accuracy tr[data-code="all"]')).to_contain_text("3")
    shot(page, "triage-02-accuracy")
