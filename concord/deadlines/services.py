"""Deadlines follow the case: nodes start, pause, resume and stop on lifecycle events.

`track(case, event)` is called inside the transaction that records each event, so a case and
its clocks never disagree. `recompute_open()` sets every running clock again after the
calendar changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils.dateparse import parse_datetime

from concord.cases.choices import Action, TaskStatus
from concord.cases.models import Case, CaseEvent
from concord.core.models import Revision

from .calendar import WorkCalendar
from .models import AMOUNT_MAX, Deadline, DeadlinePolicy, PolicyNode
from .workdays import get_calendar

POLICY_REVISION = "deadline_policies"


def policy_changed(**_signal) -> None:
    Revision.bump(POLICY_REVISION)


def _active_policies() -> list[DeadlinePolicy]:
    """The active policies with their nodes, read once per process until one is edited."""
    return Revision.cached(
        POLICY_REVISION,
        lambda: list(
            DeadlinePolicy.objects.filter(active=True)
            .select_related("category")
            .prefetch_related("nodes")
            .order_by("pk")
        ),
    )


def applicable_nodes(case: Case) -> dict[str, PolicyNode]:
    """The key nodes for this case, by code: for each code, the most specific policy's node.

    Specificity: the case's own category 4, its parent category 2, a case type 1, a level 1;
    equal scores go to the policy created first."""
    category = case.category
    best: dict[str, tuple[int, PolicyNode]] = {}
    for policy in _active_policies():
        if policy.case_type and policy.case_type != case.type:
            continue
        if policy.level and policy.level != case.handling_level:
            continue
        score = (1 if policy.case_type else 0) + (1 if policy.level else 0)
        if policy.category_id:
            if category is None:
                continue
            if policy.category_id == category.pk:
                score += 4
            elif policy.category_id == category.parent_id:
                score += 2
            else:
                continue
        for node in policy.nodes.all():
            if node.code not in best or score > best[node.code][0]:
                best[node.code] = (score, node)
    return {code: node for code, (_, node) in best.items()}


def on_event_recorded(*, case: Case, event: CaseEvent, **_signal) -> None:
    track(case, event)


def track(case: Case, event: CaseEvent) -> None:
    """Apply one timeline event to the case's deadlines: stop, pause, resume, then start.

    Two things in the event's data steer it: `"periods": [7, 30, 90]` starts, for each node
    the action starts, one clock per period (a series: the 回访 visits of a plan), and
    `"deadline": id` makes the action stop that clock only."""
    at, action = event.created_at, event.action
    data = event.data or {}
    # A case just registered has no clocks yet: spare the intake a query.
    open_deadlines = (
        []
        if action == Action.REGISTER
        else list(case.deadlines.filter(met_at=None).select_related("node"))
    )
    task_id = data.get("task")
    stopped = _stopped(
        [
            d
            for d in open_deadlines
            if action in d.node.stop_actions and (d.task_id is None or d.task_id == task_id)
        ],
        data.get("deadline"),
    )
    calendar = None
    for deadline in open_deadlines:
        if deadline.pk in stopped:
            deadline.met_at = at
            deadline.save(update_fields=["met_at"])
        elif action == Action.PAUSE and deadline.task_id is None and not deadline.paused_at:
            deadline.paused_at = at
            deadline.save(update_fields=["paused_at"])
        elif action == Action.RESUME and deadline.paused_at:
            deadline.pauses = [*deadline.pauses, [deadline.paused_at.isoformat(), at.isoformat()]]
            deadline.paused_at = None
            calendar = calendar or get_calendar()
            set_due(deadline, calendar)
            deadline.save(update_fields=["pauses", "paused_at", "due_at", "warn_at", "provisional"])
    if action in _CANCELLING:
        # A task that is no longer active (its lead moved on) owes nothing any more.
        cancel(Deadline.objects.filter(case=case, task__status=TaskStatus.CANCELLED))
    starting = [n for n in applicable_nodes(case).values() if starts_at(n, action)]
    if starting:
        periods = periods_in(data)
        # A series may run beside an earlier one; only the same event, sent again, repeats it.
        running = {
            (d.code, d.task_id)
            for d in open_deadlines
            if d.met_at is None and (not periods or d.started_at == at)
        }
        start(case, starting, at, calendar or get_calendar(), running, periods=periods)


def _stopped(candidates: list[Deadline], named) -> set[int]:
    """Which of the clocks an action stops it meets: the one the event names, if it names
    one; else, per node and task, the one due first. Only a series has more than one running
    (its visits are met one by one); any other node runs once per task."""
    if named is not None:
        return {d.pk for d in candidates if d.pk == named}
    first: dict[tuple[str, int | None], int] = {}
    for deadline in sorted(candidates, key=lambda d: (d.due_at, d.pk)):
        first.setdefault((deadline.code, deadline.task_id), deadline.pk)
    return set(first.values())


def periods_in(data: dict) -> list[int]:
    """The periods of a series an event's data names (`"periods": [7, 30, 90]`), if any."""
    value = data.get("periods")
    if not isinstance(value, list):
        return []
    return [
        p for p in value if isinstance(p, int) and not isinstance(p, bool) and 0 < p <= AMOUNT_MAX
    ]


