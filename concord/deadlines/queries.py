"""Read-side questions the pages ask about deadlines, answered in SQL (never one query per row).

`with_urgent_deadline` puts each row's most urgent open node on a case (or task) list;
`overdue_deadlines` and `on_time_rates` feed the 超期督办 page. Every one of them takes an
already scoped queryset of cases: scope stays with `cases.scope.visible_cases`.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Case as SqlCase
from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from concord.orgs.models import Organisation

from .models import Deadline, DeadlineState, EscalateTo

# Breached before warned before pending; paused and met nodes do not compete.
RANK = SqlCase(
    When(breached_at__isnull=False, then=Value(0)),
    When(warned_at__isnull=False, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
RANK_STATES = {0: DeadlineState.BREACHED, 1: DeadlineState.WARNED, 2: DeadlineState.PENDING}
# Who owes a node, as `sweep.responsible_org` decides it, but in SQL.
OWNER = Coalesce("task__organisation_id", "case__lead_org_id", "case__registered_org_id")


def running(deadlines: QuerySet[Deadline]) -> QuerySet[Deadline]:
    """Nodes whose clock runs; a lapsed window nobody answers for (the parties let the
    judicial-confirmation window pass) is over, not overdue."""
    lapsed = Q(node__escalate_to=EscalateTo.NONE, breached_at__isnull=False)
    return deadlines.filter(met_at=None, paused_at=None).exclude(lapsed)


def with_urgent_deadline(rows: QuerySet, case_ref: str = "pk") -> QuerySet:
    """Annotate each row with its case's most urgent running node: `urgent_rank` (see
    RANK_STATES), `urgent_due_at`, `urgent_label`, `urgent_provisional`; all None if none.

    `case_ref` is the path from the row to the case id ("pk" on cases, "case_id" on tasks)."""
    urgent = (
        running(Deadline.objects.filter(case_id=OuterRef(case_ref)))
        .annotate(rank=RANK)
        .order_by("rank", "due_at", "pk")
    )
    return rows.annotate(
        urgent_rank=Subquery(urgent.values("rank")[:1]),
        urgent_due_at=Subquery(urgent.values("due_at")[:1]),
        urgent_label=Subquery(urgent.values("label")[:1]),
        urgent_provisional=Subquery(urgent.values("provisional")[:1]),
    )


def overdue_deadlines(cases: QuerySet) -> QuerySet[Deadline]:
    """Running nodes that are breached or about to be, most overdue (earliest due) first."""
    return (
        running(Deadline.objects.filter(case__in=cases.values("pk")))
        .filter(Q(breached_at__isnull=False) | Q(warned_at__isnull=False))
        .select_related("case__lead_org", "case__registered_org", "task__organisation")
        .order_by("due_at", "pk")
    )


def on_time_rates(cases: QuerySet, *, since: dt.datetime) -> list[dict]:
    """Per owing organisation: nodes met since `since`, how many of them by their due time
    (an approved extension counts), and how many of its nodes are overdue now.

    Worst first: most overdue now, then lowest on-time rate."""
    rows = (
        Deadline.objects.filter(case__in=cases.values("pk"))
        .filter(Q(met_at__gte=since) | Q(pk__in=running(Deadline.objects).values("pk")))
        .exclude(met_at=None, breached_at=None)
        .annotate(owner=OWNER)
        .values("owner")
        .annotate(
            met=Count("pk", filter=Q(met_at__isnull=False)),
            on_time=Count("pk", filter=Q(met_at__isnull=False, met_at__lte=F("due_at"))),
            overdue=Count("pk", filter=Q(met_at=None)),
        )
        .order_by()
    )
    rows = list(rows)
    names = dict(
        Organisation.objects.filter(pk__in=[r["owner"] for r in rows]).values_list("pk", "name")
    )
    for row in rows:
        row["name"] = names.get(row["owner"], "—")
        row["rate"] = round(100 * row["on_time"] / row["met"], 1) if row["met"] else None
    rows.sort(key=lambda r: (-r["overdue"], 101 if r["rate"] is None else r["rate"], r["name"]))
    return rows
