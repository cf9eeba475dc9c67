"""A node run as a series: an event naming periods starts one clock per period, an event
naming a clock stops that one only, and an event naming none stops the one due first."""

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

from concord.cases.choices import Action
from concord.cases.tests.factories import build_case
from concord.cases.timeline import record_event
from concord.deadlines.models import Deadline

SH = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2026, 9, 15, 10, 0, tzinfo=SH)


def follow_ups(case):
    return list(Deadline.objects.filter(case=case, code="follow_up").order_by("due_at", "pk"))


def test_periods_start_a_series_and_each_clock_stops_on_its_own(county, persona):
    with time_machine.travel(START, tick=False):
        case = build_case("in_progress")
        record_event(
            case, actor=None, action=Action.FOLLOW_UP_PLANNED, data={"periods": [7, 30, 90]}
        )
    first, second, third = follow_ups(case)
    assert [(d.amount, d.label) for d in (first, second, third)] == [
        (7, "回访（1/3）"),
        (30, "回访（2/3）"),
        (90, "回访（3/3）"),
    ]
    assert first.due_at == dt.datetime(2026, 9, 22, 23, 59, 59, tzinfo=SH)
    with time_machine.travel(START + dt.timedelta(days=1), tick=False):
        record_event(
            case, actor=persona("clerk"), action=Action.FOLLOW_UP, data={"deadline": second.pk}
        )
    assert [d.met_at is not None for d in follow_ups(case)] == [False, True, False]
    with time_machine.travel(START + dt.timedelta(days=2), tick=False):
        record_event(case, actor=persona("clerk"), action=Action.FOLLOW_UP)
    assert [d.met_at is not None for d in follow_ups(case)] == [True, True, False]


def test_without_periods_a_node_starts_once_with_its_own_period(county):
    with time_machine.travel(START, tick=False):
        case = build_case("in_progress")
        record_event(case, actor=None, action=Action.FOLLOW_UP_PLANNED)
        record_event(case, actor=None, action=Action.FOLLOW_UP_PLANNED)  # already running
    assert [(d.amount, d.label) for d in follow_ups(case)] == [(7, "回访")]
