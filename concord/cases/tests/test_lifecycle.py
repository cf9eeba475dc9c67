"""The state machine: each action, its guards, its effects on tasks, and races."""

import pytest
from django.db import connection

from concord.cases import lifecycle
from concord.cases.choices import Action, TaskRole, TaskStatus
from concord.cases.models import Case, CaseEvent
from concord.cases.tests.factories import CAOE, build_case, organisation
from concord.core.errors import Conflict, Forbidden, InvalidInput
from concord.core.testing import run_at_once


def transitions(case):
    """The case's timeline without what other domains record beside the transitions (the
    follow-up visits planned at resolution)."""
    return case.events.filter(action__in=[Action.REGISTER, *lifecycle.RULES])


def test_every_transition_writes_one_event_with_from_and_to(persona):
    case = build_case("archived")
    events = list(transitions(case).order_by("id"))
    assert [(e.from_status, e.to_status) for e in events] == [
        ("", "registered"),
        ("registered", "accepted"),
        ("accepted", "assigned"),
        ("assigned", "in_progress"),
        ("in_progress", "resolved"),
        ("resolved", "rated"),
        ("rated", "archived"),
    ]
    assert all(e.actor_id for e in events)
    assert case.version == len(events)


def test_refuse_needs_a_reason(persona):
    case = build_case("registered")
    with pytest.raises(InvalidInput) as raised:
        lifecycle.transition(case, actor=persona("clerk"), action=Action.REFUSE)
    assert "comment" in raised.value.errors
    refused = lifecycle.transition(
        case, actor=persona("clerk"), action=Action.REFUSE, comment="不属于受理范围"
    )
    assert refused.status == "refused" and refused.closed_at


def test_refer_out_closes_the_case(persona):
    case = build_case("accepted")
    referred = lifecycle.transition(
        case, actor=persona("clerk"), action=Action.REFER, comment="转至市信访局"
    )
    assert referred.status == "referred"


def test_lead_return_sends_the_case_back_to_dispatch_and_counts_a_hop(persona):
    case = build_case("assigned")
    returned = lifecycle.transition(
        case, actor=persona("baiguan"), action=Action.RETURN, comment="不属本街道管辖"
    )
    assert returned.status == "accepted"
    assert returned.hop_count == 1
    assert returned.lead_org is None
    task = returned.tasks.get()
    assert task.status == TaskStatus.RETURNED and task.return_reason == "不属本街道管辖"


def test_more_than_two_hops_flags_ping_pong(persona):
    case = build_case("accepted")
    for town_user in ("baiguan", "caoe", "baiguan"):
        org = persona(town_user).organisation
        case = lifecycle.transition(
            case, actor=persona("dispatcher"), action=Action.ASSIGN, lead_org=org.pk
        )
        case = lifecycle.transition(
            case, actor=persona(town_user), action=Action.RETURN, comment="非本单位事项"
        )
    assert case.hop_count == 3
    assert case.is_ping_pong


def test_assisting_organisation_signs_and_answers_without_moving_the_case(
    persona, django_user_model
):
    case = build_case("accepted")
    justice = organisation("justice")
    helper = django_user_model.objects.create_user("sfj", organisation=justice, role="handler")
    case = lifecycle.transition(
        case,
        actor=persona("dispatcher"),
        action=Action.ASSIGN,
        lead_org=persona("baiguan").organisation_id,
        assisting_orgs=[justice.pk],
    )
    case = lifecycle.transition(case, actor=helper, action=Action.SIGN)
    assert case.status == "assigned"
    case = lifecycle.transition(case, actor=helper, action=Action.ANSWER, comment="已提供法律意见")
    assist = case.tasks.get(role=TaskRole.ASSIST)
    assert assist.status == TaskStatus.ANSWERED and assist.answer == "已提供法律意见"
    case = lifecycle.transition(case, actor=persona("baiguan"), action=Action.SIGN)
    assert case.status == "in_progress"
    with pytest.raises(Forbidden):
        lifecycle.transition(case, actor=helper, action=Action.RESOLVE, result="solved", reply="x")


def test_pause_and_resume(persona):
    case = build_case("in_progress")
    paused = lifecycle.transition(
        case, actor=persona("baiguan"), action=Action.PAUSE, comment="等待伤残鉴定"
    )
    assert paused.status == "paused"
    with pytest.raises(Conflict):
        lifecycle.transition(
            paused, actor=persona("baiguan"), action=Action.RESOLVE, result="solved", reply="x"
        )
    resumed = lifecycle.transition(paused, actor=persona("baiguan"), action=Action.RESUME)
    assert resumed.status == "in_progress"


def test_resolve_requires_a_result_and_a_reply(persona):
    case = build_case("in_progress")
    with pytest.raises(InvalidInput) as raised:
        lifecycle.transition(
            case, actor=persona("baiguan"), action=Action.RESOLVE, result="made-up"
        )
    assert set(raised.value.errors) == {"result", "reply"}
    assert Case.objects.get(pk=case.pk).status == "in_progress"


def test_reopen_after_dissatisfaction_counts_and_returns_to_the_lead(persona):
    case = build_case("resolved")
    rated = lifecycle.transition(
        case, actor=persona("clerk"), action=Action.RATE, satisfaction="dissatisfied"
    )
    reopened = lifecycle.transition(
        rated, actor=persona("dispatcher"), action=Action.REOPEN, comment="群众不满意"
    )
    assert reopened.status == "in_progress"
    assert reopened.reopen_count == 1
    assert reopened.satisfaction == "" and reopened.result == ""
    assert reopened.tasks.get(role=TaskRole.LEAD).status == TaskStatus.SIGNED
    again = lifecycle.transition(
        reopened,
        actor=persona("baiguan"),
        action=Action.RESOLVE,
        result="solved",
        reply="已重新处理",
    )
    assert again.status == "resolved"


