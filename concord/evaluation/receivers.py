"""What evaluation does when the case's timeline records an action (cases.signals)."""

from concord.cases.choices import Action
from concord.cases.models import Case, CaseEvent

from .ratings import record_rating, settle_reviews
from .visits import cancel_planned, link_follow_up, plan_visits

ON_ACTION = {
    Action.RESOLVE: (plan_visits,),
    Action.RATE: (record_rating,),
    Action.FOLLOW_UP: (link_follow_up,),
    Action.REOPEN: (cancel_planned, settle_reviews),
    Action.ARCHIVE: (cancel_planned, settle_reviews),
}


def on_event_recorded(*, case: Case, event: CaseEvent, **_signal) -> None:
    """Resolved: plan the visits. Rated: keep the rating (and review a 不满意). Followed up:
    tie it to its visit (one naming none counts for the visit due first). Reopened or
    archived: cancel the visits still planned and settle the open review."""
    for react in ON_ACTION.get(event.action, ()):
        react(case, event)
