"""Follow-up visits: planned by category at resolution with one 回访 clock each, recorded one
by one, swept when late, and the last one archives the case."""

import pytest
import time_machine
from django.db import connection

from concord.cases import lifecycle
from concord.cases.models import Case, CaseEvent
from concord.core.errors import Conflict, Forbidden, InvalidInput
from concord.core.testing import run_at_once
from concord.deadlines.models import Deadline
from concord.deadlines.sweep import sweep
from concord.evaluation.models import FollowUpVisit
from concord.evaluation.visits import record_visit
from concord.notifications.models import Notification

from .conftest import at, domestic_dispute


def END(*day):
    return at(*day, 23, 59, 59)


def visits(case):
    return list(FollowUpVisit.objects.filter(case=case).order_by("round", "number"))


def test_a_resolved_domestic_dispute_gets_three_visits_at_7_30_and_90_days(county):
    case = domestic_dispute()
    clocks = list(Deadline.objects.filter(case=case, code="follow_up").order_by("due_at"))
    # 民事诉讼法 art. 85: the day of resolution is not counted; each runs to the end of its day.
    assert [d.due_at for d in clocks] == [END(2026, 9, 22), END(2026, 10, 15), END(2026, 12, 14)]
    assert [d.amount for d in clocks] == [7, 30, 90]
    assert [d.label for d in clocks] == ["回访（1/3）", "回访（2/3）", "回访（3/3）"]
    planned = visits(case)
    assert [(v.number, v.deadline_id, v.due_at) for v in planned] == [
        (i, d.pk, d.due_at) for i, d in enumerate(clocks, 1)
    ]
    assert {v.organisation.code for v in planned} == {"grid-330604001001-1"}
    plan = CaseEvent.objects.get(case=case, action="follow_up_plan")
    assert plan.data["periods"] == [7, 30, 90] and "婚姻家庭纠纷回访" in plan.comment
    told = Notification.objects.get(user__username="grid", case=case)
    assert told.title.endswith(
        "请按期回访：第1次2026-09-22前、第2次2026-10-15前、第3次2026-12-14前"
    )


def record(visit, who, persona, stable=True, findings="双方关系和睦，未再发生争吵。", when=None):
    with time_machine.travel(when or at(2026, 9, 20, 15, 0), tick=False):
        return record_visit(
            visit, actor=persona(who), method="visit", findings=findings, stable=stable
        )


def test_recording_the_first_visit_meets_only_its_clock_and_the_sweep_judges_the_others(
    persona,
):
    case = domestic_dispute()
    first, second, third = visits(case)
    done = record(first, "grid", persona)
    assert done.status == "done" and done.method == "visit" and done.stable is True
    assert done.done_by == persona("grid")
    clocks = {d.pk: d for d in Deadline.objects.filter(case=case, code="follow_up")}
    assert clocks[first.deadline_id].met_at == at(2026, 9, 20, 15, 0)
    assert clocks[second.deadline_id].met_at is None and clocks[third.deadline_id].met_at is None
    event = CaseEvent.objects.get(case=case, action="follow_up")
    assert event.data == {"deadline": first.deadline_id, "visit": first.pk}
    first.refresh_from_db()
    assert first.follow_up == event and first.status == "done"
    assert event.comment.startswith("第1次回访（上门，情况稳定）")
    assert Case.objects.get(pk=case.pk).status == "resolved"

    # The second visit warns a day before its due time and is breached after it; the met
    # first and the far third stay quiet.
    assert sweep(at(2026, 10, 14, 12, 0)) == {"warned": 0, "breached": 0}
    assert sweep(at(2026, 10, 15, 0, 1)) == {"warned": 1, "breached": 0}
    assert sweep(at(2026, 10, 16, 0, 1)) == {"warned": 0, "breached": 1}
    second_clock = Deadline.objects.get(pk=second.deadline_id)
    assert second_clock.warned_at and second_clock.breached_at
    third_clock = Deadline.objects.get(pk=third.deadline_id)
    assert not third_clock.warned_at and not third_clock.breached_at
    breach = CaseEvent.objects.get(case=case, action="deadline_breach")
    assert breach.data["deadline"] == second.deadline_id and "回访（2/3）" in breach.comment


def test_the_last_visit_archives_the_case_and_any_order_is_fine(persona):
    case = domestic_dispute()
    first, second, third = visits(case)
    record(third, "grid", persona, when=at(2026, 9, 18, 9, 0))
    record(first, "dispatcher", persona, when=at(2026, 9, 19, 9, 0))
    assert Case.objects.get(pk=case.pk).status == "resolved"
    record(second, "grid", persona, when=at(2026, 9, 21, 9, 0))
    archived = Case.objects.get(pk=case.pk)
    assert archived.status == "archived" and archived.closed_at == at(2026, 9, 21, 9, 0)
    last = archived.events.order_by("-created_at", "-id").first()
    assert last.action == "archive" and last.actor is None and "自动归档" in last.comment
    assert not Deadline.objects.filter(case=case, met_at=None).exists()


def test_only_the_assigned_grid_or_center_staff_record_a_visit(persona):
    case = domestic_dispute()
    first = visits(case)[0]
    with pytest.raises(Forbidden, match="只有回访单位"):
        record(first, "caoe", persona)
    first.refresh_from_db()
    assert first.status == "planned"


