"""Hand-overs recorded from the case's own timeline: 110 calls, online petitions, court
referrals and returns, professional mediation; each once, however often it is heard."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from concord.accounts.models import Role, User
from concord.cases import lifecycle
from concord.cases.choices import Action, CaseType, Channel, Result
from concord.cases.services import CaseDraft, register_case
from concord.cases.tests.factories import (
    BAIGUAN,
    build_case,
    first_village,
    organisation,
    two_parties,
)
from concord.cases.timeline import record_event
from concord.linkage.automatic import backfill
from concord.linkage.models import Handover
from concord.orgs.models import Organisation

from .conftest import replay

SH = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SH)


def rows(case) -> list[tuple]:
    return list(
        case.handovers.order_by("at", "pk").values_list(
            "linkage_type", "direction", "partner__code", "outcome"
        )
    )


def test_a_110_call_is_handed_in_by_the_police_once(county):
    with time_machine.travel(T0, tick=False):
        case = build_case("registered", channel=Channel.POLICE_110)
    assert rows(case) == [("police", "in", "police", "")]
    handover = case.handovers.get()
    assert handover.at == T0 and handover.automatic and handover.event.action == Action.REGISTER
    replay(case)
    assert backfill() == 0
    assert case.handovers.count() == 1


def test_an_online_petition_comes_from_the_petition_bureau(county):
    case = build_case("registered", type=CaseType.PETITION, channel=Channel.ONLINE_PETITION)
    assert rows(case) == [("petition", "in", "petition", "")]


def test_a_petition_brought_to_the_window_is_no_hand_over(county):
    letter = build_case("registered", type=CaseType.PETITION, channel=Channel.LETTER)
    walk_in = build_case("registered", type=CaseType.PETITION, channel=Channel.WALK_IN)
    assert rows(letter) == [] and rows(walk_in) == []


def test_a_court_referral_and_its_return_answer_each_other(county, persona):
    court = persona("court")
    with time_machine.travel(T0, tick=False):
        case = build_case("registered", channel=Channel.COURT_REFERRAL)
    assert rows(case) == []  # the registration waits for the court's own event
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        record_event(case, actor=court, action=Action.COURT_REFERRED, data={"referral": 7})
    with time_machine.travel(T0 + dt.timedelta(days=20), tick=False):
        record_event(
            case,
            actor=persona("dispatcher"),
            action=Action.COURT_RETURNED,
            comment="调解不成，附调解笔录",
            data={"referral": 7, "outcome": "failed", "priority_filing": True},
        )
    assert rows(case) == [("court", "in", "court", ""), ("court", "out", "court", "failed")]
    referred, returned = case.handovers.order_by("at")
    assert returned.answers == referred and returned.note == "建议优先立案；调解不成，附调解笔录"
    replay(case)
    assert backfill() == 0
    assert case.handovers.count() == 2


def test_a_court_return_answers_the_referral_it_names(county, persona):
    case = build_case("registered")
    court = persona("court")
    for referral in (1, 2):
        record_event(case, actor=court, action=Action.COURT_REFERRED, data={"referral": referral})
    first = case.handovers.get(event__data__referral=1)
    record_event(
        case,
        actor=court,
        action=Action.COURT_RETURNED,
        data={"referral": 1, "outcome": "mediated"},
    )
    assert Handover.objects.get(answers=first).outcome == "mediated"


def test_assigning_a_professional_mediation_org_hands_the_case_to_it(county, persona):
    with time_machine.travel(T0, tick=False):
        case = build_case("resolved", handler="mediator")  # led by 医疗纠纷调委会
    sent, answered = case.handovers.order_by("at", "pk")
    assert (sent.linkage_type, sent.direction, sent.partner.code) == (
        "professional",
        "out",
        "medical-mediation",
    )
    assert answered.answers == sent and answered.direction == "in"
    assert answered.outcome == "mediated"  # build_case resolves as 调解成功
    replay(case)
    assert case.handovers.count() == 2


def test_a_mediation_org_returning_the_task_answers_it_returned(county, persona):
    case = build_case("in_progress", handler="mediator")
    lifecycle.transition(case, actor=persona("mediator"), action="return", comment="非本会受理范围")
    assert rows(case) == [
        ("professional", "out", "medical-mediation", ""),
        ("professional", "in", "medical-mediation", "returned"),
    ]


def test_an_ordinary_assignment_is_no_hand_over(county):
    assert rows(build_case("in_progress")) == []  # led by 百官街道


def test_resolving_a_110_case_reports_the_result_back_to_the_police(county, persona):
    case = build_case("in_progress", channel=Channel.POLICE_110)
    lifecycle.transition(
        case,
        actor=persona("baiguan"),
        action="resolve",
        comment="",
        result=Result.MEDIATION_FAILED,
        reply="双方分歧较大，已告知诉讼途径。",
    )
    assert rows(case) == [("police", "in", "police", ""), ("police", "out", "police", "failed")]
    assert case.handovers.get(direction="out").note == "双方分歧较大，已告知诉讼途径。"


def test_refusing_a_110_case_returns_it_to_the_police(county, persona):
    case = build_case("registered", channel=Channel.POLICE_110)
    lifecycle.transition(case, actor=persona("clerk"), action="refuse", comment="属治安案件")
    assert rows(case) == [("police", "in", "police", ""), ("police", "out", "police", "returned")]


def test_a_case_registered_by_the_procuratorate_is_handed_in_by_it(county):
    liaison = User.objects.create_user(
        username="jcy-liaison", role=Role.CLERK, organisation=organisation("procuratorate")
    )
    draft = CaseDraft(
        type=CaseType.DISPUTE,
        channel=Channel.LETTER,
        description="检察院在办案中发现的民间借贷纠纷，移交中心调解。",
        division=first_village(BAIGUAN).code,
        parties=two_parties(),
    )
    case = register_case(actor=liaison, draft=draft)
    assert rows(case) == [("procuratorate", "in", "procuratorate", "")]


def test_backfill_records_seeded_timelines_once(county, persona):
    """Seeded cases bypass the signal: the demo loader replays their timelines."""
    case = build_case("registered", channel=Channel.POLICE_110)
    Handover.objects.all().delete()
    assert backfill() == 1
    assert backfill() == 0
    assert rows(case) == [("police", "in", "police", "")]


def test_no_partner_set_up_records_nothing(county):
    Organisation.objects.filter(code="police").update(active=False)
    case = build_case("registered", channel=Channel.POLICE_110)
    assert rows(case) == []


@pytest.mark.parametrize("outcome", ["调解成功", "mediated", "succeeded"])
def test_the_court_apps_outcome_words_are_understood(county, persona, outcome):
    case = build_case("registered")
    record_event(case, actor=persona("court"), action=Action.COURT_REFERRED, data={})
    record_event(
        case, actor=persona("court"), action=Action.COURT_RETURNED, data={"outcome": outcome}
    )
    assert case.handovers.get(direction="out").outcome == "mediated"
