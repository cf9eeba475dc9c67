"""The sweep fires each warning and each breach once, however often and however many run."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from concord.cases import lifecycle
from concord.cases.models import Case, CaseEvent
from concord.cases.tests.factories import build_case
from concord.core.testing import run_at_once
from concord.deadlines.models import Deadline, Supervision
from concord.deadlines.sweep import sweep
from concord.notifications.models import Notification

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


def accepted_case():
    """A dispute accepted on Monday 2026-11-02 at 9:00: hand it down within 2 working hours."""
    with time_machine.travel(at(2026, 11, 2, 9, 0), tick=False):
        return build_case("accepted")


def events(case, action: str) -> int:
    return CaseEvent.objects.filter(case=case, action=action).count()


def test_warning_then_breach_then_nothing_more(county):
    case = accepted_case()
    hand_down = Deadline.objects.get(case=case, code="hand_down")
    assert hand_down.due_at == at(2026, 11, 2, 11, 0)
    assert hand_down.warn_at == at(2026, 11, 2, 10, 30)
    assert sweep(at(2026, 11, 2, 10, 0)) == {"warned": 0, "breached": 0}
    assert sweep(at(2026, 11, 2, 10, 31))["warned"] == 1
    assert sweep(at(2026, 11, 2, 10, 32)) == {"warned": 0, "breached": 0}
    assert sweep(at(2026, 11, 2, 11, 1))["breached"] == 1
    assert sweep(at(2026, 11, 2, 11, 2)) == {"warned": 0, "breached": 0}
    assert events(case, "deadline_warn") == 1 and events(case, "deadline_breach") == 1
    supervision = Supervision.objects.get(case=case)
    assert supervision.issued_by is None and supervision.target_org.kind == "county_center"
    assert "交办派单" in supervision.reason
    assert events(case, "supervise") == 1
    dispatcher = Notification.objects.filter(user__username="dispatcher", case=case)
    assert {n.kind for n in dispatcher} == {"deadline_warned", "supervision", "deadline_breached"}


def test_a_met_node_is_left_alone(persona):
    case = accepted_case()
    with time_machine.travel(at(2026, 11, 2, 9, 30), tick=False):
        lead = persona("baiguan").organisation
        lifecycle.transition(case, actor=persona("dispatcher"), action="assign", lead_org=lead.pk)
    assert Deadline.objects.get(case=case, code="hand_down").state == "met"
    assert sweep(at(2026, 11, 2, 12, 0))["breached"] == 0


def test_a_late_sweep_fires_the_warning_and_the_breach_once_each(county):
    case = accepted_case()
    first = sweep(at(2026, 11, 3, 9, 0))
    second = sweep(at(2026, 11, 3, 9, 0))
    assert first == {"warned": 1, "breached": 1} and second == {"warned": 0, "breached": 0}
    assert events(case, "deadline_warn") == 1 and events(case, "deadline_breach") == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent sweeps need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_fire_each_event_once(county):
    cases = [accepted_case() for _ in range(6)]
    moment = at(2026, 11, 3, 9, 0)
    results = run_at_once(lambda: sweep(moment), lambda: sweep(moment))
    assert sum(r["warned"] for r in results) == 6 and sum(r["breached"] for r in results) == 6
    for case in cases:
        assert events(case, "deadline_warn") == 1 and events(case, "deadline_breach") == 1
        assert Supervision.objects.filter(case=case).count() == 1


def test_the_command_runs_one_sweep(county, capsys):
    from django.core.management import call_command

    accepted_case()
    with time_machine.travel(at(2026, 11, 3, 9, 0), tick=False):
        call_command("sweep_deadlines")
        call_command("sweep_deadlines")
    out = capsys.readouterr().out.splitlines()
    assert out == ["预警 1 个节点，超期 1 个节点", "预警 0 个节点，超期 0 个节点"]


def test_a_case_nobody_holds_yet_is_supervised_at_the_county_center(county):
    case = accepted_case()
    Case.objects.filter(pk=case.pk).update(registered_org=None)  # an online submission
    assert sweep(at(2026, 11, 3, 9, 0)) == {"warned": 1, "breached": 1}
    supervision = Supervision.objects.get(case=case)
    assert supervision.target_org.kind == supervision.issuer_org.kind == "county_center"
    event = CaseEvent.objects.get(case=case, action="supervise")
    assert event.data["supervision"] == supervision.pk


def test_a_lapsed_window_is_told_not_supervised_and_leaves_the_overdue_page(persona, web):
    """The judicial-confirmation window is the parties' to use: when it passes the lead
    organisation is told, nobody is 督办ed, and the 超期督办 page does not list it."""
    from concord.cases.timeline import record_event

    case = build_case("in_progress")
    with time_machine.travel(at(2026, 11, 2, 10, 0), tick=False):
        record_event(case, actor=persona("dispatcher"), action="agreement")
    window = Deadline.objects.get(case=case, code="judicial_window")
    assert window.due_at == at(2026, 12, 2, 23, 59, 59)  # day 30 ends, art. 85
    assert sweep(at(2026, 11, 28, 0, 1))["warned"] == 1
    assert sweep(at(2026, 12, 3, 0, 1))["breached"] == 1
    assert not Supervision.objects.filter(case=case).exists()
    told = Notification.objects.filter(case=case, kind="deadline_breached")
    assert set(told.values_list("user__organisation", flat=True)) == {case.lead_org_id}
    with time_machine.travel(at(2026, 12, 3, 9, 0), tick=False):
        page = web("dispatcher").get("/deadlines/overdue/").content.decode()
    assert case.tracking_code not in page
