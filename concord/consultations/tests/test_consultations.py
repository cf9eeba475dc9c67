"""3+X joint consultations: scheduling with the three roles and the departments, minutes with
decisions that become tasks of organisations, marking them done, the overdue sweep that tells
once, and the minutes as Word and PDF."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from docx import Document

from concord.cases.models import CaseEvent
from concord.cases.scope import visible_cases
from concord.cases.tests.factories import build_case, organisation
from concord.consultations import services
from concord.consultations.documents import minutes_document
from concord.consultations.models import Consultation, Decision, Participant
from concord.core.documents import to_docx, to_pdf
from concord.core.errors import Conflict, Forbidden, InvalidInput
from concord.core.testing import pdf_text
from concord.notifications.models import Notification

from .conftest import minutes_params

SH = ZoneInfo("Asia/Shanghai")
HRSS = "上虞区人力资源和社会保障局"


def held(consultation, persona, **overrides):
    return services.record_minutes(
        consultation, actor=persona("dispatcher"), **minutes_params(consultation, **overrides)
    )


# ---------------------------------------------------------------- scheduling


def test_scheduling_seats_the_three_and_the_departments(scheduled, persona, chief, lawyer):
    seats = {p.role: p for p in scheduled.participants.exclude(role="department")}
    assert seats["judge"].user == persona("court") and seats["judge"].organisation.code == "court"
    assert seats["chief_mediator"].mediator == chief and seats["lawyer"].mediator == lawyer
    departments = scheduled.participants.filter(role="department")
    assert [p.organisation.code for p in departments] == ["hrss", "union"]
    assert all(p.attended is None for p in scheduled.participants.all())


def test_scheduling_notifies_the_seated_and_lets_them_see_the_case(scheduled, persona):
    case = scheduled.case
    note = Notification.objects.get(user=persona("hrss"), case=case)
    assert "联合会商通知" in note.title and "研究欠薪群体事项的化解方案" in note.body
    assert Notification.objects.filter(user=persona("court"), case=case).exists()
    assert not Notification.objects.filter(user=persona("caoe"), case=case).exists()
    for who in ("hrss", "court"):
        assert visible_cases(persona(who)).filter(pk=case.pk).exists()


def test_scheduling_is_on_the_timeline(scheduled):
    event = CaseEvent.objects.get(case=scheduled.case, action="consultation")
    assert event.data == {
        "kind": "joint_consultation",
        "step": "scheduled",
        "consultation": scheduled.pk,
        "departments": [organisation("hrss").pk, organisation("union").pk],
    }
    assert "研究欠薪群体事项的化解方案" in event.comment and "钱明哲" in event.comment


def test_the_judge_may_be_a_name_and_the_lawyer_too(group_case, persona, seats):
    consultation = services.schedule(
        group_case,
        actor=persona("dispatcher"),
        **seats(judge_user=None, judge_name="李法官", lawyer=None, lawyer_name="王律师"),
    )
    judge = consultation.participants.get(role="judge")
    assert judge.name == "李法官" and judge.user is None and judge.organisation.code == "court"
    assert consultation.participants.get(role="lawyer").name == "王律师"


def test_the_lead_organisations_handler_may_organise(group_case, persona, seats):
    consultation = services.schedule(group_case, actor=persona("baiguan"), **seats())
    assert consultation.organiser_org.code == "town-330604001"


@pytest.mark.parametrize("who", ["clerk", "hrss", "court", "mediator", "leader"])
def test_others_may_not_organise(group_case, persona, seats, who):
    with pytest.raises(Forbidden):
        services.schedule(group_case, actor=persona(who), **seats())
    assert Consultation.objects.count() == 0


@pytest.mark.parametrize(
    ("missing", "field"),
    [
        ({"judge_user": None}, "judge_user"),
        ({"chief_mediator": None}, "chief_mediator"),
        ({"lawyer": None}, "lawyer"),
        ({"departments": []}, "departments"),
    ],
)
def test_a_3_plus_x_without_one_of_its_parts_is_refused(group_case, persona, seats, missing, field):
    with pytest.raises(InvalidInput) as caught:
        services.schedule(group_case, actor=persona("dispatcher"), **seats(**missing))
    assert field in caught.value.errors
    assert "须有" in caught.value.errors[field] or "至少" in caught.value.errors[field]
    assert Consultation.objects.count() == Participant.objects.count() == 0
    assert not Notification.objects.filter(title__contains="联合会商").exists()


def test_bad_scheduling_input_says_which_field_and_changes_nothing(
    group_case, persona, seats, chief
):
    past = timezone.now() - dt.timedelta(minutes=5)
    cases = [
        ({"scheduled_at": past}, "scheduled_at", "已过"),
        ({"scheduled_at": timezone.now() + dt.timedelta(days=400)}, "scheduled_at", "一年"),
        ({"scheduled_at": None}, "scheduled_at", "请填写"),
        ({"agenda": "   "}, "agenda", "请填写会商议题"),
        ({"agenda": "议" * 2001}, "agenda", "不能超过2000字"),
        ({"place": "", "online_link": ""}, "place", "线上会议链接"),
        ({"place": "", "online_link": "javascript:alert(1)"}, "online_link", "http"),
        ({"place": "地" * 201}, "place", "不能超过200字"),
        ({"departments": [999999]}, "departments", "999999"),
        ({"departments": [organisation("hrss").pk] * 2}, "departments", "重复"),
        ({"departments": [organisation("town-330604001").pk]}, "departments", "不能参加"),
        ({"departments": [organisation("court").pk]}, "departments", "已由法官参加"),
        ({"departments": ["hrss"]}, "departments", "编号"),
        ({"judge_user": persona("hrss").pk}, "judge_user", "不属于法院"),
        ({"judge_user": None, "judge_name": "法" * 101}, "judge_name", "不能超过100字"),
        ({"court": organisation("hrss").pk}, "court", "不是法院"),
        ({"chief_mediator": 999999}, "chief_mediator", "不存在"),
        ({"lawyer": chief.pk}, "lawyer", "不是执业律师"),
    ]
    for overrides, field, words in cases:
        with pytest.raises(InvalidInput) as caught:
            services.schedule(group_case, actor=persona("dispatcher"), **seats(**overrides))
        assert words in caught.value.errors.get(field, ""), (overrides, caught.value.errors)
    assert Consultation.objects.count() == 0
    assert not CaseEvent.objects.filter(action="consultation").exists()


def test_the_same_mediator_cannot_be_chief_and_lawyer(group_case, persona, seats, lawyer):
    with pytest.raises(InvalidInput) as caught:
        services.schedule(
            group_case, actor=persona("dispatcher"), **seats(chief_mediator=lawyer.pk)
        )
    assert "应为两人" in caught.value.errors["lawyer"]


def test_a_closed_case_gets_no_consultation(pool, persona, seats):
    case = build_case("archived", people_count=30)
    with pytest.raises(Conflict, match="已归档"):
        services.schedule(case, actor=persona("dispatcher"), **seats())


# ---------------------------------------------------------------- minutes and decisions


def test_minutes_make_decisions_into_tasks_with_due_dates(scheduled, persona):
    absent = scheduled.participants.get(role="department", organisation__code="union")
    came = [p.pk for p in scheduled.participants.exclude(pk=absent.pk)]
    consultation = held(scheduled, persona, attended=came)
    assert consultation.held_at and "人社局责令企业" in consultation.minutes
    absent.refresh_from_db()
    assert absent.attended is False
    assert scheduled.participants.filter(attended=True).count() == len(came)
    hrss, town = consultation.decisions.order_by("number")
    today = timezone.localdate()
    assert (hrss.organisation.code, hrss.due_date) == ("hrss", today + dt.timedelta(days=7))
    assert (town.organisation.code, town.due_date) == (
        "town-330604001",
        today + dt.timedelta(days=3),
    )
    assert hrss.case == scheduled.case and hrss.state == "open"
    note = Notification.objects.get(user=persona("hrss"), title__contains="会商议定事项")
    assert "责令企业于7日内支付拖欠工资" in note.body
    event = CaseEvent.objects.filter(case=scheduled.case, action="consultation").latest("pk")
    assert event.data["step"] == "minutes" and event.data["decisions"] == 2
    assert "核对30名工人的工资清单" in event.comment


def test_minutes_are_recorded_once(scheduled, persona):
    held(scheduled, persona)
    with pytest.raises(Conflict, match="已录入"):
        held(scheduled, persona)
    assert Decision.objects.count() == 2


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"minutes": ""}, "minutes", "请填写会商纪要"),
        ({"minutes": "纪" * 5001}, "minutes", "不能超过5000字"),
        ({"attended": []}, "attended", "请勾选"),
        ({"attended": [999999]}, "attended", "参会人员"),
        ({"decisions": [{"text": "支付工资", "organisation": None, "due_date": None}]}, None, ""),
        ({"decisions": [{"text": "", "due_date": dt.date(2099, 1, 1)}]}, "decisions[0].text", ""),
        ({"decisions": ["支付工资"]}, "decisions[0]", "格式"),
        ({"decisions": [{"text": "x"}] * 21}, "decisions", "最多20项"),
    ],
)
def test_bad_minutes_change_nothing(scheduled, persona, overrides, field, words):
    with pytest.raises(InvalidInput) as caught:
        held(scheduled, persona, **overrides)
    if field:
        assert words in caught.value.errors[field]
    scheduled.refresh_from_db()
    assert scheduled.held_at is None and scheduled.minutes == ""
    assert Decision.objects.count() == 0
    assert not scheduled.participants.exclude(attended=None).exists()


def test_a_decision_needs_its_organisation_and_due_date(scheduled, persona):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    rows = [
        {"text": "支付工资", "organisation": None, "due_date": None},
        {"text": "核对清单", "organisation": 999999, "due_date": yesterday},
        {"text": "回访", "organisation": organisation("hrss").pk, "due_date": "下周"},
        {"text": "做" * 2001, "organisation": organisation("hrss").pk, "due_date": yesterday},
    ]
    with pytest.raises(InvalidInput) as caught:
        held(scheduled, persona, decisions=rows)
    errors = caught.value.errors
    assert errors["decisions[0].organisation"] == "请选择第1项议定事项的责任单位"
    assert errors["decisions[0].due_date"] == "请填写第1项议定事项的完成时限"
    assert "不存在" in errors["decisions[1].organisation"]
    assert "已过" in errors["decisions[1].due_date"]
    assert "应为日期" in errors["decisions[2].due_date"]
    assert "不能超过2000字" in errors["decisions[3].text"]
    assert Decision.objects.count() == 0


def test_a_meeting_cannot_be_held_in_the_future_or_before_it_was_called(scheduled, persona):
    for moment, words in [
        (timezone.now() + dt.timedelta(hours=1), "将来"),
        (scheduled.created_at - dt.timedelta(days=1), "不能早于"),
    ]:
        with pytest.raises(InvalidInput) as caught:
            held(scheduled, persona, held_at=moment)
        assert words in caught.value.errors["held_at"]


@pytest.mark.parametrize("who", ["hrss", "court", "clerk"])
def test_only_organisers_record_minutes(scheduled, persona, who):
    with pytest.raises(Forbidden):
        services.record_minutes(scheduled, actor=persona(who), **minutes_params(scheduled))
    assert Decision.objects.count() == 0


def test_the_responsible_organisation_marks_its_decision_done(scheduled, persona):
    held(scheduled, persona)
    decision = Decision.objects.get(organisation__code="hrss")
    for who in ("court", "dispatcher", "baiguan"):
        with pytest.raises(Forbidden, match="责任单位"):
            services.mark_done(decision, actor=persona(who), note="已支付")
    with pytest.raises(InvalidInput):
        services.mark_done(decision, actor=persona("hrss"), note="  ")
    done = services.mark_done(decision, actor=persona("hrss"), note="企业已支付全部工资")
    assert done.done_at and done.done_by == persona("hrss") and done.state == "done"
    assert Notification.objects.filter(
        user=persona("dispatcher"), title__contains="已完成：上虞区人力资源和社会保障局"
    ).exists()
    with pytest.raises(Conflict, match="已办结"):
        services.mark_done(decision, actor=persona("hrss"), note="再次")


# ---------------------------------------------------------------- the overdue sweep

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=SH)


def test_an_overdue_decision_is_flagged_and_told_once(group_case, persona, seats):
    with time_machine.travel(T0, tick=False):
        consultation = services.schedule(
            group_case,
            actor=persona("dispatcher"),
            **seats(scheduled_at=T0 + dt.timedelta(hours=2)),
        )
    with time_machine.travel(T0 + dt.timedelta(hours=4), tick=False):
        held(consultation, persona)
        done = Decision.objects.get(organisation__code="town-330604001")
        services.mark_done(done, actor=persona("baiguan"), note="清单已核对")
    hrss = Decision.objects.get(organisation__code="hrss")
    assert hrss.due_date == dt.date(2026, 12, 8)
    with time_machine.travel(dt.datetime(2026, 12, 8, 23, 59, tzinfo=SH), tick=False):
        assert services.sweep_overdue_decisions() == 0  # due by the end of its day
    late = dt.datetime(2026, 12, 9, 0, 5, tzinfo=SH)
    with time_machine.travel(late, tick=False):
        assert services.sweep_overdue_decisions() == 1
        assert services.sweep_overdue_decisions() == 0
        hrss.refresh_from_db()
        assert hrss.state == "overdue" and hrss.overdue_notified_at == late
    with time_machine.travel(late + dt.timedelta(days=3), tick=False):
        assert services.sweep_overdue_decisions() == 0
    told = Notification.objects.filter(title__contains="会商议定事项逾期")
    assert told.filter(user=persona("hrss")).count() == 1
    assert told.filter(user=persona("dispatcher")).count() == 1  # the county center
    assert told.filter(kind="deadline_breached").count() == told.count()
    assert not told.filter(user=persona("baiguan")).exists()  # its decision was done


# ---------------------------------------------------------------- the minutes document


def _docx_text(document) -> str:
    word = Document(io.BytesIO(to_docx(document)))
    cells = [c.text for t in word.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in word.paragraphs] + cells)


def test_the_minutes_document_holds_the_decisions(scheduled, persona):
    absent = scheduled.participants.get(organisation__code="union")
    came = [p.pk for p in scheduled.participants.exclude(pk=absent.pk)]
    document = minutes_document(held(scheduled, persona, attended=came))
    text = _docx_text(document)
    assert "联合会商纪要" in text and scheduled.case.tracking_code in text
    assert "1. 责令企业于7日内支付拖欠工资（责任单位：上虞区人力资源和社会保障局" in text
    assert "核对30名工人的工资清单" in text and "百官街道矛调中心" in text
    assert "钱明哲" in text and "上虞区总工会（未到会）" in text


def test_the_minutes_pdf_holds_the_decisions(scheduled, persona):
    text = pdf_text(to_pdf(minutes_document(held(scheduled, persona))))
    assert "联合会商纪要" in text
    assert "责令企业于7日内支付拖欠工资" in text


def test_a_meeting_not_yet_held_has_no_minutes(scheduled):
    with pytest.raises(Conflict, match="尚未召开"):
        minutes_document(scheduled)
