"""Fifty people updating one case at the same moment, on PostgreSQL's row locks: an update
from a stale reading is refused (never lost), and updates that add up all count."""

import pytest
from django.core.cache import cache
from django.db import connection

from concord.cases import lifecycle
from concord.cases.choices import Action
from concord.cases.models import Case, CaseEvent
from concord.cases.tests.factories import build_case
from concord.conftest import ApiClient
from concord.core.errors import Conflict
from concord.core.testing import run_at_once
from concord.duplicates.merging import merge_case

PEOPLE = 50

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent writers need PostgreSQL: SQLite runs one writer at a time",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """A hundred API calls as one dispatcher here: counted from zero, whatever ran before
    (the API's per-user limit is counted in the cache, concord.core.ratelimit)."""
    cache.clear()


def follow_ups(case: Case) -> int:
    return CaseEvent.objects.filter(case=case, action=Action.FOLLOW_UP).count()


def transitions_url(case: Case) -> str:
    return f"/cases/{case.pk}/transitions"


def test_fifty_transitions_from_one_reading_one_wins_and_the_rest_are_told(county, persona):
    case = build_case("resolved")
    seen = Case.objects.get(pk=case.pk)  # all fifty looked at the same version
    dispatcher = persona("dispatcher")

    def visit(i: int):
        return lambda: lifecycle.transition(
            seen,
            actor=dispatcher,
            action=Action.FOLLOW_UP,
            comment=f"第{i}位回访人：情况稳定",
            version=seen.version,
        )

    results = run_at_once(*[visit(i) for i in range(PEOPLE)])

    won = [r for r in results if isinstance(r, Case)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(won) == 1 and len(refused) == PEOPLE - 1, results
    assert all("该事项刚被他人处理" in r.message for r in refused)
    final = Case.objects.get(pk=case.pk)
    assert final.version == seen.version + 1
    assert follow_ups(final) == 1
    written = final.events.get(action=Action.FOLLOW_UP).comment
    assert written in {f"第{i}位回访人：情况稳定" for i in range(PEOPLE)}


def test_fifty_api_transitions_naming_one_version_answer_one_200_and_49_409(county, persona):
    case = build_case("resolved")
    version = Case.objects.get(pk=case.pk).version
    clients = [ApiClient(persona("dispatcher")) for _ in range(PEOPLE)]

    def visit(i: int):
        body = {"action": "follow_up", "comment": f"电话回访{i}", "version": version}
        return lambda: clients[i].post(transitions_url(case), body)

    answers = run_at_once(*[visit(i) for i in range(PEOPLE)])

    codes = sorted(a.status_code for a in answers)
    assert codes == [200] + [409] * (PEOPLE - 1), codes
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"conflict"}
    [ok] = [a for a in answers if a.status_code == 200]
    assert ok.json()["version"] == version + 1
    final = Case.objects.get(pk=case.pk)
    assert final.version == version + 1 and follow_ups(final) == 1


def test_fifty_notes_without_a_version_all_count(county, persona):
    """Follow-up notes add to the timeline: each waits for the case's lock, none is lost."""
    case = build_case("resolved")
    version = Case.objects.get(pk=case.pk).version
    clients = [ApiClient(persona("dispatcher")) for _ in range(PEOPLE)]

    def note(i: int):
        body = {"action": "follow_up", "comment": f"第{i}次电话回访"}
        return lambda: clients[i].post(transitions_url(case), body)

    answers = run_at_once(*[note(i) for i in range(PEOPLE)])

    assert [a.status_code for a in answers] == [200] * PEOPLE
    final = Case.objects.get(pk=case.pk)
    assert final.version == version + PEOPLE
    assert follow_ups(final) == PEOPLE
    comments = set(final.events.filter(action=Action.FOLLOW_UP).values_list("comment", flat=True))
    assert comments == {f"第{i}次电话回访" for i in range(PEOPLE)}


def test_fifty_repeat_visits_merged_at_once_all_count(county, persona):
    """Fifty registrations of the same matter merged into one case at the same moment: the
    case counts every visit (来访次数), and its version and timeline every merge."""
    kept = build_case("registered")
    repeats = [build_case("registered") for _ in range(PEOPLE)]
    before = Case.objects.get(pk=kept.pk)
    clerk = persona("clerk")

    def merge(repeat: Case):
        return lambda: merge_case(actor=clerk, case=repeat, into_id=kept.pk)

    results = run_at_once(*[merge(r) for r in repeats])

    assert all(isinstance(r, Case) for r in results), results
    final = Case.objects.get(pk=kept.pk)
    assert final.visits_count == before.visits_count + PEOPLE
    assert final.version == before.version + PEOPLE
    assert final.events.filter(action=Action.MERGE).count() == PEOPLE
    assert Case.objects.filter(merged_into=kept).count() == PEOPLE
