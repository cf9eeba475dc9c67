import secrets

from django.db import models


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
