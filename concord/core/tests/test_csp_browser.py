"""The Content Security Policy in a real browser: the dispatcher's main pages (inbox, case,
intake, routing queue, dashboard, command screen, forecast) and the citizen portal load with
the policy on, draw their charts (ECharts needs no eval), answer clicks and hovers, and the
browser reports no policy violation and no console error."""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from concord.browser import login_as
from concord.cases.tests.factories import build_case
from concord.demo.cases import seed_cases

pytestmark = pytest.mark.browser

SCREENS = Path(settings.BASE_DIR) / "var" / "screens" / "helper_d"
# Runs in every page before its own scripts (Playwright's init scripts are not the page's,
# so the policy does not apply to this one): keeps each violation the browser reports.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${where}`);
});
"""


@pytest.fixture
def watched(page):
    """The page, recording console errors and CSP violations; checked after the test."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.add_init_script(script=WATCH)
    page.errors = errors
    return page


def clean(page) -> None:
    """No violation, no console error on the page as it is now."""
    assert page.evaluate("window.__violations") == []
    assert page.errors == []


def shoot(page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


@pytest.fixture
def cases(county):
    seed_cases(150, seed=11)
    return build_case("in_progress", title="邻居楼道堆物影响通行")


def test_the_dispatchers_pages_run_under_the_policy(watched, live_server, cases):
    page = watched
    login_as(page, "dispatcher")
    response = page.goto("/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe" not in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    clean(page)

    page.goto(f"/cases/{cases.pk}/")
    expect(page.locator("#tracking-code")).to_have_text(cases.tracking_code)
    clean(page)

    page.goto("/cases/new")
    page.fill("#id_description", "楼上邻居长期在夜间装修，噪音很大，多次沟通无果。")
    page.wait_for_timeout(800)  # the triage suggestions arrive as the clerk types
    clean(page)

    # The routing queue's "select all" box (it was an onclick attribute; now app.js).
    page.goto("/routing/queue/")
    boxes = page.locator("#queue-form input[name=case]:not(:disabled)")
    assert boxes.count() > 0
    page.click("#select-all")
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    page.click("#select-all")
    assert not any(boxes.nth(i).is_checked() for i in range(boxes.count()))
    clean(page)


def test_the_charts_draw_under_the_policy(watched, live_server, cases):
    page = watched
    login_as(page, "dispatcher")

    page.goto("/dashboard/")
    chart = page.locator("#command-map[data-loaded=true]")
    expect(chart).to_be_attached()
    expect(page.locator("#kpis .board-loading")).to_have_count(0)
    assert int(chart.get_attribute("data-points")) > 0
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_timeout(300)
    shoot(page, "dashboard")
    clean(page)

    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto("/dashboard/screen/")
    expect(page.locator("#command-map[data-loaded=true]")).to_be_attached()
    expect(page.locator("#kpis .board-loading")).to_have_count(0)  # loaded by htmx
    shoot(page, "screen")
    clean(page)

    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/dashboard/forecast/")
    forecast = page.locator("#forecast-chart[data-drawn=true]")
    expect(forecast).to_be_attached()
    forecast.scroll_into_view_if_needed()
    box = forecast.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] / 2)
    page.wait_for_timeout(300)  # the tooltip, drawn on the canvas
    shoot(page, "forecast")
    clean(page)


def test_the_citizen_portal_runs_under_the_policy(watched, live_server, county):
    page = watched
    response = page.goto("/portal/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.goto("/portal/submit")
    page.goto("/portal/track")
    clean(page)
