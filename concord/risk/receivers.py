"""What risk does when the case's timeline records anything (cases.signals): score again."""

from concord.cases.models import Case, CaseEvent

from .services import rescore


def on_event_recorded(*, case: Case, event: CaseEvent, **_signal) -> None:
    """Registration, edits, visits, transitions: every recorded change may move the level."""
    if case.merged_into_id:
        return  # the surviving case carries the matter
    rescore(case)
