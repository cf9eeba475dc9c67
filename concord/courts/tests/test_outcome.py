"""What the court hears back: the mediation's end moves the referral and answers the court
(COURT_RETURNED, notification); a failure is returned for priority filing with the record."""

import pytest

from concord.cases.choices import Action
from concord.core.errors import Conflict, Forbidden, InvalidInput
from concord.core.testing import pdf_text
from concord.courts.choices import ReferralStatus
from concord.courts.models import CourtReferral
from concord.courts.outcomes import record_result
from concord.deadlines.models import Deadline
from concord.mediation.defaults import load_defaults as load_mediation_defaults
from concord.mediation.models import Mediator, Room
from concord.mediation.services import finish_mediation, schedule_session, start_mediation
from concord.mediation.tests.conftest import at
from concord.notifications.models import Notification

from .conftest import number

RECORD = "原告称电梯停运半年；被告同意检修并减免部分物业费，但双方就欠费金额分歧较大。"


@pytest.fixture
def mediated(referral, persona):
    """The dispatcher starts a mediation with a property mediator and books a session."""
    load_mediation_defaults()
    mediator = Mediator.objects.filter(organisation__code="property-mediation").first()
    mediation = start_mediation(referral.case, actor=persona("dispatcher"), mediators=[mediator])
    session = schedule_session(
        mediation,
        actor=persona("dispatcher"),
        starts_at=at(hour=9),
        ends_at=at(hour=11),
        room=Room.objects.get(organisation__code="county-center", name="第一调解室"),
        attendees="原告代理人1人，被告本人",
    )
    # The mediation app keeps the record of a session; it has no page to write it yet.
    session.record = RECORD
    session.save(update_fields=["record"])
    return mediation


def _returned(referral):
    return referral.case.events.get(action=Action.COURT_RETURNED)


def test_a_failed_mediation_returns_the_case_for_priority_filing(mediated, referral, persona):
    finish_mediation(
        mediated, actor=persona("dispatcher"), outcome="failed", note="双方分歧较大，调解终结。"
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.FAILED
    assert referral.priority_filing is True
    assert referral.result_at is not None and referral.note == "双方分歧较大，调解终结。"
    event = _returned(referral)
    assert event.data == {"referral": referral.pk, "outcome": "failed", "priority_filing": True}
    assert "建议优先立案" in event.comment and event.actor.username == "dispatcher"
    # COURT_RETURNED stopped the 30-day clock.
    assert Deadline.objects.get(case=referral.case, code="court_mediation").met_at is not None
    notice = Notification.objects.get(user=persona("court"), case=referral.case)
    assert number() in notice.title and "优先立案" in notice.title
    assert not Notification.objects.filter(user=persona("hrss"), case=referral.case).exists()


def test_success_and_withdrawal_answer_the_court_without_priority_filing(
    mediated, referral, persona
):
    finish_mediation(mediated, actor=persona("dispatcher"), outcome="succeeded", note="达成协议")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SUCCEEDED and not referral.priority_filing
    assert _returned(referral).data["outcome"] == "succeeded"
    assert Notification.objects.filter(user=persona("court"), case=referral.case).count() == 1
    # A second mediation ending later does not answer the court twice.
    mediators = list(mediated.mediators.all())
    again = start_mediation(referral.case, actor=persona("dispatcher"), mediators=mediators)
    finish_mediation(again, actor=persona("dispatcher"), outcome="withdrawn", note="撤回")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SUCCEEDED
    assert referral.case.events.filter(action=Action.COURT_RETURNED).count() == 1


def test_the_center_records_a_failure_by_hand_once_no_mediation_is_open(
    mediated, referral, persona
):
    dispatcher = persona("dispatcher")
    with pytest.raises(Conflict, match="进行中的调解"):
        record_result(referral, actor=dispatcher, outcome="failed", note="期限届满")
    finish_mediation(mediated, actor=dispatcher, outcome="withdrawn", note="原告撤回调解申请")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WITHDRAWN and not referral.priority_filing
    with pytest.raises(Conflict, match="已有结果"):
        record_result(referral, actor=dispatcher, outcome="failed", note="期限届满")


def test_manual_results_are_checked(referral, persona):
    with pytest.raises(Forbidden):
        record_result(referral, actor=persona("court"), outcome="failed", note="x")
    with pytest.raises(Forbidden):
        record_result(referral, actor=persona("hrss"), outcome="failed", note="x")
    with pytest.raises(InvalidInput) as bad:
        record_result(referral, actor=persona("dispatcher"), outcome="succeeded", note="")
    assert set(bad.value.errors) == {"outcome", "note"}
    referral.refresh_from_db()
    assert referral.is_open and not referral.case.events.filter(action=Action.COURT_RETURNED)


def test_the_result_api_returns_the_case_to_the_court(referral, api, persona):
    url = f"/court-referrals/{referral.pk}/result"
    assert api("court").post(url, {"outcome": "failed", "note": "x"}).status_code == 403
    assert api("caoe").post(url, {"outcome": "failed", "note": "x"}).status_code == 404
    assert api("clerk").post(url, {"outcome": "lost", "note": "x"}).status_code == 422
    response = api("clerk").post(url, {"outcome": "failed", "note": "30日期满，被告未到场。"})
    assert response.status_code == 200, response.json()
    out = response.json()
    assert out["status"] == "failed" and out["priority_filing"] is True
    assert out["outcome_note"] == "30日期满，被告未到场。" and out["result_at"]
    assert api("clerk").post(url, {"outcome": "withdrawn", "note": "x"}).status_code == 409
    assert Notification.objects.filter(user=persona("court"), case=referral.case).exists()


def test_the_lead_organisation_returns_a_lapsed_referral_through_the_card(referral, web):
    url = f"/courts/{referral.pk}/result"
    prefix = f"result-{referral.pk}"
    client = web("dispatcher")
    missing = client.post(url, {f"{prefix}-outcome": "failed"}, headers={"HX-Request": "true"})
    assert missing.status_code == 422 and "请填写结果说明" in missing.content.decode()
    response = client.post(url, {f"{prefix}-outcome": "failed", f"{prefix}-note": "期满未达成协议"})
    assert response.status_code == 302
    page = web("court").get(f"/cases/{referral.case_id}/").content.decode()
    assert 'id="priority-filing"' in page and "调解不成" in page


def test_the_record_pdf_holds_the_sessions_and_the_outcome(
    mediated, referral, persona, api, web, tmp_path
):
    finish_mediation(mediated, actor=persona("dispatcher"), outcome="failed", note="调解终结。")
    response = api("court").get(f"/court-referrals/{referral.pk}/record.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "调解终结书" in text
    assert "".join(number().split()) in text
    assert "上虞某物业服务有限公司" in text and "王建国" in text
    assert "".join(RECORD.split()) in text
    assert "第一调解室" in text and "原告代理人1人" in text
    assert "建议优先立案" in text
    page = web("dispatcher").get(f"/courts/{referral.pk}/record.pdf")
    assert page.status_code == 200 and page.content.startswith(b"%PDF")
    assert CourtReferral.objects.get().status == ReferralStatus.FAILED
