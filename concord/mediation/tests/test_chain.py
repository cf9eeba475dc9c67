"""After the agreement: the court's ruling on the confirmation, the chain 纠纷调处 → 司法确认 →
诉讼引调 → 诉讼 and where a case stands on it, and sending a case to court with legal aid."""

import pytest
from django.utils import timezone

from concord.accounts.models import Role, User
from concord.cases.models import CaseEvent
from concord.cases.scope import visible_cases
from concord.cases.tests.factories import build_case, organisation
from concord.core.errors import Conflict, Forbidden
from concord.deadlines.models import Deadline
from concord.mediation.chain import case_chain, refer_to_court
from concord.mediation.confirmation import apply_for_confirmation, record_ruling
from concord.mediation.defaults import load_demo_agreements
from concord.mediation.models import Agreement, Confirmation, LitigationReferral
from concord.mediation.services import finish_mediation, start_mediation
from concord.notifications.models import Notification

from .conftest import sign

TODAY = timezone.localdate


@pytest.fixture
def applied(agreement, persona):
    """The agreement signed today and its confirmation applied for today."""
    dispatcher = persona("dispatcher")
    sign(agreement, dispatcher)
    return apply_for_confirmation(agreement, actor=dispatcher, applied_on=TODAY(), joint=True)


def states(case) -> dict[str, str]:
    return {step.code: step.state for step in case_chain(case).steps}


def test_the_court_sees_the_case_it_is_asked_to_confirm_and_rules(applied, api, persona):
    case = applied.agreement.mediation.case
    assert visible_cases(persona("court")).filter(pk=case.pk).exists()
    body = {"ruling": "valid", "ruled_on": TODAY().isoformat(), "number": "（2026）浙0604民特12号"}
    response = api("court").post(f"/confirmations/{applied.pk}/ruling", body)
    assert response.status_code == 200, response.json()
    assert response.json()["ruling"] == "valid"
    event = CaseEvent.objects.get(case=case, action="confirm_ruling")
    assert "裁定调解协议有效" in event.comment and "浙0604民特12号" in event.comment
    assert Deadline.objects.get(case=case, code="confirmation_review").met_at is not None
    assert Notification.objects.filter(
        user__username="baiguan", title__contains="司法确认"
    ).exists()
    again = api("court").post(f"/confirmations/{applied.pk}/ruling", body)
    assert again.status_code == 409
    assert states(case) == {
        "mediation": "done",
        "confirmation": "current",
        "guided": "todo",
        "litigation": "todo",
    }


@pytest.mark.parametrize("who, status", [("baiguan", 403), ("clerk", 403), ("mediator", 404)])
def test_only_the_court_or_a_dispatcher_records_the_ruling(applied, api, who, status):
    body = {"ruling": "valid", "ruled_on": TODAY().isoformat()}
    response = api(who).post(f"/confirmations/{applied.pk}/ruling", body)
    # The lead organisation and the clerk see the case but may not rule; the medical
    # committee's mediator does not see it at all.
    assert response.status_code == status
    if status == 403:
        assert "人民法院或调度员" in response.json()["detail"]
    applied.refresh_from_db()
    assert applied.ruling == "" and not CaseEvent.objects.filter(action="confirm_ruling").exists()


def test_a_court_not_applied_to_may_not_rule(applied, persona):
    other = organisation("court")
    other.pk, other.code, other.name = None, "court-2", "另一法院"
    other.save()
    judge = User.objects.create(username="judge2", role=Role.HANDLER, organisation=other)
    with pytest.raises(Forbidden):
        record_ruling(applied, actor=judge, ruling="valid", ruled_on=TODAY())


@pytest.mark.parametrize(
    "body, field, message",
    [
        ({"ruling": "maybe"}, "ruling", "请选择裁定结果"),
        ({"ruling": "rejected"}, "note", "请填写驳回申请的理由"),
        ({"ruling": "valid", "ruled_on": None}, "ruled_on", "请填写裁定日期"),
        ({"ruling": "valid", "ruled_on": "2000-01-01"}, "ruled_on", "不能早于申请日期"),
        ({"ruling": "valid", "number": "号" * 65}, "number", "不能超过64字"),
        ({"ruling": "rejected", "note": "理" * 2001}, "note", "不能超过2000字"),
    ],
    ids=["bad-ruling", "rejected-without-reason", "no-date", "before-applying", "long-no", "long"],
)
def test_bad_rulings_are_refused(applied, api, body, field, message):
    body = {"ruled_on": TODAY().isoformat(), **body}
    response = api("dispatcher").post(f"/confirmations/{applied.pk}/ruling", body)
    assert response.status_code == 422
    assert message in response.json()["errors"][field]
    applied.refresh_from_db()
    assert applied.ruling == ""