def cancel(deadlines: QuerySet[Deadline]) -> None:
    """Remove the running clocks among `deadlines` that nobody owes any more (a cancelled
    task's, a visit no longer planned): meeting them would count them as kept on time."""
    deadlines.filter(met_at=None).delete()


# Escalating and handing down create new lead tasks just as assigning does.
_ASSIGNING = frozenset({Action.ASSIGN, Action.ESCALATE, Action.DELEGATE})
# Actions that cancel the other tasks of a case.
_CANCELLING = frozenset({Action.RETURN, Action.ESCALATE, Action.DELEGATE})


def starts_at(node: PolicyNode, action: str) -> bool:
    """Whether `action` starts the node's clock."""
    if node.per_task and node.start_action == Action.ASSIGN:
        return action in _ASSIGNING
    return node.start_action == action


def start(
    case: Case,
    nodes: Iterable[PolicyNode],
    at: dt.datetime,
    calendar: WorkCalendar,
    running: set[tuple[str, int | None]],
    *,
    periods: list[int] | None = None,
) -> None:
    """Start the nodes' clocks at `at`, except those already running (code, task). With
    `periods`, each node starts a series instead: one clock per period, "回访（2/3）"."""
    new_tasks = list(case.tasks.filter(assigned_at=at)) if any(n.per_task for n in nodes) else []
    created = []
    for node in nodes:
        for task in new_tasks if node.per_task else [None]:
            if (node.code, task.pk if task else None) in running:
                continue
            for amount, label in series(node, periods):
                deadline = Deadline(
                    case=case,
                    task=task,
                    node=node,
                    code=node.code,
                    label=label,
                    unit=node.unit,
                    amount=amount,
                    art85=node.art85,
                    started_at=at,
                )
                set_due(deadline, calendar)
                created.append(deadline)
    Deadline.objects.bulk_create(created)


def series(node: PolicyNode, periods: list[int] | None = None) -> list[tuple[int, str]]:
    """The (period, label) of each clock a node starts: its own period, or one per period of
    a series, labelled "回访（2/3）"."""
    if not periods or len(periods) == 1:
        return [(periods[0] if periods else node.amount, node.label)]
    label_max = Deadline._meta.get_field("label").max_length
    return [
        (amount, f"{node.label}（{number}/{len(periods)}）"[:label_max])
        for number, amount in enumerate(periods, 1)
    ]


def set_due(deadline: Deadline, calendar: WorkCalendar) -> None:
    """Compute `due_at`, `warn_at` and `provisional` from the start, period, extension and
    closed pauses (an open pause leaves the last computed values: the clock is stopped)."""
    pauses = [(parse_datetime(a), parse_datetime(b)) for a, b in deadline.pauses]
    due = calendar.deadline(
        deadline.started_at,
        deadline.amount + deadline.extension,
        deadline.unit,
        art85=deadline.art85,
        pauses=pauses,
    )
    node = deadline.node
    warn = calendar.before(due.at, node.warn_amount, node.warn_unit)
    deadline.due_at = due.at
    deadline.warn_at = max(warn, deadline.started_at)
    deadline.provisional = due.provisional


def recompute_open(calendar: WorkCalendar | None = None) -> int:
    """Set every running clock again (after a calendar edit); returns how many moved."""
    calendar = calendar or get_calendar()
    moved = []
    for deadline in Deadline.objects.filter(met_at=None).select_related("node").iterator(2000):
        before = (deadline.due_at, deadline.warn_at, deadline.provisional)
        set_due(deadline, calendar)
        if (deadline.due_at, deadline.warn_at, deadline.provisional) != before:
            moved.append(deadline)
    Deadline.objects.bulk_update(moved, ["due_at", "warn_at", "provisional"], batch_size=1000)
    return len(moved)
