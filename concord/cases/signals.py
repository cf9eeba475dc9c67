"""What other domains may follow without the case knowing them (deadlines, statistics)."""

from django.dispatch import Signal

# Sent inside the transaction that writes a timeline event, after the case row is updated:
# receivers get `case` (as it now stands) and `event`, and may write in the same transaction.
event_recorded = Signal()