def test_a_rejected_confirmation_allows_mediating_again_or_going_to_court(applied, persona, medics):
    dispatcher = persona("dispatcher")
    case = applied.agreement.mediation.case
    record_ruling(
        applied, actor=dispatcher, ruling="rejected", ruled_on=TODAY(), note="协议内容不明确"
    )
    assert states(case)["confirmation"] == "current"
    assert case_chain(case).basis == applied.agreement.mediation
    again = start_mediation(case, actor=dispatcher, mediators=[medics[1]])
    assert again.is_open and states(case)["mediation"] == "current"
    with pytest.raises(Conflict, match="只有调解不成或司法确认被裁定驳回后"):
        refer_to_court(case, actor=dispatcher, route="litigation")
    finish_mediation(again, actor=dispatcher, outcome="failed", note="再次调解不成")
    referral = refer_to_court(case, actor=dispatcher, route="guided", note="建议诉前调解")
    assert referral.court.code == "court"
    assert states(case) == {
        "mediation": "done",
        "confirmation": "skipped",  # the mediation now behind the case produced no agreement
        "guided": "current",
        "litigation": "todo",
    }


def test_going_to_court_after_a_rejection(applied, persona):
    dispatcher = persona("dispatcher")
    case = applied.agreement.mediation.case
    record_ruling(
        applied, actor=dispatcher, ruling="rejected", ruled_on=TODAY(), note="违反公序良俗"
    )
    refer_to_court(case, actor=dispatcher, route="litigation")
    assert states(case) == {
        "mediation": "done",
        "confirmation": "done",
        "guided": "skipped",
        "litigation": "current",
    }
    with pytest.raises(Conflict, match="已进入诉讼"):
        refer_to_court(case, actor=dispatcher, route="guided")
    with pytest.raises(Conflict, match="已引导至诉讼"):
        refer_to_court(case, actor=dispatcher, route="litigation")


def test_the_chain_follows_the_agreement(agreement, persona):
    case = agreement.mediation.case
    assert states(case)["mediation"] == "current"
    sign(agreement, persona("dispatcher"))
    chain = case_chain(case)
    assert chain.current == "confirmation" and chain.basis is None
    assert chain.steps[1].note.startswith("可申请至")


@pytest.fixture
def failed(medical_case, persona, medics):
    dispatcher = persona("dispatcher")
    mediation = start_mediation(medical_case, actor=dispatcher, mediators=[medics[0]])
    return finish_mediation(mediation, actor=dispatcher, outcome="failed", note="双方分歧过大")


@pytest.fixture
def aid_worker(county):
    return User.objects.create(
        username="aid", role=Role.HANDLER, organisation=organisation("justice"), full_name="法援"
    )


def test_a_failed_mediation_goes_to_court_with_legal_aid(failed, api, aid_worker):
    case = failed.case
    body = {
        "route": "litigation",
        "note": "告知当事人可向法院起诉",
        "legal_aid": True,
        "aid_reasons": ["hardship", "elderly"],
    }
    response = api("baiguan").post(f"/cases/{case.pk}/litigation", body)
    assert response.status_code == 201, response.json()
    referral = response.json()
    assert referral["route"] == "litigation" and referral["aid_org"] == organisation("justice").pk
    events = {e.action: e for e in CaseEvent.objects.filter(case=case)}
    assert "调解不成，引导至诉讼（上虞区人民法院）" in events["litigation"].comment
    assert "经济困难、老年人" in events["legal_aid"].comment
    notice = Notification.objects.get(user=aid_worker)
    assert "法律援助转介" in notice.title and notice.case_id == case.pk
    assert visible_cases(aid_worker).filter(pk=case.pk).exists()
    assert api("court").get(f"/cases/{case.pk}/chain").json()["current"] == "litigation"
    listed = api("baiguan").get(f"/cases/{case.pk}/litigation").json()
    assert [r["id"] for r in listed] == [referral["id"]]


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"route": "arbitration"}, "route", "请选择去向"),
        ({"legal_aid": True}, "aid_reasons", "请选择法律援助事由"),
        ({"legal_aid": True, "aid_reasons": ["rich"]}, "aid_reasons", "不在可选范围内"),
        ({"legal_aid": True, "aid_reasons": ["other"]}, "aid_note", "请填写法律援助说明"),
        ({"note": "说" * 2001}, "note", "不能超过2000字"),
        ({"court": "hrss"}, "court", "请选择人民法院"),
    ],
    ids=["bad-route", "no-reason", "bad-reason", "other-without-note", "long-note", "not-a-court"],
)
def test_bad_referrals_are_refused_and_nothing_changes(failed, api, changes, field, message):
    body = {"route": "guided", **changes}
    if body.get("court") == "hrss":
        body["court"] = organisation("hrss").pk
    response = api("dispatcher").post(f"/cases/{failed.case_id}/litigation", body)
    assert response.status_code == 422
    assert message in response.json()["errors"][field]
    assert not LitigationReferral.objects.exists()
    assert not CaseEvent.objects.filter(action__in=["litigation", "legal_aid"]).exists()


