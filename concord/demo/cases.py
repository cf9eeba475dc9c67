"""Realistic demo cases: a year of the county's disputes, petitions and complaints, fast.

Cases are composed in memory as plain rows and inserted in batches (`concord.demo.bulk`). A
seeded `random.Random` and a seeded Faker make runs repeatable. Every case's fields and timeline are
what `concord.cases.lifecycle` would have left behind: the same events in the same order with
the same data, taken by accounts allowed to take them, and the deadlines those events started
(`concord.demo.deadlines`). `concord.demo.content` writes what each case says; this module
decides how far it got, who handled it and when.
"""

from __future__ import annotations

import datetime as dt
import gc
import random
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import accumulate

from django.db import connections, transaction
from django.db.models import Max
from django.utils import timezone

from concord.cases.choices import Action, CaseStatus, TaskRole, TaskStatus
from concord.cases.models import Case, CaseEvent, Party, Task
from concord.cases.tracking import reserve_tracking_codes
from concord.dashboard import rollups
from concord.deadlines.models import Deadline
from concord.orgs.models import Organisation

from . import texts as T
from .bulk import Table
from .content import CaseRow, Reference, Who, Writer, before_festival, festival, pick, wait
from .deadlines import Replay

S, A = CaseStatus, Action
BATCH = 2000
DAY = 1440  # minutes
OPEN = frozenset({S.REGISTERED, S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS, S.PAUSED})
DESK_CHANNELS = frozenset({"walk_in", "phone", "letter", "other"})  # typed in by the clerk


@dataclass
class _Draft:
    """One case in memory. Parties, tasks, events and deadlines are rows for `bulk.Table`:
    dicts that get their `case_id` once the case row exists."""

    case: CaseRow
    parties: list[dict]
    tasks: list[dict] = field(default_factory=list)
    steps: list[tuple] = field(default_factory=list)
    status: str = ""
    deadlines: list[dict] = field(default_factory=list)

    def step(
        self,
        minutes: float,
        action: str,
        to: str | None,
        who: Who,
        comment: str = "",
        data: dict | None = None,
        task: dict | None = None,
    ) -> None:
        """A lifecycle step `minutes` after the previous one; `to=None` keeps the status."""
        to = to or self.status
        self.steps.append((minutes, action, self.status, to, who, comment, data or {}, task))
        self.status = to


