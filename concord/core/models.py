import secrets
import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import models

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
