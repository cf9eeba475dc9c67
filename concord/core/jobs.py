"""Background work, written once as plain functions and run where the deployment says.

With `CELERY_BROKER_URL` set (production: Redis), `enqueue` sends the job to Celery and Celery
beat runs the periodic jobs. Without it (`make run`, tests) jobs run in this process: queued
ones right after the transaction commits, periodic ones on a daemon thread started by
`start_embedded_scheduler`.

A queued job is first a `QueuedJob` row in the caller's transaction (an outbox): a broker that
is down costs the request at most one short connection timeout (and none for
`CONCORD_BROKER_BACKOFF` seconds after that), the row waits, and `pump_queued_jobs` hands it
over once the broker is back. The worker claims the row before running it, so a job sent twice
runs once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from concord.core.models import QueuedJob

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
    # The audit log's hash chain, walked once a day: the auditors hear of a break.
    ("concord.audit.jobs.check_chain", 86400),
    # Queued jobs the broker did not take (it was down) are handed to it again.
    ("concord.core.jobs.pump_queued_jobs", 30),
]

# A job is tried this many times (Celery's retries and the pump's re-sends together).
MAX_ATTEMPTS = 5
# The pump leaves a new row this long to `enqueue`'s own hand-over after the commit.
PUMP_GRACE = timedelta(seconds=30)
# A job handed over but not started after this long is sent again (a broker that lost it).
RESEND_AFTER = timedelta(minutes=10)
# Done jobs are kept this long for inspection, then deleted by the pump.
KEEP_DONE = timedelta(days=30)
ERROR_MAX = 2000

# Until this time.monotonic() the broker is taken to be down: nothing is sent, no one waits.
_broker_down_until = 0.0


def _model() -> type[QueuedJob]:
    # Imported late: concord/__init__.py loads Celery, and with it this module, before the
    # app registry is ready.
    from concord.core.models import QueuedJob

    return QueuedJob


def on_celery() -> bool:
    return bool(settings.CELERY_BROKER_URL)


def enqueue(path: str, **kwargs) -> QueuedJob:
    """Run `path(**kwargs)` once the current transaction commits (at once outside one).

    The job is written in the caller's transaction, so it exists exactly when the caller's
    work does; after the commit it goes to Celery (or runs here without a broker). Keyword
    arguments must be JSON values.
    """
    job = _model().objects.create(path=path, kwargs=kwargs)
    transaction.on_commit(lambda: _dispatch(job))
    return job


def _dispatch(job: QueuedJob) -> None:
    if on_celery():
        publish(job)
    else:
        run_queued(job.key)


def broker_down() -> bool:
    return time.monotonic() < _broker_down_until


def publish(job: QueuedJob) -> bool:
    """Hand a queued job to Celery; False, without raising, when the broker is unreachable
    (the row stays for the pump). Never waits longer than the broker's connection timeout,
    and not at all for CONCORD_BROKER_BACKOFF seconds after a failure."""
    global _broker_down_until
    if broker_down():
        return False
    from concord.core.tasks import run_job

    try:
        # retry=False: kombu would otherwise retry the publish for seconds on end.
        run_job.apply_async((job.path, job.kwargs), {"key": str(job.key)}, retry=False)
    except Exception as exc:  # any transport's connection error: the job waits in its row
        _broker_down_until = time.monotonic() + settings.CONCORD_BROKER_BACKOFF
        log.warning("broker unreachable, job %s %s stays queued: %s", job.path, job.key, exc)
        return False
    _model().objects.filter(pk=job.pk).update(sent_at=timezone.now())
    return True


def run_queued(key: UUID | str) -> bool:
    """Run a queued job unless it ran or is running; True when it ran now.

    1. Claim the row with a conditional UPDATE (not started, not done): of two deliveries of
       the same job, one claims it and the other returns False.
    2. Run the function outside any transaction of ours (an import commits as it goes).
    3. Mark it done; on an exception give the claim back with the error, and re-raise (Celery
       retries it, the pump sends it again, up to MAX_ATTEMPTS tries).
    A worker that dies between 1 and 3 leaves the row claimed: it is not run again by itself
    (`pump_queued_jobs` reports it as stuck), because running a job twice is the worse fault.
    """
    QueuedJob = _model()
    claimed = QueuedJob.objects.filter(key=key, started_at=None, done_at=None).update(
        started_at=timezone.now(), attempts=F("attempts") + 1
    )
    if not claimed:
        log.info("queued job %s already ran, is running, or is unknown here", key)
        return False
    job = QueuedJob.objects.get(key=key)
    try:
        run_job_now(job.path, job.kwargs)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX]
        QueuedJob.objects.filter(pk=job.pk).update(started_at=None, last_error=error)
        raise
    QueuedJob.objects.filter(pk=job.pk).update(done_at=timezone.now())
    return True


def pump_queued_jobs(now: datetime | None = None, batch: int = 200) -> dict[str, int]:
    """Periodic: hand over the queued jobs the broker did not take; returns the counts.

    1. Due: not done, not running, tried fewer than MAX_ATTEMPTS times, and either never
       handed over (older than PUMP_GRACE) or handed over RESEND_AFTER ago without starting.
    2. With Celery, lock them (skipping rows another pump holds) and publish each, stopping at
       the first refusal of the broker; without, run each here.
    3. Count the stuck ones (claimed for more than a day) for the log, and delete done jobs
       older than KEEP_DONE.
    """
    QueuedJob = _model()
    now = now or timezone.now()
    counts = {"sent": 0, "ran": 0, "waiting": 0, "stuck": 0}
    due = (
        QueuedJob.objects.filter(done_at=None, started_at=None, attempts__lt=MAX_ATTEMPTS)
        .filter(
            Q(sent_at=None, created_at__lte=now - PUMP_GRACE) | Q(sent_at__lte=now - RESEND_AFTER)
        )
        .order_by("created_at", "id")
    )
    if on_celery():
        with transaction.atomic():
            jobs = list(due.select_for_update(skip_locked=True)[:batch])
            for job in jobs:
                if not publish(job):
                    break
                counts["sent"] += 1
            counts["waiting"] = len(jobs) - counts["sent"]
    else:
        for key in list(due.values_list("key", flat=True)[:batch]):
            try:
                counts["ran"] += run_queued(key)
            except Exception:
                log.exception("queued job %s failed", key)
    counts["stuck"] = QueuedJob.objects.filter(
        done_at=None, started_at__lte=now - timedelta(days=1)
    ).count()
    if counts["stuck"]:
        log.warning("%s queued jobs were claimed a day ago and never finished", counts["stuck"])
    QueuedJob.objects.filter(done_at__lt=now - KEEP_DONE).delete()
    return counts


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
