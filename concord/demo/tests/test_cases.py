"""The demo case generator: every status, histories the lifecycle would have written, the
deadlines those histories started, PII."""

import copy
import datetime as dt
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from concord.cases.choices import Action, CaseStatus, TaskRole, TaskStatus
from concord.cases.models import Case, CaseEvent, Party, Task
from concord.cases.tracking import next_tracking_code
from concord.core.crypto import keyed_hash
from concord.core.pii import id_number_problem, phone_problem
from concord.courts.models import CourtReferral
from concord.deadlines.models import Deadline
from concord.deadlines.services import track
from concord.deadlines.sweep import sweep
from concord.demo import cases as demo_cases
from concord.demo.bulk import Table
from concord.demo.cases import seed_cases
from concord.demo.county import load_reference_data
from concord.demo.management.commands import load_demo
from concord.geo.loader import county_outline, point_in_outline
from concord.orgs.models import Organisation

S, A = CaseStatus, Action
NOW = dt.datetime(2026, 1, 20, 10, 30, tzinfo=dt.UTC)  # three weeks before the Spring Festival
CLOSED_BY_RESOLVING = {S.RESOLVED, S.RATED, S.ARCHIVED}
OPEN = {S.REGISTERED, S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS, S.PAUSED}
ASSIGNED_OR_LATER = {S.ASSIGNED, S.IN_PROGRESS, S.PAUSED} | CLOSED_BY_RESOLVING


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """400 cases seeded once for the module, rolled back after it (tests nest inside)."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_reference_data()  # earlier tests may have emptied the tables they own
        seed_cases(400, seed=7, now=NOW)
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def cases(seeded, django_db_blocker):
    """(case, its events in order, its tasks) for every seeded case, read once."""
    with django_db_blocker.unblock():
        cases = list(Case.objects.select_related("registered_by", "division", "town", "category"))
        events, tasks = defaultdict(list), defaultdict(list)
        for event in CaseEvent.objects.select_related("actor").order_by("created_at", "id"):
            events[event.case_id].append(event)
        for task in Task.objects.order_by("id"):
            tasks[task.case_id].append(task)
    return [(case, events[case.pk], tasks[case.pk]) for case in cases]


@pytest.fixture(scope="module")
def deadlines(seeded, django_db_blocker):
    """Every seeded case's deadlines by case id, in the order the case would show them."""
    with django_db_blocker.unblock():
        by_case = defaultdict(list)
        for deadline in Deadline.objects.order_by("case_id", "started_at", "id"):
            by_case[deadline.case_id].append(deadline)
    return by_case


def test_a_400_case_run_covers_every_status(cases):
    counts = Counter(case.status for case, _, _ in cases)
    assert len(cases) == 400
    assert set(counts) == set(S.values)
    # Most of a year's cases are closed; archived ones dominate.
    assert counts[S.ARCHIVED] == max(counts.values())


def test_every_timeline_is_a_chain_from_registration_to_the_current_status(cases):
    for case, events, _ in cases:
        assert events[0].action == A.REGISTER and events[0].from_status == ""
        for before, after in zip(events, events[1:], strict=False):
            assert after.from_status == before.to_status, case.tracking_code
            assert before.created_at <= after.created_at
        assert events[-1].to_status == case.status
        assert case.version == len(events)
        assert case.received_at == events[0].created_at <= events[-1].created_at <= NOW
        assert case.updated_at == events[-1].created_at and case.created_at == case.received_at
        for event in events:
            if event.actor_id:
                assert event.actor_org_id == event.actor.organisation_id
            if event.action != A.REGISTER and event.created_at < NOW - dt.timedelta(minutes=1):
                assert 8 <= timezone.localtime(event.created_at).hour < 18  # staff office hours


def test_registration_is_by_the_clerk_the_grid_worker_or_the_channel(cases):
    for case, _, _ in cases:
        if case.registered_by:
            assert case.registered_org_id == case.registered_by.organisation_id
            assert case.registered_by.username in {"clerk", "grid", "court"}
        if case.channel in ("walk_in", "phone", "letter"):
            assert case.registered_by.username == "clerk"


