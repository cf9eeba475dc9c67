"""CSRF everywhere (issue 11, web hardening): every page of the URL conf refuses a POST that
carries no CSRF token, signed in or not, and so does every API operation called with the
browser's session (a bearer token or a system key needs none: no cookie travels with it).
Only Open311 is exempt: it is authenticated by a system's key, never by a browser session.

Every page form carries {% csrf_token %}, and htmx sends the token in X-CSRFToken
(base.html's hx-headers); both are checked here too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.http import HttpResponseForbidden
from django.test import Client, override_settings

from concord.accounts.models import User
from concord.core.tests.authz_world import build_world, rolled_back
from concord.core.tests.routes import ROUTES, Route

pytestmark = pytest.mark.django_db

MARK = "csrf-refused"
EXEMPT = ("open311:",)  # key-authenticated (csrf_exempt in concord.open311.views)


def csrf_failure(request, reason=""):
    """Stands in for Django's CSRF failure page, so a 403 is known to be the CSRF check's."""
    return HttpResponseForbidden(MARK)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    with (
        rolled_back(django_db_blocker, tmp_path_factory.mktemp("media")),
        override_settings(CSRF_FAILURE_VIEW=f"{__name__}.csrf_failure"),
    ):
        yield build_world()


def _browser(user: User | None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
        client.get("/accounts/security/")  # a page: the CSRF cookie is set, as in a browser
    return client


def _path(route: Route, world) -> str:
    kwargs = {"object_id": 1, "id": 1, "app_label": "cases", "content_type_id": 1, "url": "x/"}
    kwargs |= world.kwargs
    return route.template.format(**{p: kwargs[p] for p in route.params})


PAGES = [r for r in ROUTES if not r.api and not r.key.startswith(EXEMPT)]
SESSION_API = [r for r in ROUTES if r.api and r.method in ("POST", "PUT", "PATCH", "DELETE")]


@pytest.mark.parametrize("who", ["dispatcher", None], ids=["signed-in", "anonymous"])
def test_every_page_refuses_a_post_without_the_token(world, who):
    browser = _browser(User.objects.get(username=who) if who else None)
    let_through = []
    for route in PAGES:
        with transaction.atomic():
            response = browser.post(_path(route, world), {"x": "1"})
            transaction.set_rollback(True)
        if response.status_code != 403 or MARK not in response.content.decode():
            let_through.append(f"{route.key}: {response.status_code}")
    assert let_through == []


def test_every_api_write_refuses_the_browser_session_without_the_token(world):
    browser = _browser(User.objects.get(username="dispatcher"))
    let_through = []
    for route in SESSION_API:
        path = _path(route, world)
        with transaction.atomic():
            response = getattr(browser, route.method.lower())(
                path, "{}", content_type="application/json"
            )
            transaction.set_rollback(True)
        if route.key in ("POST /api/v1/auth/token",):
            continue  # no session needed to sign in: answers by the credentials it is sent
        if response.status_code not in (401, 403):
            let_through.append(f"{route.key}: {response.status_code}")
    assert let_through == []


def test_the_same_post_with_the_token_gets_past_the_check(world):
    """The refusals above are the CSRF check's: with the token the page answers itself."""
    browser = _browser(User.objects.get(username="dispatcher"))
    token = browser.cookies[settings.CSRF_COOKIE_NAME].value
    response = browser.post("/notifications/read", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302


TEMPLATES = Path(settings.BASE_DIR) / "concord"
_FORM = re.compile(r"<form\b[^>]*method=[\"']post[\"'][^>]*>(.*?)</form>", re.S | re.I)


def test_every_post_form_carries_the_token():
    missing = []
    for template in TEMPLATES.rglob("*.html"):
        for body in _FORM.findall(template.read_text(encoding="utf-8")):
            if "csrf_token" not in body:
                missing.append(str(template.relative_to(TEMPLATES)))
    assert missing == []


def test_htmx_sends_the_token_in_a_header(world):
    page = _browser(User.objects.get(username="dispatcher")).get("/")
    assert 'hx-headers=\'{"X-CSRFToken": "' in page.content.decode()