def test_other_town_cannot_sign_a_task_it_does_not_hold(persona):
    case = build_case("assigned")
    with pytest.raises(Forbidden):
        lifecycle.transition(case, actor=persona("caoe"), action=Action.SIGN)


def test_available_actions_follow_role_and_task(persona):
    case = build_case("assigned", town=CAOE, handler="caoe")
    assert lifecycle.available_actions(case, persona("caoe")) == [Action.SIGN, Action.RETURN]
    assert lifecycle.available_actions(case, persona("baiguan")) == []
    assert lifecycle.available_actions(case, persona("leader")) == []


def test_stale_copy_is_refused_as_a_conflict(persona):
    case = build_case("in_progress")
    stale = Case.objects.get(pk=case.pk)
    lifecycle.transition(
        case, actor=persona("baiguan"), action=Action.RESOLVE, result="solved", reply="已解决"
    )
    with pytest.raises(Conflict):
        lifecycle.transition(stale, actor=persona("baiguan"), action=Action.PAUSE, comment="x")
    assert Case.objects.get(pk=case.pk).status == "resolved"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_handlers_resolving_at_once_one_wins(county, persona, django_user_model):
    case = build_case("in_progress")
    second = django_user_model.objects.create_user(
        "baiguan-2", organisation=persona("baiguan").organisation, role="handler"
    )
    handlers = [persona("baiguan"), second]
    seen = Case.objects.get(pk=case.pk)  # both looked at the same version

    def resolve(user):
        def call():
            lifecycle.transition(
                seen, actor=user, action=Action.RESOLVE, result="mediated", reply=f"{user}办结"
            )
            return "ok"

        return call

    results = run_at_once(*[resolve(u) for u in handlers])
    outcomes = [r if r == "ok" else r.message for r in results]
    assert sorted(outcomes)[0] == "ok"
    assert outcomes.count("ok") == 1
    assert "已办结" in [o for o in outcomes if o != "ok"][0]
    final = Case.objects.get(pk=case.pk)
    assert final.status == "resolved"
    assert CaseEvent.objects.filter(case=case, action=Action.RESOLVE).count() == 1
    assert final.version == transitions(final).count()


def test_a_village_committee_escalates_to_its_town_center(county, persona, django_user_model):
    from concord.orgs.models import Organisation

    case = build_case("accepted")
    committee = Organisation.objects.get(kind="village_committee", division_id=case.division_id)
    handler = django_user_model.objects.create_user(
        "village-1", organisation=committee, role="handler"
    )
    case = lifecycle.transition(
        case, actor=persona("dispatcher"), action=Action.ASSIGN, lead_org=committee.pk
    )
    case = lifecycle.transition(case, actor=handler, action=Action.SIGN)
    with pytest.raises(InvalidInput):
        lifecycle.transition(case, actor=handler, action=Action.ESCALATE)  # a reason is needed
    case = lifecycle.transition(
        case, actor=handler, action=Action.ESCALATE, comment="涉及两村土地边界，村里无法调处"
    )
    town = persona("baiguan").organisation
    assert case.status == "assigned" and case.lead_org == town and case.handling_level == "town"
    assert case.tasks.get(organisation=committee).status == "escalated"
    assert case.tasks.get(organisation=town, role="lead").status == "pending"
    event = case.events.get(action=Action.ESCALATE)
    assert event.data == {"task": event.data["task"], "from": committee.pk, "to": town.pk}
    assert event.actor_org == committee


def test_a_town_escalates_to_county_dispatch_and_the_county_hands_it_down(county, persona):
    case = build_case("in_progress")
    case = lifecycle.transition(
        case, actor=persona("baiguan"), action=Action.ESCALATE, comment="涉及多个镇街，需县级协调"
    )
    assert case.status == "accepted" and case.lead_org is None and case.handling_level == "county"
    hrss = persona("hrss").organisation
    case = lifecycle.transition(
        case, actor=persona("dispatcher"), action=Action.ASSIGN, lead_org=hrss.pk
    )
    # Not the case's own town or village: refused, nothing changes.
    with pytest.raises(InvalidInput) as refused:
        lifecycle.transition(
            case,
            actor=persona("dispatcher"),
            action=Action.DELEGATE,
            comment="属地处理",
            lead_org=persona("caoe").organisation.pk,
        )
    assert "lead_org" in refused.value.errors
    town = persona("baiguan").organisation
    case = lifecycle.transition(
        case,
        actor=persona("dispatcher"),
        action=Action.DELEGATE,
        comment="属地处理",
        lead_org=town.pk,
    )
    assert case.status == "assigned" and case.lead_org == town and case.handling_level == "town"
    assert case.tasks.get(organisation=hrss).status == "cancelled"
    # Only a county-level case can be handed down.
    with pytest.raises(Conflict):
        lifecycle.transition(
            case,
            actor=persona("dispatcher"),
            action=Action.DELEGATE,
            comment="再下交",
            lead_org=town.pk,
        )
    assert [e.action for e in case.events.order_by("created_at", "pk")][-3:] == [
        "escalate",
        "assign",
        "delegate",
    ]