def test_fields_match_the_status_and_its_history(cases, db):
    levels = dict(Organisation.objects.values_list("pk", "division__level"))
    for case, events, tasks in cases:
        actions = [e.action for e in events]
        by_action = {e.action: e for e in events}
        assert bool(case.accepted_at) == (A.ACCEPT in actions)
        if case.status in (S.REFUSED, S.REFERRED):
            closing = events[-1]
            assert closing.action in (A.REFUSE, A.REFER) and closing.comment
            assert case.closed_at == closing.created_at and not tasks
        if case.status in ASSIGNED_OR_LATER:
            assign = by_action[A.ASSIGN]
            lead = [t for t in tasks if t.role == TaskRole.LEAD]
            assert len(lead) == 1 and lead[0].organisation_id == case.lead_org_id
            assert case.handling_level == levels[case.lead_org_id]
            assert case.assigned_at == assign.created_at == lead[0].assigned_at
            assert assign.data == {
                "lead_org": case.lead_org_id,
                "assisting_orgs": [t.organisation_id for t in tasks if t.role == TaskRole.ASSIST],
            }
        else:
            assert not case.lead_org_id and not case.assigned_at
        if case.status == S.ASSIGNED:
            assert {t.status for t in tasks} == {TaskStatus.PENDING}
        if case.status in ASSIGNED_OR_LATER - {S.ASSIGNED}:
            sign = next(e for e in events if e.action == A.SIGN)
            assert sign.data == {"task": lead[0].pk, "role": TaskRole.LEAD}
            assert lead[0].signed_at == sign.created_at
        if case.status == S.PAUSED:
            assert events[-1].action == A.PAUSE and events[-1].comment
        if case.status in CLOSED_BY_RESOLVING:
            assert case.result and case.reply and case.resolved_at
            assert by_action[A.RESOLVE].data == {"result": case.result}
            assert lead[0].status == TaskStatus.DONE
            assert all(t.status in (TaskStatus.DONE, TaskStatus.ANSWERED) for t in tasks)
        else:
            assert not case.result and not case.resolved_at
        if case.status in (S.RATED, S.ARCHIVED):
            assert by_action[A.RATE].data == {"satisfaction": case.satisfaction}
        else:
            assert not case.satisfaction
        if case.status == S.ARCHIVED:
            assert actions[-2:] == [A.FOLLOW_UP, A.ARCHIVE] and events[-2].comment
            assert case.closed_at == events[-1].created_at
        if case.status in {S.REGISTERED, S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS, S.PAUSED}:
            assert not case.closed_at


def test_answered_assist_tasks_have_their_answer_in_the_timeline(cases):
    answered = 0
    for _, events, tasks in cases:
        for task in tasks:
            if task.status == TaskStatus.ANSWERED:
                answered += 1
                event = next(
                    e for e in events if e.data.get("task") == task.pk and e.action == A.ANSWER
                )
                assert event.comment == task.answer and event.created_at == task.answered_at
    assert answered


def _clock(deadline: Deadline) -> tuple:
    """What `track` decides about a node (the sweep's marks aside)."""
    return (
        deadline.code,
        deadline.task_id,
        deadline.node_id,
        deadline.label,
        deadline.unit,
        deadline.amount,
        deadline.art85,
        deadline.started_at,
        deadline.due_at,
        deadline.warn_at,
        deadline.provisional,
        deadline.pauses,
        deadline.paused_at,
        deadline.met_at,
    )


def test_seeded_deadlines_are_what_tracking_the_timeline_would_have_made(cases, deadlines, db):
    # Every kind of case, and every case whose clock was paused and resumed.
    sample = [c for s in S.values for c in [c for c in cases if c[0].status == s][:3]]
    sample += [c for c in cases if any(e.action == A.RESUME for e in c[1]) and c not in sample]
    assert any(d.pauses for case, _, _ in sample for d in deadlines[case.pk])
    for case, events, _ in sample:
        Deadline.objects.filter(case=case).delete()
        replica = copy.copy(case)  # the case as each event found it
        replica.handling_level = ""
        for event in events:
            if event.action == A.ASSIGN:
                replica.handling_level = case.handling_level
            track(replica, event)
        tracked = Deadline.objects.filter(case=case).order_by("started_at", "id")
        assert sorted(map(_clock, tracked), key=str) == sorted(
            map(_clock, deadlines[case.pk]), key=str
        ), case.tracking_code


