"""Mediation in a real browser: the dispatcher opens a medical dispute, picks a suggested
medical mediator, starts the mediation, books a room, and a second overlapping booking of the
same room is refused in place."""

import pytest
from playwright.sync_api import expect

from concord.browser import login_as, shot

from .conftest import at

pytestmark = pytest.mark.browser


def local(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def test_a_medical_dispute_is_mediated_in_a_booked_room(medical_case, page):
    login_as(page, "dispatcher")
    page.goto(f"/cases/{medical_case.pk}/")
    card = page.locator("#mediation")
    suggestions = card.locator("#mediator-suggestions li")
    expect(suggestions).to_have_count(5)
    first = suggestions.first
    expect(first).to_contain_text("上虞区医疗纠纷人民调解委员会")
    expect(first).to_contain_text("专长对口：医疗")
    name = first.locator("strong").inner_text()
    card.scroll_into_view_if_needed()
    shot(page, "mediation-01-suggestions")

    first.locator("input[type=checkbox]").check()
    card.get_by_role("button", name="发起调解").click()
    expect(page.locator(".message.success")).to_contain_text(f"已发起调解，调解员：{name}")
    expect(page.locator("#mediation-mediators")).to_contain_text(name)

    panel = page.locator("#schedule-session")
    form = panel.locator("form")
    form.get_by_label("开始时间").fill(local(at(hour=9)))
    form.get_by_label("结束时间").fill(local(at(hour=11)))
    form.get_by_label("调解室").select_option(label="上虞区矛调中心 · 第一调解室")
    form.get_by_label("参加人员").fill("患者家属2人，医院代表1人")
    page.locator("#mediation").scroll_into_view_if_needed()
    shot(page, "mediation-02-booking")
    form.get_by_role("button", name="预约调解室").click()
    expect(page.locator(".message.success")).to_contain_text("已安排调解")
    sessions = page.locator("#mediation .sessions-table tbody tr")
    expect(sessions).to_have_count(1)
    expect(sessions.first).to_contain_text("第一调解室")

    # The same room, overlapping: refused next to the form, nothing booked.
    panel.locator("summary").click()
    form = panel.locator("form")
    form.get_by_label("开始时间").fill(local(at(hour=10)))
    form.get_by_label("结束时间").fill(local(at(hour=12)))
    form.get_by_label("调解室").select_option(label="上虞区矛调中心 · 第一调解室")
    form.get_by_role("button", name="预约调解室").click()
    error = panel.locator(".errorlist")
    expect(error).to_contain_text("第一调解室在")
    expect(error).to_contain_text("已被预约，请换一个时间或调解室")
    expect(sessions).to_have_count(1)
    page.locator("#mediation").scroll_into_view_if_needed()
    shot(page, "mediation-03-refused")

    page.goto("/mediation/mediators/?specialty=medical")
    row = page.locator("tr[data-mediator]", has_text=name)
    expect(row.locator(".workload")).to_have_text("1")
    shot(page, "mediation-04-team")
