"""Per-IP limits of the portal's doors (no login: the address is all we know of a visitor).

The counting, and which address a request comes from, are concord.core.ratelimit's, shared
with the JSON API; this module names the portal's limits. `client_ip` and the counting
functions are imported from here by the portal's views (and by other modules, for the
address), so they stay importable here.
"""

from __future__ import annotations

from django.conf import settings

from concord.core.ratelimit import Limit, client_ip, count, exceeded, retry_after, take

__all__ = [
    "DEFAULT_LIMITS",
    "Limit",
    "client_ip",
    "count",
    "exceeded",
    "limit",
    "retry_after",
    "take",
]

# (requests, seconds) per IP; CONCORD["PORTAL_RATE_LIMITS"] overrides any of them.
DEFAULT_LIMITS = {
    # Cases and bookings written.
    "submit": (5, 3600),
    # Tracking lookups, right or wrong.
    "track": (20, 600),
    # Wrong lookups of one tracking code from anywhere: 4 digits are few to guess.
    "code": (10, 3600),
}


def limit(name: str) -> Limit:
    configured = settings.CONCORD.get("PORTAL_RATE_LIMITS", {})
    requests, seconds = configured.get(name, DEFAULT_LIMITS[name])
    return Limit(f"portal-{name}", int(requests), int(seconds))
