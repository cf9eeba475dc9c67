"""The deadline sweep: warn before a node is due, and on breach escalate it as a 督办.

`sweep(now)` is idempotent: each warning and each breach is claimed by one compare-and-set
update (`warned_at`/`breached_at` from empty to now) on rows locked with SKIP LOCKED, and its
event, notifications and 督办 are written in the same transaction. A second sweep, at once
or later, finds nothing left to claim.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.accounts.models import User
from concord.cases.choices import Action
from concord.cases.models import Case, CaseEvent
from concord.core.dates import local_time
from concord.notifications.services import Notice, notify_many
from concord.orgs.models import Organisation, OrgKind

from .calendar import Unit
from .models import Deadline, EscalateTo, Supervision
from .workdays import get_calendar

log = logging.getLogger(__name__)
BATCH = 500
# How long the organisation behind on a node has to answer the automatic 督办.
SUPERVISION_REPLY_WORKING_DAYS = 1


def sweep(now: dt.datetime | None = None) -> dict[str, int]:
    """Claim every warning and breach due at `now`; returns how many of each were fired."""
    now = now or timezone.now()
    fired = {"warned": 0, "breached": 0}
    ctx = _Context()
    open_ = Deadline.objects.filter(met_at=None, paused_at=None)
    # Ordered by the indexed time so that the planner reads the partial index, not the table.
    to_warn = open_.filter(warned_at=None, breached_at=None, warn_at__lte=now).order_by("warn_at")
    to_breach = open_.filter(breached_at=None, due_at__lte=now).order_by("due_at")
    for key, queryset, field, fire in (
        ("warned", to_warn, "warned_at", _warn),
        ("breached", to_breach, "breached_at", _breach),
    ):
        while True:
            with transaction.atomic():
                claimed = _claim(queryset, field, now)
                writes = _Writes()
                for deadline in claimed:
                    fire(deadline, now, ctx, writes)
                writes.save()
                if field == "breached_at" and claimed:
                    # A breach changes the case's overdue count: the KPI rollup recounts
                    # the cases whose updated_at moved (dashboard.rollups).
                    Case.objects.filter(pk__in={d.case_id for d in claimed}).update(updated_at=now)
            fired[key] += len(claimed)
            if len(claimed) < BATCH:
                break
    if any(fired.values()):
        log.info("deadline sweep at %s: %s", now.isoformat(), fired)
    return fired


def _claim(queryset: QuerySet, field: str, now: dt.datetime) -> list[Deadline]:
    """Lock up to BATCH rows others have not locked, and set `field` on those still empty."""
    ids = list(queryset.select_for_update(skip_locked=True).values_list("pk", flat=True)[:BATCH])
    if not ids:
        return []
    Deadline.objects.filter(pk__in=ids, **{field: None}).update(**{field: now})
    return list(
        Deadline.objects.filter(pk__in=ids, **{field: now}).select_related(
            "case__lead_org__parent",
            "case__registered_org__parent",
            "task__organisation__parent",
            "node__escalate_org",
        )
    )


class _Writes:
    """What one claimed batch writes, saved together: timeline events, 督办, notifications."""

    def __init__(self) -> None:
        self.events: list[CaseEvent] = []
        self.supervisions: list[tuple[Supervision, CaseEvent]] = []
        self.notices: list[Notice] = []

    def event(self, deadline: Deadline, action: str, now: dt.datetime, text: str) -> CaseEvent:
        case = deadline.case
        event = CaseEvent(
            case=case,
            created_at=now,
            action=action,
            from_status=case.status,
            to_status=case.status,
            comment=text,
            data={"deadline": deadline.pk, "node": deadline.code},
        )
        self.events.append(event)
        return event

    def save(self) -> None:
        Supervision.objects.bulk_create([s for s, _ in self.supervisions])
        for supervision, event in self.supervisions:
            event.data["supervision"] = supervision.pk
        CaseEvent.objects.bulk_create(self.events)
        notify_many(self.notices)


def _warn(deadline: Deadline, now: dt.datetime, ctx: _Context, writes: _Writes) -> None:
    due = local_time(deadline.due_at)
    text = _("「%(node)s」将于%(due)s到期") % {"node": deadline.label, "due": due}
    writes.event(deadline, Action.DEADLINE_WARNED, now, text)
    title = _("%(code)s %(text)s") % {"code": deadline.case.tracking_code, "text": text}
    owner = responsible_org(deadline) or ctx.county_center
    writes.notices.append(
        Notice(ctx.people_of(owner), "deadline_warned", title, case=deadline.case)
    )


def _breach(deadline: Deadline, now: dt.datetime, ctx: _Context, writes: _Writes) -> None:
    due = local_time(deadline.due_at)
    text = _("「%(node)s」已超期（应于%(due)s前完成）") % {"node": deadline.label, "due": due}
    writes.event(deadline, Action.DEADLINE_BREACHED, now, text)
    # A case nobody leads yet (an online submission before acceptance) is the center's to move.
    target = responsible_org(deadline) or ctx.county_center
    title = _("%(code)s %(text)s") % {"code": deadline.case.tracking_code, "text": text}
    if deadline.node.escalate_to == EscalateTo.NONE:
        writes.notices.append(
            Notice(ctx.people_of(target), "deadline_breached", title, case=deadline.case)
        )
        return
    supervisor = escalation_org(deadline, target) or ctx.county_center
    supervision = Supervision(
        case=deadline.case,
        deadline=deadline,
        issuer_org=supervisor,
        target_org=target,
        reason=text,
        issued_at=now,
        reply_due_at=ctx.reply_due(now),
    )
    event = writes.event(
        deadline,
        Action.SUPERVISE,
        now,
        _("系统自动督办：%(issuer)s督办%(target)s，请于%(due)s前回复")
        % {
            "issuer": supervisor.name,
            "target": target.name,
            "due": local_time(supervision.reply_due_at),
        },
    )
    writes.supervisions.append((supervision, event))
    writes.notices.append(Notice(ctx.people_of(target), "supervision", title, case=deadline.case))
    writes.notices.append(
        Notice(ctx.people_of(supervisor), "deadline_breached", title, case=deadline.case)
    )


def responsible_org(deadline: Deadline) -> Organisation | None:
    """Who owes the node: the task's organisation, else the lead, else who registered it
    (None for a case that came in online before anyone took it)."""
    if deadline.task_id:
        return deadline.task.organisation
    case = deadline.case
    return case.lead_org or case.registered_org


def escalation_org(deadline: Deadline, responsible: Organisation) -> Organisation | None:
    """The node's supervisor: a named organisation, or the responsible one's parent; None
    means the county center."""
    node = deadline.node
    if node.escalate_to == EscalateTo.ORGANISATION and node.escalate_org:
        return node.escalate_org
    if node.escalate_to == EscalateTo.PARENT and responsible.parent_id:
        return responsible.parent
    return None


class _Context:
    """What every event of one sweep needs, read once: the calendar, the county center, and
    the active users of each organisation."""

    def __init__(self) -> None:
        self.calendar = get_calendar()
        self.county_center = (
            Organisation.objects.filter(kind=OrgKind.COUNTY_CENTER).order_by("pk").first()
        )
        self.cache: dict[int, list[User]] = {}
        self.replies: dict[dt.datetime, dt.datetime] = {}

    def reply_due(self, now: dt.datetime) -> dt.datetime:
        if now not in self.replies:
            due = self.calendar.add(now, SUPERVISION_REPLY_WORKING_DAYS, Unit.WORKING_DAYS)
            self.replies[now] = due.at
        return self.replies[now]

    def people_of(self, org: Organisation | None) -> list[User]:
        if org is None:
            return []
        if org.pk not in self.cache:
            self.cache[org.pk] = list(User.objects.staff_of(org))
        return self.cache[org.pk]
