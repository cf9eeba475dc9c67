"""Queued jobs are an outbox: written with the caller's work, handed to Celery after the
commit, kept when the broker is down and handed over again by the pump, run once however
often they are delivered."""

import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from concord.celery import app as celery_app
from concord.core import jobs
from concord.core.models import QueuedJob
from concord.core.tasks import run_job

from .conftest import free_port

JOB = "concord.core.tests.test_queued_jobs.record"
FAILING = "concord.core.tests.test_queued_jobs.fail"
calls: list[str] = []


def record(label: str = "") -> None:
    calls.append(label)


def fail() -> None:
    calls.append("fail")
    raise RuntimeError("the job failed")


@pytest.fixture(autouse=True)
def fresh():
    calls.clear()
    jobs._broker_down_until = 0.0
    yield
    jobs._broker_down_until = 0.0


@pytest.fixture
def eager():
    """Celery runs a sent task here at once instead of on a worker."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def dead_broker(broker):
    """CELERY_BROKER_URL set, its broker down."""
    broker(f"redis://127.0.0.1:{free_port()}/13")


def test_a_job_is_written_with_the_callers_work_and_runs_once_after_the_commit(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.enqueue(JOB, label="after commit")
        assert calls == [] and QueuedJob.objects.filter(pk=job.pk).exists()
    assert calls == ["after commit"]
    job.refresh_from_db()
    assert job.done_at and job.attempts == 1
    assert jobs.run_queued(job.key) is False  # delivered again: not run again
    assert calls == ["after commit"]


def test_a_rolled_back_request_queues_nothing(db, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        jobs.enqueue(JOB, label="never")
        raise RuntimeError("the request failed")
    assert callbacks == [] and calls == []
    assert not QueuedJob.objects.filter(path=JOB).exists()


def test_a_failed_job_is_tried_again_by_the_pump_until_its_attempts_are_spent(db):
    job = QueuedJob.objects.create(path=FAILING, kwargs={})
    with pytest.raises(RuntimeError):
        jobs.run_queued(job.key)
    job.refresh_from_db()
    assert job.attempts == 1 and job.started_at is None and job.done_at is None
    assert job.last_error == "RuntimeError: the job failed"
    later = timezone.now() + timedelta(minutes=1)
    for _ in range(jobs.MAX_ATTEMPTS):  # in-process: the pump runs it here
        jobs.pump_queued_jobs(now=later)
    assert calls == ["fail"] * jobs.MAX_ATTEMPTS
    job.refresh_from_db()
    assert job.attempts == jobs.MAX_ATTEMPTS and job.done_at is None


def test_the_pump_leaves_a_fresh_job_to_its_own_hand_over(db):
    QueuedJob.objects.create(path=JOB, kwargs={"label": "fresh"})
    assert jobs.pump_queued_jobs()["ran"] == 0
    assert jobs.pump_queued_jobs(now=timezone.now() + jobs.PUMP_GRACE)["ran"] == 1
    assert calls == ["fresh"]


def test_the_same_job_delivered_twice_runs_once(db, eager):
    job = QueuedJob.objects.create(path=JOB, kwargs={"label": "once"})
    run_job.delay(JOB, {"label": "once"}, key=str(job.key))
    run_job.delay(JOB, {"label": "once"}, key=str(job.key))
    assert calls == ["once"]


def test_a_claimed_job_is_not_run_by_a_second_delivery(db):
    job = QueuedJob.objects.create(path=JOB, kwargs={}, started_at=timezone.now())
    assert jobs.run_queued(job.key) is False
    assert calls == []
    day_later = timezone.now() + timedelta(days=1, minutes=1)
    assert jobs.pump_queued_jobs(now=day_later)["stuck"] == 1


def test_with_a_broker_down_the_job_waits_and_nobody_waits_for_it(
    db, dead_broker, django_capture_on_commit_callbacks
):
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        first = jobs.enqueue(JOB, label="first")
    first_took = time.monotonic() - started
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        second = jobs.enqueue(JOB, label="second")
    second_took = time.monotonic() - started
    assert first_took < 2.5  # one connection attempt, no kombu retries
    assert second_took < 0.1  # the failure is remembered: no attempt at all
    assert calls == []
    assert QueuedJob.objects.filter(pk__in=[first.pk, second.pk], sent_at=None).count() == 2
    later = timezone.now() + jobs.PUMP_GRACE
    assert jobs.pump_queued_jobs(now=later) == {"sent": 0, "ran": 0, "waiting": 2, "stuck": 0}


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:6379/13")
def test_the_pump_hands_waiting_jobs_to_the_broker_once_it_is_back(db, eager):
    waiting = QueuedJob.objects.create(path=JOB, kwargs={"label": "waited"})
    later = timezone.now() + jobs.PUMP_GRACE
    assert jobs.pump_queued_jobs(now=later)["sent"] == 1
    assert calls == ["waited"]
    waiting.refresh_from_db()
    assert waiting.sent_at and waiting.done_at
    assert jobs.pump_queued_jobs(now=later)["sent"] == 0


def test_done_jobs_are_deleted_after_a_month(db):
    old = timezone.now() - jobs.KEEP_DONE - timedelta(minutes=1)
    QueuedJob.objects.create(path=JOB, created_at=old, done_at=old)
    kept = QueuedJob.objects.create(path=JOB, done_at=timezone.now())
    jobs.pump_queued_jobs()
    assert list(QueuedJob.objects.filter(path=JOB)) == [kept]
