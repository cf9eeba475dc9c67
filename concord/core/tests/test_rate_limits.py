"""Rate limits on the API (per token or key, per signed-in user, per address without
credentials) and the portal, counted by concord.core.ratelimit in the shared cache; and the
cache settings (Redis when configured)."""

import os
import subprocess
import sys

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from concord.portal.throttle import client_ip

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_limits(settings):
    """Three requests a minute per user, two per address without credentials; no counts left
    from other tests (they live in the process's cache)."""
    settings.CONCORD = {
        **settings.CONCORD,
        "API_RATE_LIMITS": {"user": (3, 60), "anonymous": (2, 60)},
        "PORTAL_RATE_LIMITS": {**settings.CONCORD["PORTAL_RATE_LIMITS"], "track": (2, 600)},
    }
    cache.clear()
    yield
    cache.clear()


def test_a_token_over_its_limit_gets_429_with_a_chinese_message_and_retry_after(api):
    dispatcher = api("dispatcher")
    for _ in range(3):
        assert dispatcher.get("/orgs").status_code == 200
    refused = dispatcher.get("/orgs")
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert "请求过于频繁" in refused.json()["detail"]
    assert 1 <= int(refused["Retry-After"]) <= 61


def test_each_user_and_key_counts_on_its_own(api):
    dispatcher, clerk = api("dispatcher"), api("clerk")
    for _ in range(3):
        dispatcher.get("/orgs")
    assert dispatcher.get("/orgs").status_code == 429
    assert clerk.get("/orgs").status_code == 200


def test_a_signed_in_browser_counts_per_user(web):
    browser = web("dispatcher")
    for _ in range(3):
        assert browser.get("/api/v1/orgs").status_code == 200
    assert browser.get("/api/v1/orgs").status_code == 429
    # The pages are not the API: they go on.
    assert browser.get("/cases/").status_code == 200


def test_without_credentials_an_address_gets_its_own_smaller_limit(county):
    visitor = Client()
    for _ in range(2):
        assert visitor.get("/api/v1/orgs").status_code == 401
    assert visitor.get("/api/v1/orgs").status_code == 429
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert other.get("/api/v1/orgs").status_code == 401


def test_the_health_check_is_never_limited(county):
    monitor = Client()
    for _ in range(5):
        assert monitor.get("/api/v1/health").status_code in (200, 503)


def test_the_limit_counts_in_windows_that_end(api):
    dispatcher = api("dispatcher")
    with time_machine.travel("2026-05-06 10:00:00 +0800", tick=False) as clock:
        for _ in range(3):
            dispatcher.get("/orgs")
        assert dispatcher.get("/orgs").status_code == 429
        clock.shift(30)
        refused = dispatcher.get("/orgs")
        assert refused.status_code == 429 and int(refused["Retry-After"]) <= 31
        clock.shift(31)
        assert dispatcher.get("/orgs").status_code == 200


def test_a_cache_that_is_down_lets_requests_through(api, monkeypatch):
    """With Redis down the API keeps answering (issue 11: faults): nothing is counted."""

    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cache, "add", down)
    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "incr", down)
    dispatcher = api("dispatcher")
    for _ in range(5):
        assert dispatcher.get("/orgs").status_code == 200


def test_the_portal_429_says_when_to_come_back(county):
    visitor = Client()
    for _ in range(2):
        visitor.post("/portal/track", {"code": "SY0000000000", "last4": "1234"})
    refused = visitor.post("/portal/track", {"code": "SY0000000000", "last4": "1234"})
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 601
    assert "操作过于频繁" in refused.content.decode()


def test_the_portal_and_the_api_share_one_way_to_find_the_address(rf, settings):
    settings.CONCORD = {**settings.CONCORD, "TRUSTED_PROXIES": 1}
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    assert client_ip(request) == "203.0.113.9"


@pytest.mark.parametrize(
    ("url", "backend"),
    [
        ("", "django.core.cache.backends.locmem.LocMemCache"),
        ("redis://127.0.0.1:6379/1", "django.core.cache.backends.redis.RedisCache"),
    ],
)
def test_the_cache_is_redis_when_configured_else_local_memory(url, backend):
    """Several app processes must count together: CONCORD_CACHE_URL names a shared Redis."""
    env = {**os.environ, "CONCORD_CACHE_URL": url, "DJANGO_SETTINGS_MODULE": "concord.settings"}
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )
    assert out.stdout.strip() == backend
