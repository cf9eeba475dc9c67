"""The crafted October of the KPI tests (test_kpis.py tells the cases)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from concord.cases.choices import CaseStatus, Channel, Result, Satisfaction
from concord.cases.models import Case
from concord.cases.tests.factories import CaseFactory, organisation
from concord.geo.models import DivisionLevel

from .factories import DeadlineFactory, SummonsTargetFactory

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 10, 10, 0, tzinfo=TZ)
OCTOBER = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
S, R = CaseStatus, Result


def at(day: int, hour: int = 9, minute: int = 0, month: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ)


def case(received: dt.datetime, handed_down_in: dt.timedelta | None = None, **fields) -> Case:
    assigned = received + handed_down_in if handed_down_in else None
    return CaseFactory(received_at=received, assigned_at=assigned, **fields)


@pytest.fixture
def october(county):
    hour = dt.timedelta(hours=1)
    a = case(
        at(3),
        hour,
        status=S.ARCHIVED,
        result=R.MEDIATED,
        satisfaction=Satisfaction.SATISFIED,
        handling_level=DivisionLevel.TOWN,
    )
    DeadlineFactory(case=a, due_at=at(13), met_at=at(12))
    b = case(
        at(4),
        3 * hour,
        channel=Channel.PHONE,
        visits_count=0,
        status=S.RATED,
        result=R.SOLVED,
        satisfaction=Satisfaction.DISSATISFIED,
        handling_level=DivisionLevel.VILLAGE,
    )
    DeadlineFactory(case=b, due_at=at(14), met_at=at(20))
    c = case(
        at(5),
        hour,
        status=S.IN_PROGRESS,
        satisfaction=Satisfaction.DISSATISFIED,
        reopen_count=1,
        handling_level=DivisionLevel.COUNTY,
    )
    DeadlineFactory(case=c, due_at=at(1, month=11), breached_at=at(1, 0, 1, month=11))
    d = case(at(6), hour / 2, status=S.PAUSED, visits_count=2)
    DeadlineFactory(case=d, due_at=at(2, month=11), paused_at=at(30))
    case(at(7), channel=Channel.PORTAL, visits_count=0, status=S.REFUSED)
    case(at(31, 20), channel=Channel.PORTAL, visits_count=0, status=S.REGISTERED, hop_count=3)
    case(
        at(8),
        hour,
        status=S.RESOLVED,
        result=R.MEDIATION_FAILED,
        handling_level=DivisionLevel.TOWN,
    )
    case(at(5), hour, status=S.REGISTERED, merged_into=a, visits_count=0, hop_count=5)
    h = case(at(30, 23, 59, month=9), status=S.REGISTERED, reopen_count=2)
    case(at(1, 0, 0, month=11), status=S.REGISTERED, reopen_count=2)
    # Summonses issued in October: on A one organisation arrived on time and one late; on H
    # (received in September) one is still within its time and is not judged yet.
    SummonsTargetFactory(case=a, summons__issued_at=at(10), arrived_at=at(10, 9, 30))
    SummonsTargetFactory(
        case=a,
        summons__issued_at=at(10),
        organisation=organisation("housing"),
        arrived_at=at(10, 10),
        arrive_late=True,
    )
    SummonsTargetFactory(case=h, summons__issued_at=NOW - dt.timedelta(minutes=10))
    return a
