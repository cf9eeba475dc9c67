"""Deadlines for seeded cases: each timeline replayed in memory, as `track` would have seen it.

Seeded cases are inserted in bulk (`concord.demo.bulk`), past the `event_recorded` signal, so
`concord.deadlines.services.track` never sees their events. `Replay` walks a case's events in
order and does with each what `track` does (stop, pause, resume, then start), choosing nodes
with the same `applicable_nodes` and dating them with the same `set_due`, but without a query
per event: the policies are read once per kind of case and the calendar once per run.

Deadlines are rows for `bulk.Table` like the rest of a seeded case: dicts of attnames, which
get their `case_id` and `task_id` on insertion. `set_due` dates them through one unsaved
`Deadline` per node, reused: building a model instance per row would cost more than all the
rest of the replay.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from concord.cases.choices import Action
from concord.cases.models import Case, Category
from concord.deadlines.models import Deadline, DeadlinePolicy, PolicyNode
from concord.deadlines.services import applicable_nodes, set_due, starts_at
from concord.deadlines.workdays import get_calendar

from .content import CaseRow

A = Action


class Replay:
    def __init__(self, now: dt.datetime, categories: Iterable[Category]) -> None:
        self.now = now
        self.calendar = get_calendar()
        self.categories = {c.pk: c for c in categories}
        named = list(
            DeadlinePolicy.objects.filter(active=True).values_list(
                "case_type", "category_id", "level"
            )
        )
        self.types = {case_type for case_type, _, _ in named}
        self.category_ids = {category_id for _, category_id, _ in named if category_id}
        self.levels = {level for _, _, level in named}
        self._nodes: dict[tuple, list[PolicyNode]] = {}
        self._starting: dict[tuple, list[PolicyNode]] = {}
        # Actions that may stop, pause or resume a running node (most events do neither).
        self.moves = {A.PAUSE, A.RESUME}
        self._scratch: dict[int, Deadline] = {}

    def kind(self, case_type: str, category_id: int | None, level: str) -> tuple:
        """The key under which a case of this type, category and handling level finds its
        nodes: `applicable_nodes` queries, so its answers are kept, and what no active policy
        names (a case type, a level, a category or its parent) changes nothing in them. A year
        of cases comes in hundreds of combinations, but only a handful of different answers."""
        category = self.categories.get(category_id)
        key = (
            case_type if case_type in self.types else "",
            category_id if category_id in self.category_ids else None,
            category.parent_id if category and category.parent_id in self.category_ids else None,
            level if level in self.levels else "",
        )
        if key not in self._nodes:
            case = Case(type=case_type, category=category, handling_level=level)
            self._nodes[key] = list(applicable_nodes(case).values())
            for node in self._nodes[key]:
                self.moves.update(node.stop_actions)
        return key

    def starting(self, kind: tuple, action: str) -> list[PolicyNode]:
        """The nodes `action` starts on a case of this kind, by `track`'s own rule (`starts_at`:
        escalating and handing down start a new task's sign node as assigning does), borrowed
        so that the replay cannot drift from it."""
        nodes = self._starting.get((kind, action))
        if nodes is None:
            nodes = [node for node in self._nodes[kind] if starts_at(node, action)]
            self._starting[kind, action] = nodes
        return nodes

    def deadlines(self, case: CaseRow, tasks: list[dict], events: list[dict]) -> list[dict]:
        """The deadline rows `track` would have left after `events` (rows as the generator's
        `settle` returns them: `task` is the task row a sign or an answer is about). Each row's
        `task` is its task row, or None.

        The generator never returns a task, escalates, hands down or reopens a case: the
        handling level changes only on assignment, and `track`'s clean-up of the nodes of
        cancelled tasks has nothing to do here."""
        seeded: list[dict] = []
        running: list[tuple[dict, PolicyNode]] = []
        # The handling level is set when the case is assigned; policies may depend on it.
        kind = self.kind(case.type, case.category_id, "")
        for event in events:
            at, action, about = event["created_at"], event["action"], event["task"]
            if action == A.ASSIGN:
                kind = self.kind(case.type, case.category_id, case.handling_level)
            if running and action in self.moves:
                running = [item for item in running if self._apply(*item, action, about, at)]
            starting = self.starting(kind, action)
            if not starting:
                continue
            # Task rows have no ids yet: a node runs once per task row, told apart by identity.
            taken = {(row["code"], id(row["task"])) for row, _ in running}
            new_tasks = [t for t in tasks if t.get("assigned_at") == at]
            for node in starting:
                for task in new_tasks if node.per_task else [None]:
                    if (node.code, id(task)) in taken:
                        continue
                    row = {
                        "node_id": node.pk,
                        "task": task,
                        "code": node.code,
                        "label": node.label,
                        "unit": node.unit,
                        "amount": node.amount,
                        "art85": node.art85,
                        "started_at": at,
                        "pauses": [],
                    }
                    self._date(row, node)
                    seeded.append(row)
                    running.append((row, node))
        for row, _node in running:
            self._fired_on_time(row)
        return seeded

    def _apply(self, row: dict, node: PolicyNode, action: str, about, at: dt.datetime) -> bool:
        """Stop, pause or resume one running node on one event; False once it has stopped."""
        if action in node.stop_actions and (row["task"] is None or row["task"] is about):
            row["met_at"] = at
            return False
        paused_at = row.get("paused_at")
        if action == A.PAUSE and row["task"] is None and not paused_at:
            row["paused_at"] = at
        elif action == A.RESUME and paused_at:
            row["pauses"] = [*row["pauses"], [_iso(paused_at), _iso(at)]]
            row["paused_at"] = None
            self._date(row, node)
        return True

    def _date(self, row: dict, node: PolicyNode) -> None:
        """`due_at`, `warn_at` and `provisional` as `set_due` computes them."""
        deadline = self._scratch.get(node.pk)
        if deadline is None:
            deadline = self._scratch[node.pk] = Deadline(
                node=node, unit=node.unit, amount=node.amount, art85=node.art85
            )
        deadline.started_at, deadline.pauses = row["started_at"], row["pauses"]
        set_due(deadline, self.calendar)
        row["due_at"], row["warn_at"] = deadline.due_at, deadline.warn_at
        row["provisional"] = deadline.provisional

    def _fired_on_time(self, row: dict) -> None:
        """Mark a running node as warned and breached where a sweep would have done so by now.

        Seeding writes no warning or breach events, notifications or 督办 for them: a year of
        history nobody was there to act on would otherwise reach the first sweep after seeding
        as thousands of notifications at once. The marks keep the demo's overdue cases
        overdue on every screen, and leave the sweep only what falls due from now on. A paused
        node's clock stopped when it was paused, so it is judged at that moment."""
        until = row.get("paused_at") or self.now
        if row["warn_at"] <= until:
            row["warned_at"] = row["warn_at"]
        if row["due_at"] <= until:
            row["breached_at"] = row["due_at"]


def _iso(moment: dt.datetime) -> str:
    # As `track` writes a pause: from times read back from the database, which are UTC.
    return moment.astimezone(dt.UTC).isoformat()
