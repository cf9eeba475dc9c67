"""Background work, written once as plain functions and run where the deployment says.

With `CELERY_BROKER_URL` set (production: Redis), `enqueue` sends the job to Celery and Celery
beat runs the periodic jobs. Without it (`make run`, tests) jobs run in this process: queued
ones right after the transaction commits, periodic ones on a daemon thread started by
`start_embedded_scheduler`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

# Periodic jobs: (dotted path of a function taking no arguments, seconds between runs).
PERIODIC: list[tuple[str, int]] = [
    ("concord.deadlines.sweep.sweep", 60),
    ("concord.notifications.services.deliver_outbox", 60),
    ("concord.summons.services.sweep_summons", 60),
    ("concord.appointments.services.sweep_reminders", 300),
    ("concord.consultations.services.sweep_overdue_decisions", 300),
    # The KPI rollup: kept warm for the dashboards' polling, recounted whole each night.
    ("concord.dashboard.rollups.refresh", 30),
    ("concord.dashboard.rollups.rebuild", 86400),
    ("concord.dashboard.reports.generate_due_reports", 3600),
    ("concord.integrations.webhooks.deliver_webhooks", 30),
    ("concord.imports.services.purge_files", 86400),
    ("concord.triage.services.train_daily", 86400),
    # Cases that came in without the registration signal (imports, seeding) join the index.
    ("concord.duplicates.services.index_missing", 300),
    ("concord.risk.spikes.sweep_spikes", 3600),
    ("concord.risk.services.rescore_long_open", 86400),
    ("concord.risk.letters.sweep_overdue_letters", 300),
]


def on_celery() -> bool:
    return bool(settings.CELERY_BROKER_URL)


def enqueue(path: str, **kwargs) -> None:
    """Run `path(**kwargs)` once the current transaction commits (at once outside one)."""

    def send() -> None:
        if on_celery():
            from concord.core.tasks import run_job

            run_job.delay(path, kwargs)
        else:
            run_job_now(path, kwargs)

    transaction.on_commit(send)


def run_job_now(path: str, kwargs: dict | None = None):
    return import_string(path)(**(kwargs or {}))


def start_embedded_scheduler(
    jobs: list[tuple[str, int]] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    stop: threading.Event | None = None,
) -> threading.Thread:
    """Run the periodic jobs on a daemon thread of this process, each every its seconds, until
    `stop` is set. A failing job is logged and tried again at its next turn."""
    jobs = jobs or PERIODIC
    due = {path: 0.0 for path, _ in jobs}
    stop = stop or threading.Event()

    def loop() -> None:
        while not stop.is_set():
            for path, every in jobs:
                if time.monotonic() >= due[path]:
                    due[path] = time.monotonic() + every
                    try:
                        run_job_now(path)
                    except Exception:
                        log.exception("periodic job %s failed", path)
                    finally:
                        close_old_connections()
            sleep(1)

    thread = threading.Thread(target=loop, name="concord-scheduler", daemon=True)
    thread.start()
    return thread
