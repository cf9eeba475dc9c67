"""The text index of the duplicate check: each case's MinHash band keys (see `text.py`)."""

from django.db import models


class TextBand(models.Model):
    """One LSH band key of one case's description. Two cases sharing a key are candidates for
    the same matter; the received time is copied here so that the lookup reads the index of
    (key, received_at) alone for the time window, whatever the size of the case table."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    key = models.BigIntegerField()
    received_at = models.DateTimeField()

    class Meta:
        indexes = [
            # Covering: the lookup reads case ids from the index alone (index-only scans).
            models.Index(fields=["key", "received_at"], include=["case"], name="textband_key_time"),
            models.Index(fields=["case"], name="textband_case"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.key}"
