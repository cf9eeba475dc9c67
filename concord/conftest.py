"""Shared test set-up: the demo county once per session, personas, API clients, browser."""

import json

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import translation
from pytest_django.plugin import blocking_manager_key

from concord.accounts.models import User
from concord.accounts.permissions import second_factor_required
from concord.accounts.testing import pass_second_factor
from concord.api.auth import issue_token
from concord.browser import browser, page  # noqa: F401  (browser-test fixtures)
from concord.demo.county import load_reference_data


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language: a request in English through the test client
    leaves English active on this thread, and code rendered outside a request would follow."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Each test starts with empty request counters (API and portal rate limits live in the
    cache): a fast machine running many tests within a minute must not meet the limits."""
    cache.clear()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # The county, its organisations, categories and demo accounts: loaded once, rolled back to
    # after every test. Transactional tests reload it through the `county` fixture.
    with django_db_blocker.unblock():
        load_reference_data()


def _flushes(item: pytest.Item) -> bool:
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    # A transactional test (live_server, browser) ends with a flush. pytest-django runs those
    # after the `db` tests and before the tests that use no `db` fixture (module fixtures with
    # django_db_blocker): put the reference data back once, after the last one has flushed.
    result = yield
    if _flushes(item) and nextitem is not None and not _flushes(nextitem):
        with item.config.stash[blocking_manager_key].unblock():
            load_reference_data()
    return result


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded files go to a fresh directory, removed with the test's tmp_path."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def county(db):
    load_reference_data()


@pytest.fixture
def persona(county):
    """Look up a demo account by username: persona("clerk")."""

    def get(username: str) -> User:
        return User.objects.select_related("organisation__division").get(username=username)

    return get


class ApiClient:
    """JSON calls to /api/v1/ as one user, with a bearer token like any external system."""

    def __init__(self, user: User | None):
        self.client = Client()
        self.headers = {}
        if user is not None:
            key, _ = issue_token(user)
            self.headers["Authorization"] = f"Bearer {key}"

    def _call(self, method: str, path: str, body=None, headers=None, raw: bytes | None = None):
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        return getattr(self.client, method)(
            f"/api/v1{path}",
            data=data,
            content_type="application/json",
            headers={**self.headers, **(headers or {})},
        )

    def get(self, path: str, params: dict | None = None):
        return self.client.get(f"/api/v1{path}", params or {}, headers=self.headers)

    def post(self, path: str, body=None, headers=None, raw: bytes | None = None):
        return self._call("post", path, body, headers, raw)


@pytest.fixture
def api(persona):
    """api("clerk") → an ApiClient authenticated as that demo account (or as a given User)."""
    return lambda who: ApiClient(persona(who) if isinstance(who, str) else who)


@pytest.fixture
def web(persona):
    """web("clerk") → a Django test client logged in as that demo account."""

    def login(username: str) -> Client:
        client = Client()
        user = persona(username)
        client.force_login(user)
        if second_factor_required(user):
            pass_second_factor(client, user)  # administrators sign in with TOTP too
        return client

    return login
