"""Writing checked rows in bulk: cases, parties, timelines, and the deadlines of open cases.

Rows go in through `concord.demo.bulk.Table` (COPY on PostgreSQL), 2,000 cases at a time,
all inside the caller's one transaction: a file is written whole or not at all. What each
case gets is what intake would have left (cases.services._write), plus its history:

- every case: its registration event at the time it was received, saying it was imported
  (file, line, job), by the importing user (none for the command: the system);
- closed history: 办结 with its result at the time it was resolved, 评价 with the
  satisfaction, 归档; no deadline clock starts for it, as none would be running now;
- an open case: the deadlines its registration starts, dated from when it was received
  (`concord.demo.deadlines.Replay`, the same rules as `deadlines.services.track`); those
  already past are marked fired without events, as seeding does, so an import of old open
  orders does not reach the next sweep as a flood of warnings.

Bulk rows pass the `event_recorded` signal by, so nothing else hears of imported cases (no
follow-up plans, no automatic linkage) until someone acts on them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.cases.choices import Action, CaseStatus, Channel, PartyRole
from concord.cases.models import Case, CaseEvent, Category, Party
from concord.cases.tracking import reserve_tracking_codes
from concord.core.crypto import keyed_hash
from concord.deadlines.models import Deadline
from concord.demo.bulk import Table
from concord.demo.deadlines import Replay

from .rows import Clean, NewCategory

S, A = CaseStatus, Action
BATCH = 2000


@dataclass(frozen=True)
class Origin:
    """Who imports and from where, as the timeline tells it."""

    job_id: int
    filename: str
    source: str
    user_id: int | None
    org_id: int | None


def reserve_codes(rows: Sequence[Clean]) -> list[str]:
    """A tracking code per row, of the day it was received, reserved a day at a time (outside
    the writing transaction: the day's counter is then not locked while the file is written)."""
    days = [timezone.localdate(row.received_at) for row in rows]
    codes = {day: iter(reserve_tracking_codes(day, n)) for day, n in sorted(Counter(days).items())}
    return [next(codes[day]) for day in days]


def create_categories(new: dict[str, NewCategory]) -> dict[str, int]:
    """Create the categories the file named (parents first); key → id."""
    ids: dict[str, int] = {}
    last = Category.objects.order_by("-sort_order").values_list("sort_order", flat=True).first()
    order = (last or 0) + 10
    for item in sorted(new.values(), key=lambda c: isinstance(c.parent, str)):
        parent = ids[item.parent] if isinstance(item.parent, str) else item.parent
        category, _created = Category.objects.get_or_create(
            code=item.code, defaults={"name": item.name, "parent_id": parent, "sort_order": order}
        )
        ids[item.key] = category.pk
        order += 1
    return ids


def write(
    rows: Sequence[Clean],
    codes: Sequence[str],
    *,
    origin: Origin,
    categories: dict[str, int],
    now: dt.datetime,
) -> None:
    """Insert the rows (inside the caller's transaction), a batch at a time."""
    tables = {model: Table(model) for model in (Case, Party, CaseEvent, Deadline)}
    # Translated once, not per row: a gettext call costs more than the rest of an event.
    texts = (
        _("批量导入：%(file)s 第%(line)d行（来源 %(source)s %(source_id)s）"),
        _("历史记录导入：原系统记录的办理情况"),
    )
    replay = None
    if any(row.status == S.REGISTERED for row in rows):
        replay = Replay(now, Category.objects.select_related("parent"))
    for start in range(0, len(rows), BATCH):
        insert_batch(
            tables,
            rows[start : start + BATCH],
            codes[start : start + BATCH],
            origin=origin,
            categories=categories,
            replay=replay,
            texts=texts,
            now=now,
        )


def insert_batch(tables, rows, codes, *, origin, categories, replay, texts, now) -> None:
    cases = [
        _case(row, code, origin, categories, now) for row, code in zip(rows, codes, strict=True)
    ]
    # The new ids, found by tracking code above the largest id before (ids only grow; live
    # intake may add rows there too, hence matched, not counted): no list of 2,000 codes to send.
    last = Case.objects.aggregate(last=Max("pk"))["last"] or 0
    tables[Case].insert(cases)
    ids = dict(Case.objects.filter(pk__gt=last).values_list("tracking_code", "pk"))
    parties, events, deadlines = [], [], []
    for row, case in zip(rows, cases, strict=True):
        case_id = ids[case["tracking_code"]]
        parties += [{**party, "case_id": case_id} for party in _parties(row)]
        timeline = _events(row, origin, texts)
        events += [{**event, "case_id": case_id} for event in timeline]
        if replay is not None and row.status == S.REGISTERED:
            kind = SimpleNamespace(
                type=row.type, category_id=case["category_id"], handling_level=""
            )
            timeline = [{**event, "task": None} for event in timeline]
            deadlines += [{**d, "case_id": case_id} for d in replay.deadlines(kind, [], timeline)]
    tables[Party].insert(parties)
    tables[CaseEvent].insert(events)
    tables[Deadline].insert(deadlines)


def _case(row: Clean, code: str, origin: Origin, categories: dict[str, int], now) -> dict:
    category = categories.get(row.category) if isinstance(row.category, str) else row.category
    return {
        "tracking_code": code,
        "type": row.type,
        "channel": row.channel,
        "category_id": category,
        "title": row.title,
        "description": row.description,
        "division_id": row.division,
        "town_id": row.town,
        "address": row.address,
        "status": row.status,
        "version": len(_steps(row)),
        "source": origin.source,
        "source_id": row.source_id,
        "registered_by_id": origin.user_id,
        "registered_org_id": origin.org_id,
        "received_at": row.received_at,
        "resolved_at": row.resolved_at,
        "closed_at": row.resolved_at if row.status == S.ARCHIVED else None,
        "result": row.result,
        "reply": row.reply,
        "satisfaction": row.satisfaction,
        # 零跑/跑一次: only a visit to a window counts as the citizen having had to come.
        "visits_count": 1 if row.channel == Channel.WALK_IN else 0,
        "created_at": now,
        "updated_at": now,
    }


def _parties(row: Clean) -> list[dict]:
    parties = []
    if row.applicant:
        name, phone, id_number = row.applicant
        parties.append(
            {
                "role": PartyRole.APPLICANT,
                "name": name,
                "id_number": id_number,
                "id_number_hash": keyed_hash(id_number),
                "phone": phone,
                "phone_hash": keyed_hash(phone),
            }
        )
    if row.respondent:
        parties.append({"role": PartyRole.RESPONDENT, "name": row.respondent})
    return parties


def _steps(row: Clean) -> list[str]:
    """The actions of an imported case's timeline, in order."""
    if row.status == S.REGISTERED:
        return [A.REGISTER]
    steps = [A.REGISTER, A.RESOLVE]
    if row.satisfaction:
        steps.append(A.RATE)
    if row.status == S.ARCHIVED:
        steps.append(A.ARCHIVE)
    return steps


def _events(row: Clean, origin: Origin, texts: tuple[str, str]) -> list[dict]:
    imported, history = texts
    register = {
        "created_at": row.received_at,
        "actor_id": origin.user_id,
        "actor_org_id": origin.org_id,
        "action": A.REGISTER,
        "from_status": "",
        "to_status": S.REGISTERED,
        "comment": imported
        % {
            "file": origin.filename,
            "line": row.line,
            "source": origin.source,
            "source_id": row.source_id or "—",
        },
        "data": {
            "channel": row.channel,
            "type": row.type,
            "import": origin.job_id,
            "line": row.line,
        },
    }
    events = [register]
    status = S.REGISTERED
    for action in _steps(row)[1:]:
        to, data = status, {"imported": True}
        if action == A.RESOLVE:
            to, data = S.RESOLVED, {"result": row.result, "imported": True}
        elif action == A.RATE:
            to = S.RATED
            data = {"satisfaction": row.satisfaction, "channel": "import", "imported": True}
        elif action == A.ARCHIVE:
            to = S.ARCHIVED
        events.append(
            {
                "created_at": row.resolved_at,
                "actor_id": None,
                "actor_org_id": None,
                "action": action,
                "from_status": status,
                "to_status": to,
                "comment": history,
                "data": data,
            }
        )
        status = to
    return events
