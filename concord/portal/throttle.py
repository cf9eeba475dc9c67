"""Per-IP limits of the portal's doors (no login: the address is all we know of a visitor).

Counts live in Django's cache in fixed windows: `cache.add` starts a window with its timeout,
`cache.incr` counts in it. With several web processes the cache must be shared (Redis or the
database cache), or each process counts on its own.

The client address is REMOTE_ADDR. X-Forwarded-For is believed only for the number of
reverse proxies the settings say sit in front (CONCORD["TRUSTED_PROXIES"], default 0): each
proxy appends the address it saw, so the entry that many places from the right is the one
our own proxy wrote. Anything further left is whatever the client chose to send.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

# (requests, seconds) per IP; CONCORD["PORTAL_RATE_LIMITS"] overrides any of them.
DEFAULT_LIMITS = {
    # Cases and bookings written.
    "submit": (5, 3600),
    # Tracking lookups, right or wrong.
    "track": (20, 600),
    # Wrong lookups of one tracking code from anywhere: 4 digits are few to guess.
    "code": (10, 3600),
}


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    seconds: int

    @property
    def minutes(self) -> int:
        return max(1, round(self.seconds / 60))


def limit(name: str) -> Limit:
    configured = settings.CONCORD.get("PORTAL_RATE_LIMITS", {})
    count, seconds = configured.get(name, DEFAULT_LIMITS[name])
    return Limit(name, int(count), int(seconds))


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
    # Hashed: the cache holds no addresses or tracking codes in clear.
    digest = hashlib.sha256(who.encode()).hexdigest()[:32]
    return f"portal:{rule.name}:{digest}"


def exceeded(rule: Limit, who: str) -> bool:
    """Whether `who` has already used up `rule` in the current window (counts nothing)."""
    return (cache.get(_key(rule, who)) or 0) >= rule.count


def count(rule: Limit, who: str) -> int:
    """Count one use; returns the uses in the current window, this one included."""
    key = _key(rule, who)
    if cache.add(key, 1, timeout=rule.seconds):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.add(key, 1, timeout=rule.seconds)
        return 1


def take(rule: Limit, who: str) -> bool:
    """Count one use and say whether it was within the limit."""
    return count(rule, who) <= rule.count
