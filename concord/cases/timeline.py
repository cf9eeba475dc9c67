"""Writing to a case's timeline what is not a change of its status (督办, 延期, mediation, …)."""

import datetime as dt

from django.utils import timezone

from concord.accounts.models import User

from .models import Case, CaseEvent
from .signals import event_recorded


def record_event(
    case: Case,
    *,
    actor: User | None,
    action: str,
    comment: str = "",
    data: dict | None = None,
    at: dt.datetime | None = None,
) -> CaseEvent:
    """One timeline entry in the caller's transaction; other domains hear of it as of any
    transition (a deadline policy may start a clock on it)."""
    event = CaseEvent.objects.create(
        case=case,
        created_at=at or timezone.now(),
        actor=actor,
        actor_org_id=actor.organisation_id if actor else None,
        action=action,
        from_status=case.status,
        to_status=case.status,
        comment=comment,
        data=data or {},
    )
    event_recorded.send(sender=Case, case=case, event=event)
    return event
