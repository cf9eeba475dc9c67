"""Tracking codes: one sequence per local day, never handed out twice."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from concord.cases.tracking import next_tracking_code, reserve_tracking_codes
from concord.core.testing import run_at_once

SHANGHAI = ZoneInfo("Asia/Shanghai")
WALK_IN = {"type": "dispute", "channel": "walk_in", "description": "邻里因排水沟堵塞发生争执。"}


def test_codes_count_up_within_a_day_and_start_again_the_next(api):
    clerk = api("clerk")
    with time_machine.travel(datetime.datetime(2026, 11, 23, 23, 58, tzinfo=SHANGHAI)):
        first = clerk.post("/cases", WALK_IN).json()["tracking_code"]
        second = clerk.post("/cases", WALK_IN).json()["tracking_code"]
    # Just after midnight in Shanghai, still the 23rd in UTC: the local day counts.
    with time_machine.travel(datetime.datetime(2026, 11, 24, 0, 1, tzinfo=SHANGHAI)):
        next_day = clerk.post("/cases", WALK_IN).json()["tracking_code"]
    assert (first, second, next_day) == ("SY2611230001", "SY2611230002", "SY2611240001")


def test_reserved_blocks_do_not_overlap_single_codes(db):
    day = datetime.date(2026, 5, 1)
    moment = datetime.datetime(2026, 5, 1, 9, 0, tzinfo=SHANGHAI)
    assert next_tracking_code(moment) == "SY2605010001"
    assert reserve_tracking_codes(day, 3) == ["SY2605010002", "SY2605010003", "SY2605010004"]
    assert next_tracking_code(moment) == "SY2605010005"


def test_a_refused_registration_does_not_take_a_number(api):
    clerk = api("clerk")
    with time_machine.travel(datetime.datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)):
        assert clerk.post("/cases", {**WALK_IN, "description": ""}).status_code == 422
        assert clerk.post("/cases", WALK_IN).json()["tracking_code"] == "SY2611230001"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_intakes_never_share_a_code():
    moment = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
    batches = run_at_once(*[lambda: [next_tracking_code(moment) for _ in range(25)]] * 8)
    codes = [code for batch in batches for code in batch]
    assert sorted(codes) == [f"SY261123{n:04d}" for n in range(1, 201)]
