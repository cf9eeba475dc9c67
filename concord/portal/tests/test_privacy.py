"""What one visitor did stays theirs: every form needs its CSRF token, and the pages that
answer a submission, a lookup or a booking read it from that visitor's session only."""

import pytest
from django.test import Client

from concord.appointments.models import Appointment
from concord.cases.models import Case

from .conftest import submit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/portal/submit",
        "/portal/track",
        "/portal/track/rate",
        "/portal/track/leave",
        "/portal/book?desk=legal-aid",
    ],
)
def test_every_form_needs_its_csrf_token(county, path):
    answer = Client(enforce_csrf_checks=True).post(path, {})
    assert answer.status_code == 403


def test_another_visitor_does_not_see_the_code_just_issued(visitor, submission):
    submit(visitor, submission)
    code = Case.objects.get().tracking_code
    assert code in visitor.get("/portal/submitted").content.decode()
    other = Client().get("/portal/submitted")
    assert other.status_code == 302
    assert other["Location"] == "/portal/"


def test_another_visitor_does_not_see_a_booking(county):
    assert not Appointment.objects.exists()
    answer = Client().get("/portal/booked")
    assert answer.status_code == 302
    assert answer["Location"] == "/portal/book"


def test_pages_with_personal_answers_are_not_cached(visitor, submission):
    submit(visitor, submission)
    for path in ("/portal/submitted", "/portal/track"):
        assert "no-store" in visitor.get(path)["Cache-Control"]


@pytest.mark.parametrize("path", ["/portal/track/rate", "/portal/track/leave"])
def test_actions_are_posts_only(county, path):
    assert Client().get(path).status_code == 405