def test_a_visit_is_recorded_once_and_needs_method_findings_and_stability(persona):
    case = domestic_dispute()
    first = visits(case)[0]
    with pytest.raises(InvalidInput) as raised:
        record_visit(first, actor=persona("grid"), method="fax", findings=" ", stable="yes")
    assert set(raised.value.errors) == {"method", "findings", "stable"}
    record(first, "grid", persona)
    with pytest.raises(Conflict, match="第1次回访已回访"):
        record(first, "grid", persona)
    assert CaseEvent.objects.filter(case=case, action="follow_up").count() == 1


def test_a_relapse_opens_a_linked_case_with_the_same_parties_and_place(persona):
    case = domestic_dispute()
    first = visits(case)[0]
    done = record(
        first, "grid", persona, stable=False, findings="双方又因财产分割争吵，女方要求再次调解。"
    )
    relapse = Case.objects.get(pk=done.relapse_id)
    assert relapse.parent_id == case.pk and relapse.status == "registered"
    assert relapse.description == "回访发现反复：双方又因财产分割争吵，女方要求再次调解。"
    assert relapse.channel == "grid" and relapse.registered_by == persona("grid")
    assert (relapse.category_id, relapse.division_id) == (case.category_id, case.division_id)
    assert [(p.role, p.name, p.phone) for p in relapse.parties.all()] == [
        (p.role, p.name, p.phone) for p in case.parties.all()
    ]
    follow_up = CaseEvent.objects.get(case=case, action="follow_up")
    assert relapse.tracking_code in follow_up.comment and "发现反复" in follow_up.comment


def test_a_handler_cannot_register_a_relapse_and_nothing_changes(persona):
    case = domestic_dispute()
    lead_visit = visits(case)[0]
    FollowUpVisit.objects.filter(pk=lead_visit.pk).update(organisation=case.lead_org)
    lead_visit.refresh_from_db()
    with pytest.raises(Forbidden, match="发现反复须登记新事项"):
        record(lead_visit, "baiguan", persona, stable=False)
    assert not Case.objects.filter(parent=case).exists()
    assert record(lead_visit, "baiguan", persona).status == "done"


def test_an_archived_case_is_read_only(persona):
    from concord.evaluation.ratings import decide_review, rate_case

    case = domestic_dispute()
    first, second, third = visits(case)
    with time_machine.travel(at(2026, 9, 16, 9, 0), tick=False):
        rating = rate_case(case, satisfaction="dissatisfied", channel="portal")
    decide_review(
        rating.review, actor=persona("dispatcher"), decision="close", explanation="已解释"
    )
    for visit in (first, second):
        record(visit, "grid", persona)
    # An archive by hand before the last visit cancels it, with its clock.
    lifecycle.transition(case, actor=persona("dispatcher"), action="archive")
    third.refresh_from_db()
    assert third.status == "cancelled" and not Deadline.objects.filter(pk=third.deadline_id)
    case = Case.objects.get(pk=case.pk)
    before = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(Conflict, match="事项已归档，只能查阅，不能回访"):
        record(third, "grid", persona)
    with pytest.raises(Conflict, match="事项已归档，只能查阅，不能评价"):
        rate_case(case, satisfaction="satisfied", channel="phone", actor=persona("clerk"))
    with pytest.raises(Conflict, match="事项已归档，只能查阅，不能重新办理"):
        lifecycle.transition(case, actor=persona("dispatcher"), action="reopen", comment="再办")
    assert CaseEvent.objects.filter(case=case).count() == before
    assert Case.objects.get(pk=case.pk).status == "archived"


def test_a_follow_up_without_a_visit_counts_for_the_visit_due_first(persona):
    """The generic 回访 action (the case page, the public transitions API)."""
    case = domestic_dispute()
    first, second, third = visits(case)
    with time_machine.travel(at(2026, 9, 20, 9, 0), tick=False):
        lifecycle.transition(
            case, actor=persona("clerk"), action="follow_up", comment="电话回访稳定"
        )
    first.refresh_from_db()
    assert first.status == "done" and first.findings == "电话回访稳定"
    assert first.follow_up == CaseEvent.objects.get(case=case, action="follow_up")
    met = Deadline.objects.filter(case=case, code="follow_up", met_at__isnull=False)
    assert [d.pk for d in met] == [first.deadline_id]
    assert Case.objects.get(pk=case.pk).status == "resolved"


def test_group_matters_and_other_cases_follow_their_plans(county):
    group = domestic_dispute(category="neighbour-noise", people_count=12)
    assert [v.deadline.amount for v in visits(group)] == [7, 30]
    other = domestic_dispute(category="neighbour-noise")
    assert [v.deadline.amount for v in visits(other)] == [7]
    assert [d.label for d in Deadline.objects.filter(case=other, code="follow_up")] == ["回访"]
    # A category plan beats the group plan.
    family_group = domestic_dispute(people_count=12)
    assert [v.deadline.amount for v in visits(family_group)] == [7, 30, 90]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_people_recording_the_same_visit_at_once_one_wins(county, plans, persona):
    case = domestic_dispute()
    first = visits(case)[0]

    def record_as(who):
        def call():
            record_visit(first, actor=persona(who), method="phone", findings="稳定", stable=True)
            return "ok"

        return call

    results = run_at_once(record_as("grid"), record_as("dispatcher"))
    outcomes = [r if r == "ok" else r.message for r in results]
    assert outcomes.count("ok") == 1
    assert "第1次回访已回访" in next(o for o in outcomes if o != "ok")
    assert CaseEvent.objects.filter(case=case, action="follow_up").count() == 1
