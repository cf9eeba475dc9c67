"""The demo mediator pool and rooms on top of the demo county, and a medical dispute at
百官街道 led by the town center."""

import datetime as dt

import pytest
from django.utils import timezone

from concord.cases.tests.factories import build_case
from concord.mediation.defaults import load_defaults
from concord.mediation.models import Mediator, Room


@pytest.fixture
def pool(county):
    load_defaults()


@pytest.fixture
def medical_case(pool):
    return build_case(
        "in_progress",
        category="medical-malpractice",
        description="患者术后感染，家属要求医院赔偿，双方协商未果。",
    )


@pytest.fixture
def room(pool):
    return Room.objects.get(organisation__code="county-center", name="第一调解室")


@pytest.fixture
def medics(pool):
    """The medical committee's three mediators without a login (the demo account is a fourth)."""
    medical = Mediator.objects.filter(organisation__code="medical-mediation", user=None)
    return list(medical.order_by("pk"))


def at(days: int = 1, hour: int = 9, minute: int = 0) -> dt.datetime:
    """A local time `days` from today (tomorrow 09:00 by default)."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
