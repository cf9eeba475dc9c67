"""Rate limits: so many requests per window, counted in Django's cache.

Counts live in fixed windows: `cache.add` starts a window with its timeout (and notes when it
ends, for Retry-After), `cache.incr` counts in it. With several web processes the cache must
be shared (settings: CONCORD_CACHE_URL, a Redis), or each process counts on its own. A cache
that is down does not take the site down: the request is let through and the failure logged.

The citizen portal limits its doors per address (concord.portal.throttle); the JSON API limits
every caller here (`APIRateLimitMiddleware`): a signed-in user or a system key per credential,
a visitor without credentials per address.

The client address is REMOTE_ADDR. X-Forwarded-For is believed only for the number of reverse
proxies the settings say sit in front (CONCORD["TRUSTED_PROXIES"], default 0): each proxy
appends the address it saw, so the entry that many places from the right is the one our own
proxy wrote. Anything further left is whatever the client chose to send.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

# (requests, seconds); CONCORD["API_RATE_LIMITS"] overrides either.
API_LIMITS = {"user": (600, 60), "anonymous": (60, 60)}
API_PREFIX = "/api/"
# Load balancers and monitors poll it from one address: never limited.
UNLIMITED_PATHS = frozenset({"/api/v1/health"})


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    seconds: int

    @property
    def minutes(self) -> int:
        return max(1, round(self.seconds / 60))


def client_ip(request: HttpRequest) -> str:
    """The visitor's address, through as many trusted proxies as the settings name."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = int(settings.CONCORD.get("TRUSTED_PROXIES", 0))
    if proxies <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(hops) < proxies:
        return remote
    candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def _key(rule: Limit, who: str) -> str:
    # Hashed: the cache holds no addresses, keys or tracking codes in clear.
    digest = hashlib.sha256(who.encode()).hexdigest()[:32]
    return f"ratelimit:{rule.name}:{digest}"


def _tolerant(default):
    """A cache that fails (Redis down) answers `default` instead of an error page."""

    def decorate(call: Callable) -> Callable:
        def guarded(*args, **kwargs):
            try:
                return call(*args, **kwargs)
            except Exception:  # noqa: BLE001  (any cache backend's connection error)
                log.warning("rate limit not counted: the cache is unavailable", exc_info=True)
                return default

        return guarded

    return decorate


@_tolerant(False)
def exceeded(rule: Limit, who: str) -> bool:
    """Whether `who` has already used up `rule` in the current window (counts nothing)."""
    return (cache.get(_key(rule, who)) or 0) >= rule.count


@_tolerant(0)
def count(rule: Limit, who: str) -> int:
    """Count one use; returns the uses in the current window, this one included."""
    key = _key(rule, who)
    if cache.add(key, 1, timeout=rule.seconds):
        cache.set(f"{key}:until", time.time() + rule.seconds, timeout=rule.seconds)
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.add(key, 1, timeout=rule.seconds)
        cache.set(f"{key}:until", time.time() + rule.seconds, timeout=rule.seconds)
        return 1


def take(rule: Limit, who: str) -> bool:
    """Count one use and say whether it was within the limit."""
    return count(rule, who) <= rule.count


@_tolerant(0)
def _until(rule: Limit, who: str) -> float:
    return cache.get(f"{_key(rule, who)}:until") or 0


def retry_after(rule: Limit, who: str) -> int:
    """Seconds until the current window of `who` ends (at least 1)."""
    until = _until(rule, who) or time.time() + rule.seconds
    return max(1, int(until - time.time()) + 1)


def too_many(rule: Limit, who: str) -> JsonResponse:
    """The API's 429: when to try again, in the body (Chinese) and in Retry-After."""
    wait = retry_after(rule, who)
    body = {
        "detail": _("请求过于频繁，请%(seconds)d秒后再试") % {"seconds": wait},
        "code": "rate_limited",
    }
    response = JsonResponse(body, status=429, json_dumps_params={"ensure_ascii": False})
    response["Retry-After"] = str(wait)
    return response


# ------------------------------------------------------------------ the JSON API


def api_limit(kind: str) -> Limit:
    configured = settings.CONCORD.get("API_RATE_LIMITS", {})
    requests, seconds = configured.get(kind, API_LIMITS[kind])
    return Limit(f"api-{kind}", int(requests), int(seconds))


def api_caller(request: HttpRequest) -> tuple[str, str]:
    """(limit kind, who) for an API request: the credential it presents (a bearer token or a
    system key, counted before the view looks it up: 256 random bits are not guessed), else
    the signed-in session's user, else the address."""
    header = request.headers.get("Authorization", "")
    key = request.headers.get("X-API-Key", "")
    if header[:7].lower() == "bearer " and header[7:].strip():
        return "user", "token:" + header[7:].strip()
    if key:
        return "user", "key:" + key
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return "user", f"user:{user.pk}"
    return "anonymous", "ip:" + client_ip(request)


class APIRateLimitMiddleware:
    """Refuse with 429 (and Retry-After) an API caller over its limit per window."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if not path.startswith(API_PREFIX) or path in UNLIMITED_PATHS:
            return self.get_response(request)
        kind, who = api_caller(request)
        rule = api_limit(kind)
        if not take(rule, who):
            return too_many(rule, who)
        return self.get_response(request)
