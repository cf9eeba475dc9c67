"""Every recorded change scores the case again; a case turning red alerts the county
center's dispatchers once."""

from decimal import Decimal

import time_machine

from concord.cases import lifecycle
from concord.cases.models import Case
from concord.cases.tests.factories import build_case
from concord.notifications.models import Notification
from concord.risk.models import CaseRisk
from concord.risk.services import rescore, rescore_long_open

from .conftest import at


def red_notices(case):
    return Notification.objects.filter(case=case, title__startswith="红色风险")


def test_a_case_registered_with_jumping_is_red_and_the_dispatcher_is_told_once(persona):
    case = build_case(description="工资拖欠半年，工人扬言要跳楼。")
    stored = Case.objects.get(pk=case.pk)
    assert stored.risk_level == "red"
    assert any("跳楼" in reason for reason in stored.risk_reasons)
    notices = red_notices(case)
    assert [n.user.username for n in notices] == ["dispatcher"]
    assert notices[0].kind == "risk" and "跳楼" in notices[0].body
    # Later changes score again but tell nobody twice.
    lifecycle.transition(stored, actor=persona("clerk"), action="accept", comment="")
    assert red_notices(case).count() == 1
    assert CaseRisk.objects.get(case=case).red_alerted_at is not None


def test_the_change_bumps_updated_at_for_the_dashboard_rollup():
    with time_machine.travel(at(2026, 9, 1, 9), tick=False):
        case = build_case(description="对方扬言同归于尽")
    stored = Case.objects.get(pk=case.pk)
    assert stored.risk_level == "red" and stored.updated_at == at(2026, 9, 1, 9)


def test_the_score_never_goes_below_the_clerks_judgement():
    case = build_case(risk_level="orange")
    stored = Case.objects.get(pk=case.pk)
    assert stored.risk_level == "orange"
    assert stored.risk_reasons == ["人工研判为橙色"]
    assert CaseRisk.objects.get(case=case).judged_level == "orange"


def test_a_level_a_person_sets_later_becomes_the_new_judgement(persona):
    case = build_case()
    Case.objects.filter(pk=case.pk).update(risk_level="red")  # e.g. the dispatcher's call
    stored = lifecycle.transition(
        Case.objects.get(pk=case.pk), actor=persona("clerk"), action="accept", comment=""
    )
    assert stored.risk_level == "red" and stored.risk_reasons == ["人工研判为红色"]
    risk = CaseRisk.objects.get(case=case)
    assert (risk.judged_level, risk.scored_level) == ("red", "red")
    assert red_notices(case).count() == 1


def test_a_change_of_facts_raises_the_level_on_the_next_event(persona):
    case = build_case()
    assert Case.objects.get(pk=case.pk).risk_level == "blue"
    Case.objects.filter(pk=case.pk).update(people_count=30, amount=Decimal("2000000"))
    stored = lifecycle.transition(
        Case.objects.get(pk=case.pk), actor=persona("clerk"), action="accept", comment=""
    )
    assert stored.risk_level == "orange"  # 20 + 15 + 10 + 10 = 55
    assert Case.objects.get(pk=case.pk).risk_level == "orange"


def test_the_same_persons_earlier_cases_count_by_id_number(persona):
    first = build_case()
    applicant = first.parties.get(role="applicant")
    second = build_case()
    second.parties.filter(role="applicant").update(id_number_hash=applicant.id_number_hash)
    assessment = rescore(Case.objects.get(pk=second.pk))
    assert "当事人此前已有1件事项（+10）" in assessment.reasons
    assert not any("此前" in r for r in rescore(Case.objects.get(pk=first.pk)).reasons)


def test_a_long_open_case_gains_points_when_it_changes_again(persona):
    with time_machine.travel(at(2026, 9, 1, 9), tick=False):
        case = build_case("accepted")
    with time_machine.travel(at(2026, 10, 15, 9), tick=False):
        assessment = rescore(Case.objects.get(pk=case.pk))
    assert "已办理44天未结（+10）" in assessment.reasons


def test_rescoring_an_unchanged_case_writes_nothing(django_assert_num_queries):
    case = Case.objects.get(pk=build_case().pk)
    with django_assert_num_queries(4):
        # CaseRisk, applicants' hashes, their earlier cases, weights; no update, no alert.
        rescore(case)


def test_the_daily_sweep_adds_time_open_to_the_cases_past_thirty_days():
    with time_machine.travel(at(2026, 9, 1, 9), tick=False):
        old = build_case("accepted", description="工友们在厂门口聚集")  # 30: yellow
        archived = build_case("archived", description="工友们在厂门口聚集")
    with time_machine.travel(at(2026, 9, 25, 9), tick=False):
        fresh = build_case("accepted", description="工友们在厂门口聚集")
    with time_machine.travel(at(2026, 10, 15, 9), tick=False):
        assert rescore_long_open() == 1
    levels = dict(Case.objects.values_list("pk", "risk_level"))
    assert levels[old.pk] == "orange"  # 30 + 10
    assert levels[fresh.pk] == levels[archived.pk] == "yellow"
    assert "已办理44天未结（+10）" in Case.objects.get(pk=old.pk).risk_reasons