def test_a_case_mediated_to_success_or_not_mediated_is_not_sent_to_court(
    medical_case, succeeded, api
):
    response = api("dispatcher").post(f"/cases/{medical_case.pk}/litigation", {"route": "guided"})
    assert response.status_code == 409 and "调解不成" in response.json()["detail"]
    assert api("caoe").post(f"/cases/{medical_case.pk}/litigation", {}).status_code == 404
    assert not LitigationReferral.objects.exists()


def test_a_clerk_may_not_send_a_case_to_court(failed, api):
    response = api("clerk").post(f"/cases/{failed.case_id}/litigation", {"route": "guided"})
    assert response.status_code == 403
    assert not LitigationReferral.objects.exists()


# ---------------------------------------------------------------- on the case page


def test_the_case_page_shows_the_stepper_and_the_litigation_form(failed, web):
    client = web("baiguan")
    html = client.get(f"/cases/{failed.case_id}/").content.decode()
    assert 'id="chain"' in html and 'data-current="mediation"' in html
    assert 'aria-current="step"' in html and "引导诉讼引调或诉讼" in html
    prefix = f"litigation-{failed.case_id}"
    url = f"/mediation/cases/{failed.case_id}/litigation"
    court = organisation("court").pk
    refused = client.post(
        url,
        {f"{prefix}-route": "guided", f"{prefix}-court": court, f"{prefix}-legal_aid": "on"},
        headers={"HX-Request": "true"},
    )
    assert refused.status_code == 422 and "请选择法律援助事由" in refused.content.decode()
    fields = {
        f"{prefix}-route": "guided",
        f"{prefix}-court": court,
        f"{prefix}-legal_aid": "on",
        f"{prefix}-aid_reasons": ["migrant_wages"],
    }
    done = client.post(url, fields, follow=True).content.decode()
    assert "已引导至诉讼引调（上虞区人民法院），并转介上虞区司法局法律援助" in done
    assert 'data-current="guided"' in done and "农民工追索劳动报酬" in done


def test_the_ruling_form_shows_for_the_court_and_records_the_ruling(applied, web):
    case = applied.agreement.mediation.case
    court = web("court")
    html = court.get(f"/cases/{case.pk}/").content.decode()
    assert "登记法院裁定" in html and "法院审查中" in html
    prefix = f"ruling-{applied.pk}"
    fields = {f"{prefix}-ruling": "valid", f"{prefix}-ruled_on": TODAY().isoformat()}
    done = court.post(f"/mediation/confirmations/{applied.pk}/ruling", fields, follow=True)
    assert "已登记司法确认裁定：裁定调解协议有效" in done.content.decode()
    assert "登记法院裁定" not in web("baiguan").get(f"/cases/{case.pk}/").content.decode()


def test_the_confirmation_form_shows_the_window_and_days_left(agreement, web, persona):
    sign(agreement, persona("dispatcher"))
    html = web("baiguan").get(f"/cases/{agreement.mediation.case_id}/").content.decode()
    due = Deadline.objects.get(code="judicial_window").due_at
    assert f"至 {timezone.localtime(due):%Y-%m-%d}" in html and "还剩" in html
    assert "申请司法确认" in html
    days = (timezone.localdate(due) - TODAY()).days
    assert days >= 30 and f"还剩 {days} 天" in html


def test_the_demo_gets_agreements_in_three_states(pool):
    for category in ("property-fees", "neighbour-noise", "family-marriage"):
        build_case("in_progress", category=category)
    assert load_demo_agreements() == 3
    assert Agreement.objects.filter(effective_at__isnull=True).count() == 1
    assert Agreement.objects.filter(effective_at__isnull=False).count() == 2
    assert Confirmation.objects.count() == 1
    assert load_demo_agreements() == 0


def test_a_new_mediation_is_offered_only_while_the_dispute_is_unsettled(applied, web, persona):
    case = applied.agreement.mediation.case
    client = web("dispatcher")
    assert 'id="start-mediation"' not in client.get(f"/cases/{case.pk}/").content.decode()
    record_ruling(
        applied, actor=persona("dispatcher"), ruling="rejected", ruled_on=TODAY(), note="内容不明"
    )
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="start-mediation"' in html and 'id="litigation"' in html
    refer_to_court(case, actor=persona("dispatcher"), route="litigation")
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="start-mediation"' not in html and 'data-current="litigation"' in html
    assert 'id="litigation"' not in html  # litigation is the end of the chain
