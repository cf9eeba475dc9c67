"""Readiness for load balancers and monitoring (GET /api/v1/health): can this process reach
the database, and the broker when background work goes through Celery?"""

from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError, version

from django.conf import settings
from django.db import DatabaseError, connection

log = logging.getLogger(__name__)

OK, DOWN, NOT_CONFIGURED = "ok", "unreachable", "not_configured"


def concord_version() -> str:
    try:
        return version("concord")
    except PackageNotFoundError:  # a checkout run without `pip install -e .`
        return "unknown"


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        log.error("health: database unreachable: %s", exc)
        return DOWN
    return OK


def check_broker() -> str:
    """One connection attempt, within the broker's connection timeout (1 s by default)."""
    if not settings.CELERY_BROKER_URL:
        return NOT_CONFIGURED  # jobs run in this process
    from concord.celery import app

    timeout = settings.CELERY_BROKER_CONNECTION_TIMEOUT
    try:
        with app.connection_for_write(connect_timeout=timeout) as conn:
            conn.ensure_connection(max_retries=0, timeout=timeout)
    except Exception as exc:  # any transport's connection error
        log.warning("health: broker unreachable: %s", exc)
        return DOWN
    return OK


def system_health() -> tuple[int, dict[str, str]]:
    """(HTTP status, report). Without the database nothing works: 503. Without the broker
    intake and handling still work (queued jobs wait in their rows): 200, "degraded"."""
    database, broker = check_database(), check_broker()
    status = "ok" if database == OK and broker in (OK, NOT_CONFIGURED) else "degraded"
    version = concord_version()
    report = {"status": status, "database": database, "broker": broker, "version": version}
    return (503 if database != OK else 200), report
