"""Redis down during intake and handling (issue 11, Must show): the requests answer as usual,
and once Redis is back a real Celery worker delivers the queued work exactly once.

The broker is a redis-server of the test's own (conftest.PrivateRedis), stopped and started
by the test; the machine's shared Redis is never touched.
"""

import threading
import time
from datetime import timedelta

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from concord.cases.models import Case
from concord.cases.tests.test_pages import _intake_post
from concord.celery import app as celery_app
from concord.core import jobs
from concord.core.models import QueuedJob
from concord.core.tasks import run_job
from concord.notifications.choices import OutboxStatus
from concord.notifications.models import OutboxMessage
from concord.notifications.senders import Sender

from .conftest import waiting_for

HERE = "concord.core.tests.test_broker_outage"
sent: list[int] = []
ran: list[str] = []
_lock = threading.Lock()


class RecordingSender(Sender):
    """Records which outbox message left (the worker runs on its own thread)."""

    def send(self, message) -> None:
        with _lock:
            sent.append(message.pk)


def handle(label: str) -> None:
    with _lock:
        ran.append(label)


# Intake that turns red: the county's dispatchers are notified (an SMS each in the outbox).
RED_CASE = {
    "type": "dispute",
    "channel": "walk_in",
    "description": "讨薪未果，当事人扬言要跳楼。",
    "parties": [{"role": "applicant", "name": "王建国", "phone": "13805751234"}],
}


def done(job: QueuedJob) -> bool:
    return QueuedJob.objects.filter(pk=job.pk, done_at__isnull=False).exists()


def beat_tick(path: str) -> None:
    """What Celery beat sends for a periodic job."""
    run_job.apply_async((path,), retry=False)


@pytest.mark.django_db(transaction=True)
def test_with_redis_down_intake_answers_and_after_restart_each_notification_leaves_once(
    county, api, web, broker, private_redis, settings
):
    recording = f"{HERE}.RecordingSender"
    settings.CONCORD_SENDERS = {"sms": recording, "email": recording}
    sent.clear()
    ran.clear()
    broker(private_redis.url)  # its server is not running: Redis is down

    # 1. Intake and handling while Redis is down: they answer as usual, and fast.
    started = time.monotonic()
    created = api("clerk").post("/cases", RED_CASE)
    assert created.status_code == 201, created.content
    case_id = created.json()["id"]
    page = web("clerk").post("/cases/new", _intake_post(description="工地欠薪，扬言跳楼。"))
    assert page.status_code == 302
    accepted = api("clerk").post(f"/cases/{case_id}/transitions", {"action": "accept"})
    assert accepted.status_code == 200, accepted.content
    # Work a request queued for later: its row is written, the broker is not reached.
    job = jobs.enqueue(f"{HERE}.handle", label="queued while down")
    assert time.monotonic() - started < 10
    assert Case.objects.count() == 2
    outbox = set(OutboxMessage.objects.values_list("pk", flat=True))
    assert len(outbox) >= 2  # the dispatchers, told of two red cases
    assert not OutboxMessage.objects.exclude(status=OutboxStatus.PENDING).exists()
    job.refresh_from_db()
    assert job.sent_at is None and job.done_at is None and ran == []

    # 2. Redis comes back; a minute later (the remembered failure has expired, the pump's
    # grace is over) beat ticks and a real worker runs what they send.
    private_redis.start()
    jobs._broker_down_until = 0.0
    with (
        time_machine.travel(timezone.now() + timedelta(minutes=1), tick=True),
        start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30),
    ):

        def all_delivered() -> bool:
            """every outbox message sent and the queued job done"""
            pending = OutboxMessage.objects.exclude(status=OutboxStatus.SENT).exists()
            return not pending and done(job)

        with waiting_for(all_delivered):
            beat_tick("concord.core.jobs.pump_queued_jobs")
            beat_tick("concord.notifications.services.deliver_outbox")
        # The same again: a second beat, a redelivered message of the same job.
        run_job.apply_async((job.path, job.kwargs), {"key": str(job.key)}, retry=False)
        beat_tick("concord.notifications.services.deliver_outbox")
        beat_tick("concord.core.jobs.pump_queued_jobs")
        last = jobs.enqueue(f"{HERE}.handle", label="last")  # sent now: the broker is up
        with waiting_for(lambda: done(last)):
            pass

    assert sorted(sent) == sorted(outbox)  # each message once
    assert ran == ["queued while down", "last"]
    job.refresh_from_db()
    assert job.attempts == 1 and job.sent_at is not None
