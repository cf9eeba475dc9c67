"""Reads behind the dispatcher's queue (分流调度) and the ping-pong report (踢皮球).

Both pages answer in a fixed number of queries whatever the number of rows: the routing
suggestion comes from the in-memory rule book, and the organisations named on a page are
fetched together once.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from concord.accounts.models import User
from concord.cases.choices import OPEN_STATUSES, Action, CaseStatus, RiskLevel
from concord.cases.models import Case, CaseEvent
from concord.cases.scope import visible_cases
from concord.orgs.models import Organisation

from .engine import Decision
from .services import facts_of, rulebook

RISK_ORDER = (RiskLevel.RED, RiskLevel.ORANGE, RiskLevel.YELLOW, RiskLevel.BLUE)


def _came_back(case_ref: OuterRef) -> QuerySet[CaseEvent]:
    """A case's returns that sent it back to dispatch, latest first. Only a returned lead task
    does that (an assisting organisation returning its share leaves the case with the lead)."""
    return CaseEvent.objects.filter(
        case=case_ref, action=Action.RETURN, to_status=CaseStatus.ACCEPTED
    ).order_by("-created_at", "-id")


def waiting_cases(user: User) -> QuerySet[Case]:
    """The cases in the user's scope waiting to be routed (accepted, or returned to dispatch),
    the most urgent first: by risk (red, orange, yellow, blue), then the longest waiting.

    Each case carries `waiting_since` (when it was accepted or last came back) and
    `last_return_id` (that return's timeline event, or None)."""
    back = _came_back(OuterRef("pk"))
    risk_rank = models.Case(
        *(models.When(risk_level=level, then=rank) for rank, level in enumerate(RISK_ORDER)),
        default=len(RISK_ORDER),
        output_field=models.IntegerField(),
    )
    return (
        visible_cases(user)
        .filter(status=CaseStatus.ACCEPTED)
        .annotate(
            last_return_id=Subquery(back.values("pk")[:1]),
            waiting_since=Coalesce(
                Subquery(back.values("created_at")[:1]), "accepted_at", "received_at"
            ),
            risk_rank=risk_rank,
        )
        .select_related("category", "town")
        .order_by("risk_rank", "waiting_since", "id")
    )


@dataclass
class QueueRow:
    case: Case
    waiting_since: dt.datetime
    suggestion: Decision | None
    suggested_lead: Organisation | None
    returned: CaseEvent | None = None
    returned_by: Organisation | None = None

    @property
    def can_route(self) -> bool:
        """Whether "按建议批量交办" can take this row: the rules name a lead organisation."""
        return self.suggested_lead is not None


def queue_rows(cases: list[Case]) -> list[QueueRow]:
    """The page's cases (from `waiting_cases`) with the rules' suggestion and their last
    return: three queries at most, however many rows."""
    book = rulebook()
    decisions = {case.pk: book.decide(facts_of(case)) for case in cases}
    returns = CaseEvent.objects.in_bulk([c.last_return_id for c in cases if c.last_return_id])
    orgs = Organisation.objects.in_bulk(
        {d.lead_org for d in decisions.values() if d and d.lead_org}
        | {org for e in returns.values() if (org := _org_id(e.data))}
    )
    rows = []
    for case in cases:
        decision = decisions[case.pk]
        returned = returns.get(case.last_return_id)
        rows.append(
            QueueRow(
                case=case,
                waiting_since=case.waiting_since,
                suggestion=decision,
                suggested_lead=orgs.get(decision.lead_org) if decision else None,
                returned=returned,
                returned_by=orgs.get(_org_id(returned.data)) if returned else None,
            )
        )
    return rows


def _org_id(data) -> int | None:
    """The organisation named in an event's data; None when the row is malformed."""
    value = data.get("organisation") if isinstance(data, dict) else None
    return value if isinstance(value, int) else None


# The ping-pong report.


@dataclass
class Pair:
    returned_by: Organisation | None
    next_lead: Organisation | None  # None: not assigned again yet
    returns: int
    cases: int


@dataclass
class PingPongReport:
    pairs: list[Pair]
    returns: int
    cases: int


def ping_pong_pairs(user: User, *, start: dt.datetime, end: dt.datetime) -> PingPongReport:
    """Who returns cases, and to whom they go next, over [start, end): three queries.

    1. The returns in the range that sent a case back to dispatch, on the user's cases.
    2. Every assignment of those cases after the first of them.
    3. In memory, pair each return with its case's next assignment (the `lead_org` the
       dispatcher chose then; None while the case waits), count per pair, and fetch the
       organisations named."""
    in_range = CaseEvent.objects.filter(
        case__in=visible_cases(user),
        action=Action.RETURN,
        to_status=CaseStatus.ACCEPTED,
        created_at__gte=start,
        created_at__lt=end,
    )
    returns = list(
        in_range.order_by("case_id", "created_at", "id").values_list(
            "case_id", "created_at", "id", "data"
        )
    )
    if not returns:
        return PingPongReport([], 0, 0)
    # Any assignment following a return in the range comes after `start`.
    assigns: dict[int, list[tuple]] = {}
    for case_id, created_at, pk, data in (
        CaseEvent.objects.filter(
            case_id__in=in_range.values("case_id"), action=Action.ASSIGN, created_at__gte=start
        )
        .order_by("case_id", "created_at", "id")
        .values_list("case_id", "created_at", "id", "data")
    ):
        assigns.setdefault(case_id, []).append(((created_at, pk), _lead_id(data)))
    counts: Counter[tuple[int | None, int | None]] = Counter()
    cases_per_pair: dict[tuple[int | None, int | None], set[int]] = {}
    for case_id, created_at, pk, data in returns:
        after = (created_at, pk)
        next_lead = next((lead for key, lead in assigns.get(case_id, ()) if key > after), None)
        pair = (_org_id(data), next_lead)
        counts[pair] += 1
        cases_per_pair.setdefault(pair, set()).add(case_id)
    orgs = Organisation.objects.in_bulk({org for pair in counts for org in pair if org})
    pairs = [
        Pair(orgs.get(by), orgs.get(to), n, len(cases_per_pair[(by, to)]))
        for (by, to), n in counts.items()
    ]
    # Most returns first; a case still waiting for dispatch after its pair's named leads.
    pairs.sort(
        key=lambda p: (
            -p.returns,
            -p.cases,
            _name(p.returned_by),
            p.next_lead is None,
            _name(p.next_lead),
        )
    )
    return PingPongReport(pairs, len(returns), len({r[0] for r in returns}))


def _lead_id(data) -> int | None:
    value = data.get("lead_org") if isinstance(data, dict) else None
    return value if isinstance(value, int) else None


def _name(org: Organisation | None) -> str:
    return org.name if org else ""


def flagged_cases(user: User) -> QuerySet[Case]:
    """Open cases in the user's scope returned more than PING_PONG_HOPS times, most hops first."""
    return (
        visible_cases(user)
        .filter(status__in=OPEN_STATUSES, hop_count__gt=settings.CONCORD["PING_PONG_HOPS"])
        .select_related("category", "town", "lead_org")
        .order_by("-hop_count", "received_at", "id")
    )


@dataclass
class LevelRow:
    organisation: Organisation
    resolved: int  # cases it led to resolution in the range
    own_level: int  # of those, never escalated or handed down on the way
    escalated: int  # cases it escalated in the range

    @property
    def own_level_share(self) -> float | None:
        return self.own_level / self.resolved if self.resolved else None


def level_report(user: User, *, start: dt.datetime, end: dt.datetime) -> list[LevelRow]:
    """小事不出村、大事不出镇: per organisation, the cases it resolved at its own level (no
    escalation or hand-down on the way) and the cases it escalated, over [start, end).
    Three queries."""
    cases = visible_cases(user)
    moved = CaseEvent.objects.filter(
        case=OuterRef("pk"), action__in=(Action.ESCALATE, Action.DELEGATE)
    )
    resolved = (
        cases.filter(resolved_at__gte=start, resolved_at__lt=end, lead_org__isnull=False)
        .annotate(moved=models.Exists(moved))
        .values("lead_org")
        .annotate(
            total=models.Count("pk"),
            own=models.Count("pk", filter=models.Q(moved=False)),
        )
    )
    escalated = (
        CaseEvent.objects.filter(
            case__in=cases, action=Action.ESCALATE, created_at__gte=start, created_at__lt=end
        )
        .values("actor_org")
        .annotate(n=models.Count("case", distinct=True))
    )
    rows: dict[int, list[int]] = {}
    for row in resolved:
        rows.setdefault(row["lead_org"], [0, 0, 0])[:2] = [row["total"], row["own"]]
    for row in escalated:
        if row["actor_org"]:
            rows.setdefault(row["actor_org"], [0, 0, 0])[2] = row["n"]
    orgs = Organisation.objects.in_bulk(rows)
    report = [LevelRow(orgs[pk], *counts) for pk, counts in rows.items() if pk in orgs]
    report.sort(key=lambda r: (-r.resolved, -r.escalated, r.organisation.name))
    return report
