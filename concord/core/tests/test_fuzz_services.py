"""Property tests of the service functions every door calls (issue 11, fuzzing in CI): for
any input they answer or refuse with a ServiceError (a 4xx with a Chinese message), never
another exception; and the working-time calendar keeps its arithmetic straight for any start
and any length. Examples are bounded and derandomised (the same inputs on every run)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from concord.accounts.models import User
from concord.cases.choices import CaseType, Channel, PartyRole
from concord.cases.services import CaseDraft, PartyDraft, register_case
from concord.core import limits, pii
from concord.core.errors import ServiceError
from concord.courts.services import normalise_number
from concord.dashboard import kpis, report_periods
from concord.deadlines.calendar import Unit, WorkCalendar
from concord.deadlines.workdays import get_calendar
from concord.evaluation import assessment
from concord.imports.services import clean_source
from concord.integrations.feedback import parse_range
from concord.integrations.keys import register_system
from concord.integrations.models import Scope
from concord.open311.formats import Open311Error
from concord.open311.services import submit_request
from concord.portal.services import Submission, find_case
from concord.portal.services import submit as portal_submit
from concord.triage.services import suggest

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
FEW = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
MANY = settings(FEW, max_examples=200)

# Text as people and programs send it: Chinese, digits, punctuation, control characters (NUL
# included), emoji, very long runs, and the shapes the parsers look for.
anything = st.text(max_size=300)
chinese = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x4E80), max_size=60)
shaped = st.from_regex(r"\A[0-9０-９٠-٩]{1,5}-[0-9Qq]{1,3}(-[0-9]{1,3})?\n?\Z")
texts = st.one_of(anything, chinese, shaped, st.just(""), st.none())
dates = st.datetimes(
    min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 12, 31), timezones=st.just(SH)
)


def refused_or_answered(call, *args, **kwargs):
    """The call's answer, or None when it refused with a ServiceError; anything else fails."""
    try:
        return call(*args, **kwargs)
    except ServiceError:
        return None


# ------------------------------------------------------------------ parsers of the doors


@MANY
@given(first=texts, last=texts)
def test_a_kpi_period_is_parsed_or_refused(first, last):
    period = refused_or_answered(kpis.parse_period, first, last, today=dt.date(2026, 11, 10))
    if period is not None:
        assert period.first <= period.last


@MANY
@given(kind=texts, text=texts)
def test_a_report_period_is_parsed_or_refused(kind, text):
    refused_or_answered(report_periods.parse_period, kind, text, today=dt.date(2026, 11, 10))


@MANY
@given(month=texts, by=texts)
def test_an_assessment_month_is_parsed_or_refused(month, by):
    day = refused_or_answered(assessment.parse_month, month)
    assert day is None or day.day == 1
    refused_or_answered(assessment.parse_by, by)


@MANY
@given(since=texts, until=texts)
def test_a_feedback_range_is_parsed_or_refused(since, until):
    answer = refused_or_answered(parse_range, since, until)
    if answer is not None:
        assert answer[0] <= answer[1]


@MANY
@given(value=st.one_of(anything, st.integers(), st.none()), limit=st.integers(0, 500))
def test_checked_text_names_every_problem_and_never_raises(value, limit):
    errors = {}
    text = limits.checked_text(errors, "f", value, "字段", limit)
    assert isinstance(text, str)
    if not errors:
        assert len(text) <= limit and not limits.has_control_characters(text)


@MANY
@given(value=anything)
def test_personal_data_checks_and_masks_take_any_text(value):
    assert pii.id_number_problem(value) is None or pii.id_number_problem(value)
    assert pii.phone_problem(value) is None or pii.phone_problem(value)
    for mask in (pii.mask_id_number, pii.mask_phone, pii.mask_name, pii.mask_in_text):
        assert isinstance(mask(value), str)
    assert isinstance(normalise_number(value), str)
    refused_or_answered(clean_source, value)


# ------------------------------------------------------------------ services that write


@pytest.fixture
def clerk(county) -> User:
    return User.objects.select_related("organisation__division").get(username="clerk")


