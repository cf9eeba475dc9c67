"""Clocks of the mediation chain on the frozen 2026 calendar: the 30-day judicial-confirmation
window (人民调解法 art. 33, counted by 民事诉讼法 art. 85), the court's 30-day review, and the
30 working days of a medical mediation."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from concord.cases.models import CaseEvent
from concord.cases.tests.factories import build_case, organisation
from concord.core.errors import Conflict
from concord.deadlines.models import Deadline, Supervision
from concord.deadlines.sweep import sweep
from concord.mediation.agreements import create_agreement
from concord.mediation.confirmation import apply_for_confirmation, window_due
from concord.mediation.models import Confirmation
from concord.mediation.services import finish_mediation, start_mediation
from concord.notifications.models import Notification

from .conftest import draft, sign

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


def effective_on(moment: dt.datetime, dispatcher, mediator):
    """A medical dispute at 百官街道 mediated to success, its agreement signed at `moment`."""
    with time_machine.travel(moment, tick=False):
        case = build_case("in_progress", category="medical-malpractice")
        mediation = start_mediation(case, actor=dispatcher, mediators=[mediator])
        finish_mediation(mediation, actor=dispatcher, outcome="succeeded", note="达成协议")
        agreement = create_agreement(mediation, actor=dispatcher, draft=draft(case))
        return sign(agreement, dispatcher)


def apply_on(agreement, dispatcher, day: dt.date, today: dt.datetime | None = None):
    with time_machine.travel(today or at(day.year, day.month, day.day, 10, 0), tick=False):
        return apply_for_confirmation(agreement, actor=dispatcher, applied_on=day, joint=True)


@pytest.fixture
def dispatcher(persona):
    return persona("dispatcher")


@pytest.fixture
def national_day(pool, dispatcher, medics):
    """Signed on 1 September 2026: day 30 is 1 October, the first day of National Day."""
    return effective_on(at(2026, 9, 1, 10, 0), dispatcher, medics[0])


def window_of(agreement) -> Deadline:
    return Deadline.objects.get(case=agreement.mediation.case, code="judicial_window")


def test_the_window_warns_five_days_ahead_and_ends_after_the_holiday(national_day):
    window = window_of(national_day)
    # Day 30 falls in the National Day holiday (1–7 October): the period ends on the first
    # working day after it (民事诉讼法 art. 85).
    assert window.due_at == at(2026, 10, 8, 23, 59, 59)
    assert window.warn_at == at(2026, 10, 3, 23, 59, 59)
    assert window_due(national_day) == window.due_at
    sweep(at(2026, 10, 3, 23, 0))
    window.refresh_from_db()
    assert window.warned_at is None
    sweep(at(2026, 10, 4, 0, 0))
    window.refresh_from_db()
    assert window.warned_at == at(2026, 10, 4, 0, 0)
    warned = Notification.objects.get(user__username="baiguan", kind="deadline_warned")
    assert "司法确认申请期限" in warned.title and "2026-10-08" in warned.title
    sweep(at(2026, 10, 8, 23, 0))
    window.refresh_from_db()
    assert window.breached_at is None
    sweep(at(2026, 10, 9, 0, 0))
    window.refresh_from_db()
    assert window.breached_at == at(2026, 10, 9, 0, 0)
    # Whether to apply is the parties' choice: the lapse is told, never supervised (督办).
    assert not Supervision.objects.filter(deadline=window).exists()
    assert not CaseEvent.objects.filter(
        case=national_day.mediation.case, action="supervise", data__node="judicial_window"
    ).exists()
    lapsed = Notification.objects.filter(user__username="baiguan", kind="deadline_breached")
    assert [n.title for n in lapsed if "司法确认申请期限" in n.title]


def test_an_application_the_day_after_the_window_is_refused_and_changes_nothing(
    national_day, dispatcher, api
):
    with pytest.raises(Conflict) as refused:
        apply_on(national_day, dispatcher, dt.date(2026, 10, 9))
    assert "已超过司法确认申请期限" in refused.value.message
    assert "2026-10-08 23:59" in refused.value.message
    with time_machine.travel(at(2026, 10, 9, 10, 0), tick=False):
        response = api("dispatcher").post(
            f"/agreements/{national_day.pk}/confirmation",
            {"applied_on": "2026-10-09", "joint": True},
        )
    assert response.status_code == 409 and "已超过" in response.json()["detail"]
    assert not Confirmation.objects.exists()
    assert not CaseEvent.objects.filter(action="confirm_apply").exists()
    assert not Deadline.objects.filter(code="confirmation_review").exists()
    assert window_of(national_day).met_at is None


def test_the_moved_last_day_still_accepts_and_starts_the_review(national_day, dispatcher):
    confirmation = apply_on(national_day, dispatcher, dt.date(2026, 10, 8))
    assert confirmation.court.code == "court" and confirmation.joint
    window = window_of(national_day)
    assert window.met_at == at(2026, 10, 8, 10, 0)
    review = Deadline.objects.get(code="confirmation_review")
    # 30 days from 8 October end on Saturday 7 November: moved to Monday the 9th.
    assert review.started_at == at(2026, 10, 8, 10, 0)
    assert review.due_at == at(2026, 11, 9, 23, 59, 59)
    event = CaseEvent.objects.get(action="confirm_apply")
    assert "上虞区人民法院" in event.comment and event.data["confirmation"] == confirmation.pk
    assert Notification.objects.filter(user__username="court", kind="other").exists()


def test_day_thirty_is_accepted_and_day_thirty_one_is_not(pool, dispatcher, medics):
    agreement = effective_on(at(2026, 11, 2, 10, 0), dispatcher, medics[0])
    assert window_of(agreement).due_at == at(2026, 12, 2, 23, 59, 59)  # a Wednesday
    with pytest.raises(Conflict, match="已超过司法确认申请期限"):
        apply_on(agreement, dispatcher, dt.date(2026, 12, 3))
    assert not Confirmation.objects.exists()
    # Entered a day late, the parties' application of day 30 counts.
    confirmation = apply_on(agreement, dispatcher, dt.date(2026, 12, 2), today=at(2026, 12, 3, 9))
    assert confirmation.applied_on == dt.date(2026, 12, 2)
    assert window_of(agreement).met_at == at(2026, 12, 2, 23, 59, 59)


def test_without_a_deadline_row_the_window_is_computed_the_same_way(national_day):
    expected = window_of(national_day).due_at
    Deadline.objects.filter(code="judicial_window").delete()
    assert window_due(national_day) == expected


def test_an_application_needs_both_parties_a_court_and_a_date(national_day, api):
    client = api("dispatcher")
    url = f"/agreements/{national_day.pk}/confirmation"
    with time_machine.travel(at(2026, 9, 10, 10, 0), tick=False):
        alone = client.post(url, {"applied_on": "2026-09-10", "joint": False})
        assert alone.status_code == 422 and "共同申请" in alone.json()["errors"]["joint"]
        early = client.post(url, {"applied_on": "2026-08-31", "joint": True})
        assert "不能早于调解协议生效日期" in early.json()["errors"]["applied_on"]
        ahead = client.post(url, {"applied_on": "2026-09-11", "joint": True})
        assert "不能晚于今天" in ahead.json()["errors"]["applied_on"]
        department = organisation("hrss").pk  # not a court
        hrss = client.post(url, {"applied_on": "2026-09-10", "joint": True, "court": department})
        assert hrss.status_code == 422 and "人民法院" in hrss.json()["errors"]["court"]
        unknown = client.post(url, {"applied_on": "2026-09-10", "joint": True, "court": 999999})
        assert unknown.status_code == 422
    assert not Confirmation.objects.exists()


def test_an_agreement_not_yet_in_effect_cannot_be_applied_for(agreement, persona):
    with pytest.raises(Conflict, match="尚未生效"):
        apply_for_confirmation(
            agreement, actor=persona("dispatcher"), applied_on=dt.date.today(), joint=True
        )


def test_a_medical_mediation_runs_thirty_working_days(pool, dispatcher, medics):
    with time_machine.travel(at(2026, 9, 14, 10, 0), tick=False):  # a Monday
        case = build_case("in_progress", category="medical-malpractice")
        mediation = start_mediation(case, actor=dispatcher, mediators=[medics[0]])
    deadline = Deadline.objects.get(case=case, code="medical_mediation")
    assert (deadline.unit, deadline.amount) == ("working_days", 30)
    # Counted: the make-up working days Sunday 20 September and Saturday 10 October (调休);
    # not counted: Mid-Autumn (25–27 September) and National Day (1–7 October).
    assert deadline.due_at == at(2026, 10, 30, 17, 30)
    with time_machine.travel(at(2026, 10, 20, 10, 0), tick=False):
        finish_mediation(mediation, actor=dispatcher, outcome="failed", note="期满前调解不成")
    deadline.refresh_from_db()
    assert deadline.met_at == at(2026, 10, 20, 10, 0)


def test_a_mediation_of_another_kind_has_no_medical_clock(pool, dispatcher, medics):
    case = build_case("in_progress", category="property-fees")
    start_mediation(case, actor=dispatcher, mediators=[medics[0]])
    assert not Deadline.objects.filter(case=case, code="medical_mediation").exists()
