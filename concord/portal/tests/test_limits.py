"""Rate limits per IP: 5 submissions an hour, 20 lookups in 10 minutes, 10 wrong lookups of
one code an hour from anywhere; over the limit a 429 page that says when to come back.
X-Forwarded-For counts only behind a trusted proxy."""

import datetime as dt

import pytest
import time_machine
from django.test import Client, RequestFactory

from concord.cases.models import Case
from concord.portal.throttle import client_ip

from .conftest import PHONE, submit

pytestmark = pytest.mark.django_db


def test_the_sixth_submission_in_an_hour_is_refused(visitor, submission):
    with time_machine.travel(dt.datetime(2026, 5, 6, 10, 0, tzinfo=dt.UTC), tick=False) as clock:
        for _ in range(5):
            assert submit(visitor, submission).status_code == 302
        refused = submit(visitor, submission)
        assert refused.status_code == 429
        body = refused.content.decode()
        assert "操作过于频繁" in body
        assert "60分钟内最多可操作5次" in body
        assert Case.objects.count() == 5
        assert visitor.get("/portal/submit").status_code == 429
        clock.shift(dt.timedelta(minutes=61))
        assert submit(visitor, submission).status_code == 302
    assert Case.objects.count() == 6


def test_mistakes_do_not_use_up_the_submissions(visitor, submission):
    for _ in range(8):
        assert submit(visitor, submission | {"phone": ""}).status_code == 422
    assert submit(visitor, submission).status_code == 302


def test_the_21st_lookup_in_ten_minutes_is_refused(visitor, county):
    for i in range(20):
        answer = visitor.post("/portal/track", {"code": f"SY{i:010d}", "last4": "1234"})
        assert answer.status_code == 404
    refused = visitor.post("/portal/track", {"code": "SY0000000099", "last4": "1234"})
    assert refused.status_code == 429
    assert "10分钟内最多可操作20次" in refused.content.decode()


def test_other_addresses_have_their_own_counts(submission):
    first, second = Client(REMOTE_ADDR="10.0.0.1"), Client(REMOTE_ADDR="10.0.0.2")
    for _ in range(5):
        submit(first, submission)
    assert submit(first, submission).status_code == 429
    assert submit(second, submission).status_code == 302


def test_forwarded_for_is_ignored_unless_a_proxy_is_trusted(submission):
    for i in range(5):
        spoofing = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")
        assert submit(spoofing, submission).status_code == 302
    sixth = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert submit(sixth, submission).status_code == 429


def test_behind_a_trusted_proxy_each_citizen_counts_alone(settings, submission):
    settings.CONCORD = {**settings.CONCORD, "TRUSTED_PROXIES": 1}

    def through_proxy(citizen: str) -> Client:
        return Client(REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR=citizen)

    for _ in range(5):
        assert submit(through_proxy("203.0.113.1"), submission).status_code == 302
    assert submit(through_proxy("203.0.113.1"), submission).status_code == 429
    assert submit(through_proxy("203.0.113.2"), submission).status_code == 302


def test_one_codes_wrong_lookups_are_limited_from_any_address(county, submission):
    Client().post("/portal/submit", submission)
    code = Case.objects.get().tracking_code
    for i in range(10):
        guesser = Client(REMOTE_ADDR=f"10.0.1.{i}")
        assert guesser.post("/portal/track", {"code": code, "last4": f"{i:04d}"}).status_code == 404
    # The eleventh guess, even the right one, waits: the answer does not say whether it was.
    late = Client(REMOTE_ADDR="10.0.2.1").post("/portal/track", {"code": code, "last4": PHONE[-4:]})
    assert late.status_code == 429
    # Unknown codes are limited the same way, so the 429 tells nobody the code exists.
    for i in range(10):
        Client(REMOTE_ADDR=f"10.0.3.{i}").post(
            "/portal/track", {"code": "SY9999999999", "last4": "0000"}
        )
    unknown = Client(REMOTE_ADDR="10.0.4.1").post(
        "/portal/track", {"code": "SY9999999999", "last4": "0000"}
    )
    assert unknown.status_code == 429


def request_from(remote: str, forwarded: str = ""):
    meta = {"REMOTE_ADDR": remote}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/portal/", **meta)


def test_client_ip_is_the_remote_address_by_default():
    assert client_ip(request_from("10.0.0.1", "203.0.113.9")) == "10.0.0.1"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "203.0.113.9", "203.0.113.9"),
        # What the client wrote itself (left) is not believed; our proxy's entry (right) is.
        (1, "198.51.100.7, 203.0.113.9", "203.0.113.9"),
        (2, "198.51.100.7, 203.0.113.9, 10.0.0.5", "203.0.113.9"),
        (2, "203.0.113.9", "10.0.0.1"),  # fewer entries than proxies: the header is forged
        (1, "not-an-ip", "10.0.0.1"),
        (1, "", "10.0.0.1"),
    ],
)
def test_client_ip_behind_trusted_proxies(settings, proxies, forwarded, expected):
    settings.CONCORD = {**settings.CONCORD, "TRUSTED_PROXIES": proxies}
    assert client_ip(request_from("10.0.0.1", forwarded)) == expected


def test_limits_come_from_the_settings(settings, visitor, submission):
    settings.CONCORD = {**settings.CONCORD, "PORTAL_RATE_LIMITS": {"submit": (1, 120)}}
    assert submit(visitor, submission).status_code == 302
    refused = submit(visitor, submission)
    assert refused.status_code == 429
    assert "2分钟内最多可操作1次" in refused.content.decode()