def test_open_cases_have_the_nodes_their_stage_runs(cases, deadlines):
    for case, events, tasks in cases:
        if case.status not in OPEN:
            continue
        nodes = defaultdict(list)
        for deadline in deadlines[case.pk]:
            nodes[deadline.code].append(deadline)
        labour = case.category and case.category.code.startswith("labour")
        resolve = nodes["resolve"]
        if case.type == "petition":
            (accept,) = nodes["petition_accept"]
            assert accept.started_at == case.received_at
            assert accept.met_at == case.accepted_at  # None until accepted
        if case.status == S.REGISTERED:
            # Only labour disputes start their 15 days at registration.
            assert [d.started_at for d in resolve] == ([case.received_at] if labour else [])
            assert set(nodes) <= {"petition_accept", "resolve"}
            continue
        (resolve,) = resolve
        assert resolve.met_at is None and (resolve.paused_at is not None) == (
            case.status == S.PAUSED
        )
        if case.status == S.PAUSED:
            assert resolve.paused_at == events[-1].created_at
        (hand_down,) = nodes["hand_down"]
        assert hand_down.started_at == case.accepted_at and hand_down.met_at == case.assigned_at
        if case.status == S.ACCEPTED:
            assert not nodes["sign"]
            continue
        # One sign node per task, met when that task's organisation signed for it.
        signs = {d.task_id: d for d in nodes["sign"]}
        assert set(signs) == {t.pk for t in tasks}
        for task in tasks:
            assert signs[task.pk].started_at == case.assigned_at
            assert signs[task.pk].met_at == task.signed_at
        if case.status == S.IN_PROGRESS:
            lead = next(t for t in tasks if t.role == TaskRole.LEAD)
            assert signs[lead.pk].met_at == lead.signed_at is not None


def test_closed_cases_leave_no_clock_running(cases, deadlines):
    # Follow-up visits are planned at resolution by the evaluation app; seeded history
    # carries no plan, so a seeded closed case has nothing left to run.
    for case, _, _ in cases:
        if case.status in OPEN:
            continue
        assert {d.code for d in deadlines[case.pk] if d.met_at is None} == set()
        if case.status == S.ARCHIVED:
            assert {d.code for d in deadlines[case.pk]} >= {"hand_down", "sign", "resolve"}


def test_overdue_nodes_are_seeded_as_fired_so_the_first_sweep_fires_nothing(deadlines, db):
    every = [d for case_deadlines in deadlines.values() for d in case_deadlines]
    for deadline in every:
        # A paused clock is judged when it stopped; a met one is history, never swept.
        until = deadline.paused_at or NOW
        running = deadline.met_at is None
        assert deadline.warned_at == (
            deadline.warn_at if running and deadline.warn_at <= until else None
        )
        assert deadline.breached_at == (
            deadline.due_at if running and deadline.due_at <= until else None
        )
    assert sum(1 for d in every if d.breached_at) > 10  # the demo shows overdue cases
    assert any(d.met_at is None and d.warned_at is None for d in every)  # and some still to come
    assert not CaseEvent.objects.filter(action__in=[A.DEADLINE_WARNED, A.DEADLINE_BREACHED])
    assert sweep(NOW) == {"warned": 0, "breached": 0}


def test_id_numbers_and_phones_are_valid_and_stored_encrypted(seeded, db):
    parties = list(Party.objects.exclude(id_number=""))
    assert len(parties) > 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, id_number, phone FROM cases_party")
        stored = {pk: (number, phone) for pk, number, phone in cursor.fetchall()}
    for party in parties:
        assert id_number_problem(party.id_number) is None
        assert party.phone == "" or phone_problem(party.phone) is None
        assert party.id_number_hash == keyed_hash(party.id_number)
        raw_number, raw_phone = stored[party.pk]
        assert raw_number != party.id_number and party.id_number not in raw_number
        assert not party.phone or raw_phone != party.phone
    # Companies and committees are respondents without an ID number.
    assert Party.objects.filter(role="respondent", name__endswith="有限公司", id_number="").exists()


