"""What the duplicate check does when a case's timeline records an action (cases.signals)."""

from concord.cases.choices import Action
from concord.cases.models import Case, CaseEvent

from .services import index_case


def on_event_recorded(*, case: Case, event: CaseEvent, **_signal) -> None:
    """A registered case enters the text index, in the registration's transaction."""
    if event.action == Action.REGISTER:
        index_case(case)