class _Generator:
    def __init__(self, seed: int, now: dt.datetime) -> None:
        self.rng = random.Random(seed)
        self.now, self.tz = now, timezone.get_current_timezone()
        self.ref = ref = Reference.load()
        self.writer = Writer(ref, self.rng, seed, timezone.localdate(now))
        grid = ref.users.get("grid")
        grid_org = next(
            (o for o in ref.orgs.values() if grid and o.pk == grid.organisation_id), None
        )
        self.grid_town = grid_org.division_id[:9] if grid_org else None
        self.replay = Replay(now, ref.categories.values())

    def arrivals(self, count: int) -> list[tuple[dt.datetime, dt.date, str, str]]:
        """(received_at, its local day, channel, final status) per case, oldest first."""
        rng, tz = self.rng, self.tz
        today = timezone.localdate(self.now)
        days = [today - dt.timedelta(days=i) for i in range(365)]
        weights = [T.WEEKDAYS[d.weekday()] * self._volume(d) for d in days]
        channels, channel_cum = list(T.CHANNELS), list(accumulate(T.CHANNELS.values()))
        hours = {ch: list(accumulate(T.HOURS.get(ch, T.ALL_DAY))) for ch in channels}
        out = []
        for day in rng.choices(days, weights, k=count):
            channel = rng.choices(channels, cum_weights=channel_cum)[0]
            hour = rng.choices(range(24), cum_weights=hours[channel])[0]
            at = dt.datetime.combine(day, dt.time(hour, rng.randrange(60), rng.randrange(60)), tz)
            if at >= self.now:  # later today than now: earlier today instead
                start = dt.datetime.combine(day, dt.time(), tz)
                at = start + (self.now - start) * rng.uniform(0.05, 0.99)
            out.append((at, day, channel))
        out.sort()
        ages = [(self.now - at) / dt.timedelta(days=1) for at, _, _ in out]
        statuses = [pick(rng, next(w for top, w in T.AGE_STATUS if age < top)) for age in ages]
        self._cover_every_status(statuses)
        return [(*arrival, status) for arrival, status in zip(out, statuses, strict=True)]

    def _cover_every_status(self, statuses: list[str]) -> None:
        """Demo screens should show every state: put a missing one on a case of fitting age."""
        if len(statuses) < 50:
            return
        counts = Counter(statuses)
        for status in S.values:
            if counts[status]:
                continue
            recent = range(len(statuses) - max(20, len(statuses) // 30), len(statuses))
            pool = recent if status in OPEN else range(len(statuses) // 2)
            index = self.rng.choice([i for i in pool if counts[statuses[i]] > 1])
            counts[statuses[index]] -= 1
            statuses[index], counts[status] = status, 1

    @staticmethod
    def _volume(day: dt.date) -> float:
        if 0 <= (day - festival(day.year)).days < 7:
            return 0.45  # the holiday week is quiet
        return 1.15 if before_festival(day) else 1.0

    def case(self, at: dt.datetime, day: dt.date, channel: str, target: str, code: str) -> _Draft:
        case = CaseRow(tracking_code=code, channel=channel, received_at=at)
        parties, cat, topic, values = self.writer.write(case, day)
        draft = _Draft(case, parties)
        self._history(draft, (cat, topic), target, values)
        return draft

    def _registrar(self, case: CaseRow) -> Who:
        ref, channel = self.ref, case.channel
        if channel == "grid":
            # The demo grid worker reports in their own town; elsewhere the village's grid does.
            if self.grid_town == case.town_id[:9]:
                return ref.staff("grid")
            org = ref.org("@village", case) or ref.org("@town", case)
            return None, org.pk if org else None
        if channel == "court_referral":
            return ref.staff("court")
        if channel == "portal" or channel in T.CHANNEL_ORGS:
            org = ref.orgs.get(T.CHANNEL_ORGS.get(channel, ""))
            return None, org.pk if org else None
        return ref.staff("clerk")

    def _history(self, draft: _Draft, topic: tuple[str, str], target: str, values: dict) -> None:
        """Walk the lifecycle up to `target`: who took each step and how long it waited.
        `topic` is the level-1 category and the sub-category code."""
        rng, ref, case, step = self.rng, self.ref, draft.case, draft.step
        cat, subcategory = topic
        consultation = case.type == "consultation"
        case.registered_by_id, case.registered_org_id = registrar = self._registrar(case)
        step(0, A.REGISTER, S.REGISTERED, registrar)
        at_desk = case.channel in DESK_CHANNELS
        desk, dispatcher = ref.staff("clerk" if at_desk else "dispatcher"), ref.staff("dispatcher")
        if target == S.REFUSED:
            step(wait(rng, 30, DAY), A.REFUSE, S.REFUSED, desk, rng.choice(T.REFUSALS))
        if target in (S.REGISTERED, S.REFUSED):
            return
        step(wait(rng, 3, 40) if at_desk else wait(rng, 15, 600), A.ACCEPT, S.ACCEPTED, desk)
        if target == S.REFERRED:
            where = T.REFERRALS.get(cat, T.REFERRAL_DEFAULT)
            step(wait(rng, 30, DAY), A.REFER, S.REFERRED, dispatcher, where)
        if target in (S.ACCEPTED, S.REFERRED):
            return

        lead, assists = self._route(case, cat)
        case.lead_org_id, case.handling_level = lead.pk, lead.division.level
        lead_task = {"organisation_id": lead.pk, "role": TaskRole.LEAD}
        assist_tasks = [{"organisation_id": o.pk, "role": TaskRole.ASSIST} for o in assists]
        draft.tasks = [lead_task, *assist_tasks]
        for task in draft.tasks:
            task["status"] = TaskStatus.PENDING
        data = {"lead_org": lead.pk, "assisting_orgs": [o.pk for o in assists]}
        minutes = wait(rng, 10, 120) if rng.random() < 0.8 else wait(rng, 120, DAY)
        step(minutes, A.ASSIGN, S.ASSIGNED, dispatcher, "", data)
        if target == S.ASSIGNED:
            return
        handler = ref.handler(lead)
        lead_task |= {"status": TaskStatus.SIGNED, "signed_by_id": handler[0]}
        sign = {"task": None, "role": TaskRole.LEAD}  # task ids are filled in after insertion
        step(wait(rng, 20, DAY), A.SIGN, S.IN_PROGRESS, handler, "", sign, lead_task)
        for org, task in zip(assists, assist_tasks, strict=True):
            if target in OPEN and rng.random() < 0.3:
                continue  # not signed for yet
            helper = ref.handler(org)
            task |= {"status": TaskStatus.SIGNED, "signed_by_id": helper[0]}
            sign = {"task": None, "role": TaskRole.ASSIST}
            step(wait(rng, 30, 2 * DAY), A.SIGN, None, helper, "", sign, task)
            if target in OPEN and rng.random() < 0.5:
                continue
            answer = T.ASSIST_ANSWERS.get(org.code, T.ASSIST_DEFAULT)
            task |= {"status": TaskStatus.ANSWERED, "answer": answer}
            step(wait(rng, DAY / 2, 7 * DAY), A.ANSWER, None, helper, answer, {"task": None}, task)
        # Appraisals (伤残, 医疗损害, 权属) hold cases up: paused now, or paused and resumed before.
        pause_odds = 0 if consultation else 0.35 if subcategory in T.PAUSES else 0.04
        if target == S.PAUSED or rng.random() < pause_odds:
            reason = T.PAUSES.get(subcategory) or rng.choice(T.PAUSE_DEFAULTS)
            step(wait(rng, DAY, 10 * DAY), A.PAUSE, S.PAUSED, handler, reason)
            if target == S.PAUSED:
                return
            step(wait(rng, 7 * DAY, 40 * DAY), A.RESUME, S.IN_PROGRESS, handler)
        if target == S.IN_PROGRESS:
            return

        results = T.RESULTS[case.type]
        case.result = pick(
            rng, {r: w for r, w in results.items() if r != "arbitration" or cat == "labour"}
        )
        settle = T.SETTLEMENTS.get(subcategory, T.SETTLEMENTS["other-misc"]).format(**values)
        case.reply = rng.choice(T.REPLIES[case.result]).format(org=lead.name, settle=settle)
        for task in draft.tasks:  # resolving closes every share still open
            if task["status"] in (TaskStatus.PENDING, TaskStatus.SIGNED):
                task["status"] = TaskStatus.DONE
        low, high = (0.1, 2) if consultation else T.PROFILES[cat]["days"]
        outcome = {"result": case.result}
        step(wait(rng, low * DAY, high * DAY), A.RESOLVE, S.RESOLVED, handler, "", outcome)
        if target == S.RESOLVED:
            return
        # Citizens whose dispute went to court or failed mediation rate a little lower.
        failed = case.result in ("mediation_failed", "litigation")
        case.satisfaction = pick(rng, T.SATISFACTION_AFTER_FAILURE if failed else T.SATISFACTION)
        comments = T.RATING_COMMENTS[case.satisfaction]
        case.rating_comment = rng.choice(comments) if rng.random() < 0.35 else ""
        rating = {"satisfaction": case.satisfaction}
        step(wait(rng, 60, 5 * DAY), A.RATE, S.RATED, desk, case.rating_comment, rating)
        if target == S.RATED:
            return
        visitor = ref.staff("clerk") if rng.random() < 0.5 else handler
        found = T.FOLLOW_UPS.get(case.satisfaction) or T.FOLLOW_UPS.get(case.result)
        finding = found or T.FOLLOW_UP_DEFAULT
        step(wait(rng, DAY, 15 * DAY), A.FOLLOW_UP, None, visitor, finding)
        step(wait(rng, 30, 5 * DAY), A.ARCHIVE, S.ARCHIVED, dispatcher)

    def _route(self, case: CaseRow, cat: str) -> tuple[Organisation, list[Organisation]]:
        """Lead by category: village committees only take small, low-risk matters."""
        rng, ref, profile = self.rng, self.ref, T.PROFILES[cat]
        options = list(profile["leads"])
        if case.channel == "court_referral":
            options = [(profile.get("court", "lawyer-mediation"), 7), ("@town", 3)]
        if case.people_count >= 5 or case.risk_level in ("orange", "red"):
            options = [o for o in options if o[0] != "@village"]
        found = {org: w for code, w in options if (org := ref.org(code, case))}
        lead = pick(rng, found) if found else ref.org("@town", case) or ref.orgs["county-center"]
        if case.type == "consultation":
            return lead, []  # answering a question needs no other organisation
        candidates = [o for c in profile["assists"] if (o := ref.org(c, case)) and o.pk != lead.pk]
        return lead, rng.sample(candidates, min(len(candidates), pick(rng, T.ASSIST_COUNT)))

    def _office_hours(self, at: dt.datetime) -> dt.datetime:
        """`at`, or the next working morning (8:00–9:00) when it falls in the evening or night."""
        local = at.astimezone(self.tz)
        if 8 <= local.hour < 18:
            return at
        day = local.date() + dt.timedelta(days=local.hour >= 18)
        morning = dt.datetime.combine(day, dt.time(8), self.tz)
        return morning + dt.timedelta(seconds=self.rng.random() * 3600)

    def settle(self, draft: _Draft) -> list[dict]:
        """Turn waits into times, squeezed to end before `now`; copy them onto the case and
        its tasks; date the deadlines the events started; return the event rows."""
        case, total = draft.case, sum(s[0] for s in draft.steps)
        room = (self.now - case.received_at) / dt.timedelta(minutes=1) - 1
        scale = min(1.0, room * self.rng.uniform(0.6, 0.98) / total) if total else 1.0
        at, events = case.received_at, []
        latest = max(case.received_at, self.now - dt.timedelta(minutes=1))
        for minutes, action, source, to, who, comment, data, task in draft.steps:
            at += dt.timedelta(minutes=max(0.0, minutes * scale))
            if action != A.REGISTER:  # intake never closes; staff work office hours
                at = min(self._office_hours(at), latest)
            if action == A.ACCEPT:
                case.accepted_at = at
            elif action == A.ASSIGN:
                case.assigned_at = at
                for t in draft.tasks:
                    t["assigned_at"] = at
            elif action == A.SIGN:
                task["signed_at"] = at
            elif action == A.ANSWER:
                task["answered_at"] = at
            elif action == A.RESOLVE:
                case.resolved_at = at
            elif action in (A.REFUSE, A.REFER, A.ARCHIVE):
                case.closed_at = at
            events.append(
                {
                    "created_at": at,
                    "actor_id": who[0],
                    "actor_org_id": who[1],
                    "action": action,
                    "from_status": source,
                    "to_status": to,
                    "comment": comment,
                    "data": data,
                    "task": task,  # not a column: the task whose id goes into `data`
                }
            )
        case.status, case.version = draft.status, len(events)
        case.created_at, case.updated_at = case.received_at, at
        draft.deadlines = self.replay.deadlines(case, draft.tasks, events)
        return events


# Below this many cases the statistics of a fresh database are close enough.
ANALYZE_FROM = 5000


def seed_cases(count: int, *, seed: int = 0, now: dt.datetime | None = None) -> int:
    """Create `count` demo cases received over the 12 months before `now`; return how many.

    1. Draw arrival times, channels and final statuses for all cases, oldest first.
    2. Reserve each day's tracking codes in one go, so live intake that day never collides.
    3. Batch by batch: compose cases, parties, tasks, timelines and deadlines in memory, then
       insert them (one transaction per batch). Composing is Python work and inserting mostly
       waiting for the database, so unless the caller holds a transaction (which must then
       contain everything), a worker thread inserts one batch while the next is composed.
    """
    if count <= 0:
        return 0
    now = now or timezone.now()
    gen = _Generator(seed, now)
    arrivals = gen.arrivals(count)
    per_day = Counter(day for _, day, _, _ in arrivals)
    with transaction.atomic():
        codes = {day: iter(reserve_tracking_codes(day, n)) for day, n in sorted(per_day.items())}
    tables = {model: Table(model) for model in (Case, Party, Task, CaseEvent, Deadline)}
    overlap = not transaction.get_connection().in_atomic_block
    with _few_collections(), ThreadPoolExecutor(max_workers=1) as worker:
        pending: Future | None = None
        for start in range(0, count, BATCH):
            drafts = [
                gen.case(at, day, channel, target, next(codes[day]))
                for at, day, channel, target in arrivals[start : start + BATCH]
            ]
            events = [gen.settle(draft) for draft in drafts]
            if pending:
                pending.result()  # one batch in flight at most; re-raises its error
            if overlap:
                pending = worker.submit(_insert_in_thread, tables, drafts, events)
            else:
                _insert(tables, drafts, events)
        if pending:
            pending.result()
    if count >= ANALYZE_FROM:
        for table in tables.values():
            table.analyze()
    # Seeded rows keep their story's updated_at, older than the rollup's last refresh: recount.
    rollups.rebuild()
    return count


@contextmanager
def _few_collections() -> Iterator[None]:
    """Collect garbage rarely while seeding, and never look at what was there before.

    A batch is tens of thousands of new dicts and lists that live until it is inserted. With
    the default thresholds the collector runs every 700 allocations, keeps finding them alive,
    and each full collection also walks everything loaded before (Django, the reference data,
    Faker's tables): a fifth of a large run's CPU. Seeded rows make no reference cycles worth
    collecting early, so the collector can wait, and frozen objects are never walked."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def _insert_in_thread(tables: dict, drafts: list[_Draft], events: list[list[dict]]) -> None:
    try:
        _insert(tables, drafts, events)
    finally:
        connections.close_all()  # this thread's own connections


def _insert(tables: dict, drafts: list[_Draft], events: list[list[dict]]) -> None:
    """Insert one batch, finding the new case and task ids by tracking code and by (case,
    organisation): ids only grow, so they are above the maximum read first. Live intake may
    add rows there too, which is why they are matched rather than counted."""
    with transaction.atomic():
        last_case = Case.objects.aggregate(last=Max("pk"))["last"] or 0
        last_task = Task.objects.aggregate(last=Max("pk"))["last"] or 0
        tables[Case].insert(vars(d.case) for d in drafts)
        new_cases = Case.objects.filter(pk__gt=last_case)
        case_ids = dict(new_cases.values_list("tracking_code", "pk"))
        for draft, case_events in zip(drafts, events, strict=True):
            draft.case.pk = case_ids[draft.case.tracking_code]
            for row in (*draft.parties, *draft.tasks, *case_events, *draft.deadlines):
                row["case_id"] = draft.case.pk
        tables[Party].insert(p for d in drafts for p in d.parties)
        tables[Task].insert(t for d in drafts for t in d.tasks)
        new_tasks = Task.objects.filter(pk__gt=last_task)
        task_ids = {
            (case_id, org_id): pk
            for case_id, org_id, pk in new_tasks.values_list("case_id", "organisation_id", "pk")
        }
        for event in (e for case_events in events for e in case_events):
            if task := event["task"]:
                event["data"]["task"] = task_ids[task["case_id"], task["organisation_id"]]
        tables[CaseEvent].insert(e for case_events in events for e in case_events)
        deadlines = [row for draft in drafts for row in draft.deadlines]
        for row in deadlines:
            if task := row["task"]:
                row["task_id"] = task_ids[task["case_id"], task["organisation_id"]]
        tables[Deadline].insert(deadlines)