def test_tracking_codes_are_unique_and_live_intake_continues_after_them(seeded, db):
    codes = list(Case.objects.values_list("tracking_code", flat=True))
    assert len(codes) == len(set(codes))
    busiest = Counter(code[:8] for code in codes).most_common(1)[0][0]
    case = Case.objects.filter(tracking_code__startswith=busiest).first()
    assert next_tracking_code(case.received_at) not in codes


def test_coordinates_fall_inside_the_county(seeded, db):
    outline = county_outline("330604000000")
    placed = Case.objects.exclude(lat=None).values_list("lat", "lng")
    assert placed.count() == 400
    assert all(point_in_outline(lat, lng, outline) for lat, lng in placed)


def test_texts_read_like_registrations_of_their_category(cases):
    for case, _, _ in cases:
        assert case.title and case.description and "{" not in case.title + case.description
        assert case.address.startswith(f"上虞区{case.town.name}")
        assert case.division.level == "village" and case.division.parent_id == case.town_id
    local = [c for c, _, _ in cases if c.town.name in c.description]
    assert len(local) > len(cases) / 4  # real town and village names, not placeholders
    wages = [c for c, _, _ in cases if c.category and c.category.code == "labour-wage-arrears"]
    assert wages and all("工资" in c.description for c in wages)
    group = [c for c, _, _ in cases if c.people_count >= 5]
    assert group and all(f"群体性事项（{c.people_count}人）" in c.risk_reasons for c in group)
    levels = Counter(c.risk_level for c, _, _ in cases)
    assert levels["blue"] + levels["yellow"] > levels["orange"] + levels["red"] > 0


def test_the_same_seed_gives_the_same_cases_and_deadlines(db):
    def seed_and_read() -> tuple[list, list]:
        Case.objects.all().delete()  # whatever was seeded before (rolled back after the test)
        seed_cases(60, seed=3, now=NOW)
        cases = Case.objects.order_by("id").values_list("title", "status", "division")
        deadlines = Deadline.objects.order_by("case_id", "id").values_list(
            "case__title",
            "code",
            "task__organisation",
            "started_at",
            "due_at",
            "warn_at",
            "pauses",
            "paused_at",
            "met_at",
            "warned_at",
            "breached_at",
        )
        return list(cases), list(deadlines)

    first_cases, first_deadlines = seed_and_read()
    assert len(first_deadlines) > 60
    assert seed_and_read() == (first_cases, first_deadlines)


def test_a_large_seed_refreshes_the_planner_statistics(db, monkeypatch):
    analyzed: list[str] = []
    real_analyze = Table.analyze

    def spy(table):
        analyzed.append(table.table.strip('"'))
        real_analyze(table)  # the statement itself runs on this backend

    monkeypatch.setattr(Table, "analyze", spy)
    seed_cases(10, seed=5, now=NOW)
    assert analyzed == []
    monkeypatch.setattr(demo_cases, "ANALYZE_FROM", 10)
    seed_cases(10, seed=5, now=NOW)
    assert sorted(analyzed) == [
        "cases_case",
        "cases_caseevent",
        "cases_party",
        "cases_task",
        "deadlines_deadline",
    ]


def test_load_demo_seeds_an_empty_system_once(db, monkeypatch, capsys):
    monkeypatch.setattr(load_demo, "DEMO_CASES", 60)
    Case.objects.all().delete()
    call_command("load_demo")
    # 60 seeded cases and the court's 5 demo referrals, each a case of its own
    assert CourtReferral.objects.count() == 5
    assert Case.objects.count() == 65
    call_command("load_demo")
    assert Case.objects.count() == 65 and CourtReferral.objects.count() == 5
    assert "未生成演示事项" in capsys.readouterr().out
