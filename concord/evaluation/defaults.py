"""Default follow-up plans (SPEC §6: 回访 7 days; domestic disputes 7, 30 and 90 days; group
matters 7 and 30 in the seeds) and the default assessment scheme. Loading is idempotent and
never overwrites what the admin edited: a plan or scheme that exists by name is left alone."""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction

from concord.cases.choices import Action, Satisfaction
from concord.cases.models import CaseEvent, Category

from .choices import Assignee, Kpi, RatingChannel
from .models import AssessmentScheme, FollowUpPlan, Rating

# (name, category code, group matters only, days after resolution)
PLANS = [
    ("一般事项回访", None, False, [7]),
    ("群体性事项回访", None, True, [7, 30]),
    ("婚姻家庭纠纷回访", "family", False, [7, 30, 90]),
]
SCHEME = "默认考核方案"
WEIGHTS = {
    Kpi.ON_TIME: 25,
    Kpi.SATISFACTION: 25,
    Kpi.RESOLUTION: 20,
    Kpi.REOPEN: 10,
    Kpi.SUMMONS: 10,
    Kpi.PING_PONG: 10,
}


def load_defaults() -> int:
    """The default plans and scheme; returns how many rows were added."""
    added = 0
    with transaction.atomic():
        for name, code, group_only, offsets in PLANS:
            if FollowUpPlan.objects.filter(name=name).exists():
                continue
            category = None
            if code:
                category = Category.objects.filter(code=code).first()
                if category is None:
                    continue  # a county without this category needs no plan for it
            FollowUpPlan.objects.create(
                name=name,
                category=category,
                group_only=group_only,
                offsets=offsets,
                assignee=Assignee.GRID_FIRST,
            )
            added += 1
        if not AssessmentScheme.objects.filter(name=SCHEME).exists():
            AssessmentScheme.objects.create(
                name=SCHEME, weights={str(k): v for k, v in WEIGHTS.items()}
            )
            added += 1
    return added


def ratings_from_timeline() -> int:
    """A Rating for each `rate` event that has none: history written past the timeline's
    signal (the demo's seeded year, imports). Its round is the number of reopens before it;
    no review is opened for history. Returns how many were added."""
    reopens = defaultdict(list)
    for case_id, at in CaseEvent.objects.filter(action=Action.REOPEN).values_list(
        "case_id", "created_at"
    ):
        reopens[case_id].append(at)
    have = set(Rating.objects.values_list("case_id", "round"))
    rated = CaseEvent.objects.filter(action=Action.RATE).values_list(
        "pk", "case_id", "created_at", "data", "comment", "actor_id"
    )
    added = []
    for event_id, case_id, at, data, comment, actor_id in rated.iterator(chunk_size=2000):
        round_ = sum(1 for reopened in reopens[case_id] if reopened < at)
        satisfaction = (data or {}).get("satisfaction")
        if (case_id, round_) in have or satisfaction not in Satisfaction.values:
            continue
        have.add((case_id, round_))
        added.append(
            Rating(
                event_id=event_id,
                case_id=case_id,
                round=round_,
                satisfaction=satisfaction,
                comment=comment,
                channel=(data or {}).get("channel") or RatingChannel.OTHER,
                recorded_by_id=actor_id,
                at=at,
            )
        )
    Rating.objects.bulk_create(added, batch_size=1000)
    return len(added)
