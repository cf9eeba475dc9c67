"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's
live server. Fixtures `browser` and `page` (imported by concord/conftest.py) and the helpers
`login_as` and `shot`. Mark tests `@pytest.mark.browser`.

Never downloads a browser: `make test` installs Debian's `chromium` (scripts/ensure-browser.sh);
when it is missing the tests fail and say so.
"""

import contextlib
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
VIEWPORT = {"width": 1440, "height": 900}
DEMO_PASSWORD = "Concord-demo1"  # concord.demo.county.DEMO_PASSWORD
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
# Auto-waits give up after this long: a missing element fails fast instead of hanging.
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Browser tests need Debian's Chromium at {CHROMIUM}, which is missing. "
            "Install it with `sh scripts/ensure-browser.sh` (`make test` does this).",
            pytrace=False,
        )
    # Playwright's sync API keeps an asyncio loop running in this thread; without this Django
    # refuses ORM calls from the test (fixtures, factories, assertions) as "async unsafe".
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
        # While Playwright's loop runs, Django keeps this thread's connections in a context
        # variable instead of the thread-local: close those before the loop stops, or the
        # test database cannot be dropped at the end ("accessed by other users").
        connections.close_all()


@pytest.fixture
def page(request, browser, live_server, county):
    """A fresh browser context on the live server (relative URLs work: page.goto("/cases/")).
    When the test fails, the page as it was is kept in var/screenshots/failed-<test>.png."""
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    failures = request.session.testsfailed
    yield tab
    if request.session.testsfailed > failures:
        with contextlib.suppress(Exception):  # a crashed page must not hide the failure
            shot(tab, f"failed-{request.node.name}")
    context.close()


def login_as(page, username: str, password: str = DEMO_PASSWORD, screenshot: str = "") -> None:
    """Log in through the real login form, as a new visitor (any earlier session is dropped).
    `screenshot` names a shot of the filled form taken just before submitting."""
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    if screenshot:
        shot(page, screenshot)
    with page.expect_navigation():
        page.click("form button[type=submit]")
    if "/accounts/login/" in page.url:
        error = page.locator(".form-errors").all_inner_texts()
        raise AssertionError(f"login as {username!r} failed: {' '.join(error) or page.url}")


def shot(page, name: str) -> Path:
    """A full-page PNG screenshot in var/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
