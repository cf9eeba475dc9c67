"""The 30-minute idle timeout: working keeps a session, 30 minutes away ends it, and the
session is not written on every request."""

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from concord.demo.county import DEMO_PASSWORD

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def signed_in(client: Client) -> bool:
    return client.get("/cases/").status_code == 200


def test_a_clerk_working_all_morning_stays_signed_in_and_thirty_idle_minutes_end_it(county):
    client = Client()
    with time_machine.travel(T0, tick=False) as clock:
        assert client.post("/accounts/login/", {"username": "clerk", "password": DEMO_PASSWORD})
        for _ in range(12):  # a request every 20 minutes for four hours
            clock.shift(dt.timedelta(minutes=20))
            assert signed_in(client)
        clock.shift(dt.timedelta(minutes=31))
        assert not signed_in(client)
        assert client.get("/cases/")["Location"].startswith("/accounts/login/")


def test_requests_within_a_minute_do_not_write_the_session(county):
    client = Client()
    with time_machine.travel(T0, tick=False) as clock:
        client.post("/accounts/login/", {"username": "clerk", "password": DEMO_PASSWORD})
        clock.shift(dt.timedelta(seconds=61))
        with CaptureQueriesContext(connection) as first:
            assert signed_in(client)
        clock.shift(dt.timedelta(seconds=30))
        with CaptureQueriesContext(connection) as second:
            assert signed_in(client)
    writes = [
        [q["sql"] for q in c.captured_queries if q["sql"].startswith('UPDATE "django_session"')]
        for c in (first, second)
    ]
    assert (len(writes[0]), len(writes[1])) == (1, 0)
