import secrets
import threading
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.db import models
from django.db.models import Q
from django.utils import timezone

T = TypeVar("T")
# Per thread: (revision number, value) for each key, built by `Revision.cached`.
_built = threading.local()


class Revision(models.Model):
    """A token per kind of configuration that every process caches (the working calendar,
    the routing rules): an edit draws a new one, and each process reloads when it sees it
    change. Random rather than counted, so that a rolled-back edit's number is never seen
    again for a different state."""

    key = models.CharField(max_length=40, primary_key=True)
    number = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key} #{self.number}"

    @classmethod
    def bump(cls, key: str) -> None:
        cls.objects.update_or_create(key=key, defaults={"number": secrets.randbits(62)})

    @classmethod
    def current(cls, key: str) -> int:
        return cls.objects.filter(key=key).values_list("number", flat=True).first() or 0

    @classmethod
    def cached(cls, key: str, build: Callable[[], T]) -> T:
        """`build()`, kept by this thread until the key's revision changes (one small query
        per call to find out)."""
        number = cls.current(key)
        hit = _built.__dict__.get(key)
        if hit is not None and hit[0] == number:
            return hit[1]
        value = build()
        _built.__dict__[key] = (number, value)
        return value


class QueuedJob(models.Model):
    """A job `enqueue` promised to run: written in the caller's transaction, so that what a
    committed request queued survives a broker that is down (or a process that dies) and is
    handed to Celery again by `pump_queued_jobs`. The worker claims the row before running the
    job, so a message delivered twice (a re-send, an unacknowledged redelivery) runs it once."""

    # Carried by the Celery message rather than the id: a message still in the broker after a
    # restore from backup can never name a different job that reused the id.
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    path = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Last handed to the broker; None: never (the broker was down).
    sent_at = models.DateTimeField(null=True, blank=True)
    # Claimed by a worker (None again after a failure, for the next try).
    started_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            # The pump's scan: only the jobs not yet done.
            models.Index(fields=["created_at"], name="queuedjob_open", condition=Q(done_at=None)),
        ]

    def __str__(self) -> str:
        return f"{self.path} {self.key}"
