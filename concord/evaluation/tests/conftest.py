"""Evaluation fixtures: the default follow-up plans and scheme, and cases walked through the
loop at a fixed time."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from concord.cases.models import Category
from concord.cases.tests.factories import build_case
from concord.evaluation.defaults import load_defaults

SH = ZoneInfo("Asia/Shanghai")
# A Tuesday: +7, +30 and +90 days fall on working days (2026-09-22, 10-15, 12-14).
RESOLVED_AT = dt.datetime(2026, 9, 15, 10, 0, tzinfo=SH)


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


@pytest.fixture(autouse=True)
def plans(county):
    load_defaults()


def domestic_dispute(status: str = "resolved", *, when: dt.datetime = RESOLVED_AT, **draft):
    """A 婚姻家庭 dispute in 百官街道's first village (where the demo grid works), walked to
    `status` with every step at `when`."""
    draft.setdefault("category", Category.objects.get(code="family-marriage").code)
    with time_machine.travel(when, tick=False):
        return build_case(status, **draft)
