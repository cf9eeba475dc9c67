"""Background jobs run the same function in-process (make run, tests) or on Celery."""

import logging
import threading

from django.test import override_settings

from concord.celery import app as celery_app
from concord.core import jobs

calls: list[str] = []


def tick(**kwargs) -> str:
    calls.append(kwargs.get("label", "tick"))
    return "done"


def broken() -> None:
    raise RuntimeError("job failed")


def test_a_queued_job_runs_in_process_once_the_transaction_commits(
    db, django_capture_on_commit_callbacks
):
    calls.clear()
    with django_capture_on_commit_callbacks(execute=True):
        jobs.enqueue("concord.core.tests.test_jobs.tick", label="after commit")
        assert calls == []  # not before the commit
    assert calls == ["after commit"]


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:6379/15")
def test_with_a_broker_the_job_goes_through_celery(db, django_capture_on_commit_callbacks):
    calls.clear()
    celery_app.conf.task_always_eager = True  # runs the Celery task here instead of on a worker
    try:
        with django_capture_on_commit_callbacks(execute=True):
            jobs.enqueue("concord.core.tests.test_jobs.tick", label="via celery")
    finally:
        celery_app.conf.task_always_eager = False
    assert calls == ["via celery"]


def test_beat_runs_every_periodic_job_at_its_pace():
    schedule = {
        entry["args"][0]: entry["schedule"] for entry in celery_app.conf.beat_schedule.values()
    }
    assert schedule == {
        "concord.deadlines.sweep.sweep": 60.0,
        "concord.notifications.services.deliver_outbox": 60.0,
        "concord.summons.services.sweep_summons": 60.0,
        "concord.appointments.services.sweep_reminders": 300.0,
        "concord.consultations.services.sweep_overdue_decisions": 300.0,
        "concord.dashboard.rollups.refresh": 30.0,
        "concord.dashboard.rollups.rebuild": 86400.0,
        "concord.dashboard.reports.generate_due_reports": 3600.0,
        "concord.integrations.webhooks.deliver_webhooks": 30.0,
        "concord.imports.services.purge_files": 86400.0,
        "concord.triage.services.train_daily": 86400.0,
        "concord.duplicates.services.index_missing": 300.0,
        "concord.risk.spikes.sweep_spikes": 3600.0,
        "concord.risk.services.rescore_long_open": 86400.0,
        "concord.risk.letters.sweep_overdue_letters": 300.0,
        "concord.audit.jobs.check_chain": 86400.0,
        "concord.core.jobs.pump_queued_jobs": 30.0,
    }


def test_the_embedded_scheduler_repeats_jobs_and_survives_a_failing_one(caplog):
    calls.clear()
    naps = []
    stop = threading.Event()

    def sleep(seconds):
        naps.append(seconds)
        if len(naps) == 3:
            stop.set()

    with caplog.at_level(logging.ERROR, logger="concord.core.jobs"):
        thread = jobs.start_embedded_scheduler(
            [("concord.core.tests.test_jobs.tick", 0), ("concord.core.tests.test_jobs.broken", 0)],
            sleep=sleep,
            stop=stop,
        )
        thread.join(timeout=5)
    assert calls == ["tick", "tick", "tick"]
    assert caplog.text.count("periodic job concord.core.tests.test_jobs.broken failed") == 3
