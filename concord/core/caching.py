"""Results kept a short while in Django's cache, where a cache that is down costs only the
saving: the result is computed again, the failure logged, the page still answers."""

import logging

from django.core.cache import cache

log = logging.getLogger(__name__)


def cached(key: str):
    """The kept value, or None when there is none or the cache cannot be reached."""
    try:
        return cache.get(key)
    except Exception:  # noqa: BLE001  (any cache backend's connection error)
        log.warning("cache unreachable: computing %s again", key, exc_info=True)
        return None


def keep(key: str, value, seconds: int) -> None:
    if seconds <= 0:
        return
    try:
        cache.set(key, value, timeout=seconds)
    except Exception:  # noqa: BLE001
        log.warning("cache unreachable: %s not kept", key, exc_info=True)
