"""重复件 in a real browser: the clerk registers the same matter again, the dispatcher sees
the card with its reasons on the new case, merges it into the first and undoes the merge."""

import pytest
from playwright.sync_api import expect

from concord.browser import login_as, shot
from concord.cases.choices import PartyRole
from concord.cases.models import Case
from concord.cases.services import PartyDraft
from concord.cases.tests.factories import build_case

pytestmark = pytest.mark.browser
ID_NUMBER = "330682199001011233"


def test_the_dispatcher_merges_a_duplicate_and_undoes_it(page, live_server):
    person = [PartyDraft(PartyRole.APPLICANT, "王建国", ID_NUMBER, "13857512345", "")]
    first = build_case(
        "assigned",
        title="丰惠工地拖欠木工工资",
        description="申请人反映在丰惠镇某建筑工地做木工，包工头李某拖欠工资38000元。",
        parties=person,
    )
    again = build_case(
        "accepted",
        channel="phone",
        title="来电反映工地欠薪",
        description="来电人称去年在丰惠一处工地干木工活，包工头姓李，欠他三万八千元工资。",
        parties=person,
    )
    login_as(page, "dispatcher")
    page.goto(f"/cases/{again.pk}/")
    card = page.locator("#duplicates")
    row = card.locator(f'tr[data-case="{first.pk}"]')
    expect(row).to_contain_text("同一身份证号；同一联系电话")
    expect(card.locator("#repeat-visits")).to_contain_text("王建国：2 件事项")
    card.scroll_into_view_if_needed()
    shot(page, "duplicates-01-similar-card")

    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="合并到该事项").click()
    expect(page.locator("#merged-into")).to_contain_text(first.tracking_code)
    assert Case.objects.get(pk=again.pk).merged_into_id == first.pk
    page.locator("#duplicates").scroll_into_view_if_needed()
    shot(page, "duplicates-02-merged")

    page.goto(f"/cases/{first.pk}/")
    expect(page.locator("#merged-cases")).to_contain_text(again.tracking_code)
    expect(page.locator("#timeline")).to_contain_text(f"事项 {again.tracking_code} 并入本事项")

    page.goto(f"/cases/{again.pk}/")
    page.locator("#unmerge").click()
    expect(page.locator("#merged-into")).to_have_count(0)
    expect(page.locator(f'#duplicates tr[data-case="{first.pk}"]')).to_be_visible()
    assert Case.objects.get(pk=again.pk).merged_into_id is None