def nearly(valid: dict, odd: dict):
    """Records valid in every field but one or two, which take odd values: the write path
    runs with strange content instead of stopping at the first check."""

    @st.composite
    def build(draw):
        fields = {name: draw(strategy) for name, strategy in valid.items()}
        for name in draw(st.sets(st.sampled_from(sorted(odd)), min_size=0, max_size=2)):
            fields[name] = draw(odd[name])
        return fields

    return build()


names = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x4E80), min_size=2)
mobiles = st.from_regex(r"\A1[3-9]\d{9}\Z")
id_numbers = st.builds(
    lambda first17: first17 + pii.id_check_digit(first17),
    st.from_regex(r"\A33068219[5-9]\d0[1-9]1\d\d{3}\Z"),
)
party = nearly(
    {
        "role": st.sampled_from(PartyRole.values),
        "name": names,
        "id_number": st.one_of(st.just(""), id_numbers),
        "phone": st.one_of(st.just(""), mobiles),
        "address": st.one_of(st.just(""), chinese),
    },
    {
        "role": anything,
        "name": anything,
        "id_number": anything,
        "phone": anything,
        "address": anything,
    },
).map(lambda fields: PartyDraft(**fields))
drafts = nearly(
    {
        "type": st.sampled_from(CaseType.values),
        "channel": st.sampled_from(Channel.values),
        "description": st.text(
            alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x4E80),
            min_size=10,
            max_size=200,
        ),
        "title": st.one_of(st.just(""), chinese),
        "category": st.sampled_from(["", "neighbour-noise"]),
        "division": st.sampled_from(["", "330604001001"]),
        "address": st.one_of(st.just(""), chinese),
        "lat": st.none(),
        "lng": st.none(),
        "people_count": st.integers(1, 30),
        "amount": st.one_of(st.none(), st.decimals(0, 10**6, places=2)),
        "parties": st.lists(party, min_size=1, max_size=3),
    },
    {
        "type": anything,
        "channel": anything,
        "description": anything,
        "title": anything,
        "category": anything,
        "division": anything,
        "address": anything,
        "lat": st.floats(allow_nan=True, allow_infinity=True),
        "lng": st.floats(allow_nan=True, allow_infinity=True),
        "people_count": st.one_of(st.integers(-5, 200_000), st.just(True)),
        "amount": st.one_of(
            anything, st.decimals(allow_nan=True), st.sampled_from(["1e999999", "sNaN"])
        ),
        "parties": st.lists(party, max_size=60),
    },
).map(lambda fields: CaseDraft(**fields))


@FEW
@given(draft=drafts)
def test_registering_a_case_answers_or_refuses_whatever_is_sent(clerk, draft):
    with transaction.atomic():
        case = refused_or_answered(register_case, actor=clerk, draft=draft)
        event("registered" if case else "refused")
        if case is not None:
            assert case.pk and case.tracking_code
            assert case.parties.count() == len(draft.parties)
        transaction.set_rollback(True)


submissions = nearly(
    {
        "kind": st.sampled_from(["dispute", "mediation"]),
        "description": st.text(
            alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x4E80),
            min_size=10,
            max_size=200,
        ),
        "name": names,
        "phone": mobiles,
        "consent": st.just(True),
        "id_number": st.one_of(st.just(""), id_numbers),
        "category": st.sampled_from(["", "neighbour-noise"]),
        "town": st.just("330604001000"),
        "village": st.sampled_from(["", "330604001001"]),
        "address": st.one_of(st.just(""), chinese),
    },
    {
        name: anything
        for name in (
            "kind",
            "description",
            "name",
            "phone",
            "id_number",
            "category",
            "town",
            "village",
            "address",
        )
    },
).map(lambda fields: Submission(**fields))


@FEW
@given(submission=submissions)
def test_the_portal_answers_or_refuses_any_submission(county, submission):
    with transaction.atomic():
        case = refused_or_answered(portal_submit, submission=submission)
        event("registered" if case else "refused")
        transaction.set_rollback(True)


