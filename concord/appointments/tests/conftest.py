"""The demo desks on a frozen Wednesday, 2026-05-06 10:00, with a few slots around it, and a
lawyer at the justice bureau (the legal-aid desk's staff)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from concord.accounts.models import Role, User
from concord.appointments.defaults import load_defaults
from concord.appointments.models import Desk, Slot
from concord.cases.tests.factories import organisation

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 5, 6, 10, 0, tzinfo=SH)


def local(day: int, hour: int, minute: int = 0, month: int = 5) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SH)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def desks(county):
    load_defaults()
    return {d.code: d for d in Desk.objects.all()}


@pytest.fixture
def legal_aid(desks) -> Desk:
    return desks["legal-aid"]


def slot_at(desk: Desk, start: dt.datetime, capacity: int = 1, minutes: int = 60) -> Slot:
    return Slot.objects.create(
        desk=desk,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=minutes),
        capacity=capacity,
        staff_name="李律师",
    )


@pytest.fixture
def tomorrow(legal_aid) -> Slot:
    """Thursday 09:00–10:00 at the legal-aid desk, two places."""
    return slot_at(legal_aid, local(7, 9), capacity=2)


@pytest.fixture
def lawyer(county) -> User:
    return User.objects.create_user(
        username="lvshi", role=Role.HANDLER, organisation=organisation("justice"), full_name="李律"
    )
