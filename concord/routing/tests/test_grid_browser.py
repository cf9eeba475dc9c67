"""网格上报 on a phone (390×844): the grid worker reports an event with a photo and a position
and gets the tracking code; the dispatcher accepts it and finds the photo and the suggestion
to send it to the village's mediation committee at village level."""

import contextlib
import re

import pytest
from playwright.sync_api import expect

from concord.browser import TIMEOUT_MS, login_as, shot
from concord.cases.models import Case
from concord.cases.tests.factories import BAIGUAN
from concord.cases.tests.images import png_bytes
from concord.geo.models import Division
from concord.orgs.models import Organisation

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# A spot in 百官街道, handed to the page as the phone's position.
POSITION = {"latitude": 30.0328, "longitude": 120.8712}
DESCRIPTION = "村西小路被邻居堆放建材堵住，两户争执多日，老人出行不便，请村里协调。"


@pytest.fixture
def phone(request, browser, live_server, county):
    """Like `page`, on a phone-sized touch screen that may share its position."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        geolocation=POSITION,
        permissions=["geolocation"],
    )
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    failures = request.session.testsfailed
    yield tab
    if request.session.testsfailed > failures:
        with contextlib.suppress(Exception):
            shot(tab, f"failed-{request.node.name}")
    context.close()


def test_a_grid_worker_reports_from_the_phone_and_the_dispatcher_routes_to_the_village(phone):
    page = phone
    village = Division.objects.filter(parent_id=BAIGUAN).order_by("code")[1]
    committee = Organisation.objects.get(kind="village_committee", division=village)

    login_as(page, "grid", screenshot="grid-01-login")
    page.get_by_role("link", name="网格上报").click()
    expect(page.locator("h1")).to_have_text("网格上报")
    expect(page.locator("#id_village option:checked")).to_have_text("龙山社区")
    shot(page, "grid-02-form")

    # Sent without a description: the reason beside the field, nothing registered.
    page.click("#grid-form button[type=submit]")
    expect(page.locator(".field.has-error")).to_contain_text("请填写事件描述")
    assert not Case.objects.exists()
    shot(page, "grid-03-error")

    page.select_option("#id_category", label="通行采光排水")
    page.fill("#id_description", DESCRIPTION)
    page.select_option("#id_village", label=village.name)
    page.fill("#id_address", "村西小路28号")
    page.click("#locate")
    expect(page.locator("#locate-status")).to_contain_text("已定位 30.0328")
    page.set_input_files(
        "#id_photos",
        files=[{"name": "现场.png", "mimeType": "image/png", "buffer": png_bytes(96, 64)}],
    )
    shot(page, "grid-04-filled")
    with page.expect_navigation(url=re.compile(r"\?reported=\d+$")):
        page.click("#grid-form button[type=submit]")
    case = Case.objects.get()
    expect(page.locator("#reported-code")).to_have_text(case.tracking_code)
    expect(page.locator("#my-reports")).to_contain_text(case.tracking_code)
    expect(page.locator("#my-reports")).to_contain_text("登记")
    assert (case.channel, case.division_id, case.lat) == ("grid", village.code, 30.0328)
    shot(page, "grid-05-reported")
    expect(page.locator("#report-again")).to_be_visible()

    # The dispatcher accepts it; the rules suggest the village's committee, at village level.
    login_as(page, "dispatcher")
    page.goto(f"/cases/{case.pk}/")
    photo = page.locator("#photos img")
    expect(photo).to_have_count(1)
    # Served by the scoped view and really decoded (a lazy image loads once scrolled to).
    photo.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => { const img = document.querySelector('#photos img');"
        " return img.complete && img.naturalWidth > 0; }"
    )
    assert photo.evaluate("img => img.naturalWidth") == 96
    page.locator("details.action[data-action=accept] button[type=submit]").click()
    expect(page.locator(".case-head .badge")).to_have_text("已受理")
    suggestion = page.locator("#routing-suggestion")
    expect(suggestion).to_contain_text("分流建议 · 村（社区）")
    expect(suggestion).to_contain_text("网格上报：村级办理")
    expect(suggestion).to_contain_text("来源渠道为网格上报")
    expect(suggestion).to_contain_text(f"主办：{committee.name}")
    expect(page.locator("details.action[data-action=assign] [name=lead_org]")).to_have_value(
        str(committee.pk)
    )
    shot(page, "grid-06-dispatcher")