@FEW
@given(code=texts, last4=texts)
def test_tracking_a_case_never_fails_on_what_a_citizen_types(county, code, last4):
    assert find_case(code or "", last4 or "") is None  # no case of the fixture has that code


@FEW
@given(
    text=texts,
    division=st.one_of(st.just(""), st.just("330604001001"), anything),
    address=anything,
)
def test_triage_answers_any_description(clerk, text, division, address):
    answer = refused_or_answered(suggest, text, clerk, division=division, address=address)
    assert answer is None or isinstance(answer, dict)


@pytest.fixture
def system(county):
    system, _key = register_system("fuzz", "模糊测试", "hotline_12345", [Scope.OPEN311])
    return system


@FEW
@given(
    params=st.dictionaries(
        st.sampled_from(
            [
                "service_code",
                "description",
                "address_string",
                "address_id",
                "lat",
                "long",
                "first_name",
                "last_name",
                "phone",
                "email",
                "media_url",
            ]
        ),
        st.one_of(anything, st.integers(), st.floats(), st.none(), st.lists(anything)),
    )
)
def test_an_open311_request_is_registered_or_refused_in_the_specs_terms(system, params):
    """Open311 refuses in the spec's own error list (Open311Error), never otherwise."""
    with transaction.atomic():
        try:
            submit_request(system, params)
            event("registered")
        except (Open311Error, ServiceError):
            event("refused")
        transaction.set_rollback(True)


# ------------------------------------------------------------------ the working-time calendar


@pytest.fixture
def calendar(county) -> WorkCalendar:
    return get_calendar()


@MANY
@given(start=dates, amount=st.integers(1, 40))
def test_working_days_end_at_closing_time_of_the_nth_working_day(calendar, start, amount):
    due = calendar.add(start, amount, Unit.WORKING_DAYS).at
    end = due.astimezone(SH)
    assert end > start and calendar.is_workday(end.date())
    assert end.time() == calendar.periods[-1][1]
    counted = sum(
        calendar.is_workday(start.date() + dt.timedelta(days=d))
        for d in range(1, (end.date() - start.date()).days + 1)
    )
    assert counted == amount
    # Stepping back as many working days lands on the start, or the working day before it.
    back = calendar.before(due, amount, Unit.WORKING_DAYS).astimezone(SH).date()
    assert back <= start.date() and calendar.is_workday(back)
    assert not any(
        calendar.is_workday(back + dt.timedelta(days=d))
        for d in range(1, (start.date() - back).days + 1)
    )


@MANY
@given(start=dates, amount=st.integers(0, 90))
def test_calendar_days_end_on_a_working_day_not_before_the_last_day(calendar, start, amount):
    """民事诉讼法 art. 85: the start day is not counted; a last day that is a holiday moves to
    the next working day."""
    end = calendar.add(start, amount, Unit.CALENDAR_DAYS).at.astimezone(SH)
    last = start.date() + dt.timedelta(days=amount)
    assert end.date() >= last and calendar.is_workday(end.date())
    assert not any(
        calendar.is_workday(last + dt.timedelta(days=d)) for d in range((end.date() - last).days)
    )


@MANY
@given(start=dates, minutes=st.integers(0, 60 * 8 * 15))
def test_working_minutes_added_then_counted_are_the_same(calendar, start, minutes):
    due = calendar.add_working_minutes(start, minutes).at
    assert due >= start
    assert calendar.working_minutes_between(start, due) == pytest.approx(minutes, abs=1e-6)
    back = calendar.subtract_working_minutes(due, minutes)
    assert back <= due
    assert calendar.working_minutes_between(back, due) == pytest.approx(minutes, abs=1e-6)


@MANY
@given(start=dates, amount=st.integers(0, 20), unit=st.sampled_from(Unit.values))
def test_a_longer_period_never_ends_sooner(calendar, start, amount, unit):
    shorter = calendar.add(start, amount, unit).at
    longer = calendar.add(start, amount + 1, unit).at
    assert longer >= shorter >= start
