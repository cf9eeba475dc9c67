"""Demo data of the five-way linkage: seeded cases reach the database in bulk, past the
`event_recorded` signal, so their hand-overs are replayed from their timelines."""

from .automatic import backfill


def load_demo() -> int:
    """Record the hand-overs of the cases already in the database (110 calls, online
    petitions, professional mediation …). Idempotent; returns how many were added."""
    return backfill()
