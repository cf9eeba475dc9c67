"""The mediation agreement: what 人民调解法 art. 29 asks it to state, its Word and PDF document,
taking effect (which opens the judicial-confirmation window), the signed scan, and the refusals
that leave everything as it was."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from concord.audit.models import AuditEntry
from concord.cases.models import CaseEvent, Party
from concord.cases.tests.factories import build_case
from concord.core.errors import Conflict, InvalidInput
from concord.core.limits import COMMENT_MAX, DESCRIPTION_MAX
from concord.core.testing import pdf_text, word_text
from concord.deadlines.models import Deadline
from concord.mediation.agreements import attach_scan, create_agreement, record_effect
from concord.mediation.models import Agreement
from concord.mediation.services import finish_mediation, start_mediation

from .conftest import DISPUTES, FACTS, METHOD, RESPONSIBILITY, TERMS, draft, sign

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def squeeze(text: str) -> str:
    return "".join(text.split())


def test_an_agreement_states_what_article_29_asks(agreement, succeeded):
    case = succeeded.case
    assert agreement.kind == "written" and not agreement.is_effective
    assert set(agreement.parties.all()) == set(case.parties.all())
    assert (agreement.facts, agreement.disputes, agreement.responsibility) == (
        FACTS,
        DISPUTES,
        RESPONSIBILITY,
    )
    assert agreement.terms == TERMS and agreement.performance_method == METHOD
    year = timezone.localdate().year
    assert agreement.number == f"虞调协字〔{year}〕第{agreement.pk}号"


def test_the_word_document_carries_the_parties_facts_terms_and_notice(agreement, web):
    response = web("dispatcher").get(f"/mediation/agreements/{agreement.pk}/document.docx")
    assert response.status_code == 200
    assert (
        "人民调解协议书" in response["Content-Disposition"]
        or "filename*" in (response["Content-Disposition"])
    )
    text = word_text(response.content)
    assert text.startswith("人民调解协议书")
    assert agreement.number in text
    for party in agreement.parties.all():
        for detail in (party.name, party.id_number, party.address, party.phone):
            assert detail in text  # printed in full: the document is signed by them
    for part in (FACTS, DISPUTES, RESPONSIBILITY, METHOD, *TERMS.splitlines()):
        assert part in text
    due = agreement.performance_due
    assert f"{due.year}年{due.month}月{due.day}日前履行完毕" in text
    assert (
        "本协议经各方当事人签名（盖章或按指印）、调解员签名并加盖人民调解委员会印章后生效" in text
    )
    assert "自本协议生效之日起三十日内共同向人民法院申请司法确认" in text
    assert "上虞区医疗纠纷人民调解委员会" in text
    # A full view of personal data: audited, naming the document and the parties.
    entry = AuditEntry.objects.get(object_type="agreement", object_id=str(agreement.pk))
    assert entry.action == "reveal_pii" and entry.actor.username == "dispatcher"
    assert entry.detail["format"] == "docx" and len(entry.detail["parties"]) == 2


def test_the_pdf_carries_them_as_text(agreement, api):
    response = api("dispatcher").get(f"/agreements/{agreement.pk}/document.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "人民调解协议书" in text
    for party in agreement.parties.all():
        assert party.name in text and party.id_number in text
    for part in (FACTS, DISPUTES, TERMS.splitlines()[0], METHOD):
        assert squeeze(part) in text
    due = agreement.performance_due
    assert f"{due.year}年{due.month}月{due.day}日" in text
    assert "三十日内共同向人民法院申请司法确认" in text


def test_a_leader_may_not_download_the_document(agreement, api, web):
    assert api("leader").get(f"/agreements/{agreement.pk}/document.pdf").status_code == 403
    page = web("leader").get(f"/mediation/agreements/{agreement.pk}/document.docx")
    assert page.status_code == 403  # a refused download is refused, not a redirect
    assert api("dispatcher").get(f"/agreements/{agreement.pk}/document.txt").status_code == 404
    assert not AuditEntry.objects.filter(object_type="agreement").exists()


def test_taking_effect_opens_the_judicial_window(agreement, persona):
    effective = sign(agreement, persona("dispatcher"))
    assert effective.is_effective and effective.sealed and effective.parties_signed
    window = Deadline.objects.get(case=agreement.mediation.case, code="judicial_window")
    assert window.started_at == effective.effective_at and window.met_at is None
    assert (window.due_at - effective.effective_at).days >= 29
    event = CaseEvent.objects.get(case=agreement.mediation.case, action="agreement")
    assert agreement.number in event.comment and event.data["agreement"] == agreement.pk
    with pytest.raises(Conflict, match="已于"):
        sign(agreement, persona("dispatcher"))


def test_the_effect_form_refuses_without_every_signature(agreement, web):
    prefix = f"effect-{agreement.pk}"
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = web("dispatcher").post(
        f"/mediation/agreements/{agreement.pk}/effective",
        {f"{prefix}-parties_signed": "on", f"{prefix}-effective_at": now},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "调解员签名后，协议方能生效" in html and "加盖人民调解委员会印章后" in html
    agreement.refresh_from_db()
    assert not agreement.is_effective
    assert not Deadline.objects.filter(code="judicial_window").exists()
    assert not CaseEvent.objects.filter(action="agreement").exists()


def test_the_effect_form_records_a_signed_agreement(agreement, web):
    prefix = f"effect-{agreement.pk}"
    fields = {f"{prefix}-{name}": "on" for name in ("parties_signed", "mediator_signed", "sealed")}
    fields[f"{prefix}-effective_at"] = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = web("dispatcher").post(
        f"/mediation/agreements/{agreement.pk}/effective", fields, follow=True
    )
    assert "调解协议已于" in response.content.decode()
    assert Deadline.objects.filter(code="judicial_window").count() == 1


@pytest.mark.parametrize(
    "moment, message",
    [
        (lambda m: timezone.now() + dt.timedelta(hours=1), "不能晚于现在"),
        (lambda m: m.started_at - dt.timedelta(days=1), "不能早于调解开始时间"),
        (lambda m: None, "请填写生效时间"),
    ],
    ids=["future", "before-mediation", "missing"],
)
def test_a_bad_effective_time_is_refused(agreement, persona, moment, message):
    with pytest.raises(InvalidInput) as refused:
        record_effect(
            agreement,
            actor=persona("dispatcher"),
            effective_at=moment(agreement.mediation),
            parties_signed=True,
            mediator_signed=True,
            sealed=True,
        )
    assert message in refused.value.errors["effective_at"]
    assert not Deadline.objects.filter(code="judicial_window").exists()


def test_an_oral_agreement_takes_effect_on_the_day_it_is_reached(succeeded, persona):
    dispatcher = persona("dispatcher")
    oral = create_agreement(succeeded, actor=dispatcher, draft=draft(succeeded.case, kind="oral"))
    record_effect(oral, actor=dispatcher, effective_at=timezone.now())
    oral.refresh_from_db()
    assert oral.is_effective and not oral.sealed
    assert Deadline.objects.filter(code="judicial_window").count() == 1
    with pytest.raises(Conflict, match="口头协议"):
        attach_scan(oral, actor=dispatcher, upload=SimpleUploadedFile("a.pdf", PDF))


def stranger() -> Party:
    """A party of another case."""
    return build_case("in_progress").parties.first()


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"parties": []}, "parties", "至少需要两方当事人"),
        ({"parties": "first"}, "parties", "至少需要两方当事人"),
        ({"parties": "stranger"}, "parties", "不是本事项的当事人"),
        ({"terms": "  "}, "terms", "请填写协议内容"),
        ({"performance_method": ""}, "performance_method", "请填写履行方式"),
        ({"performance_due": None}, "performance_due", "请填写履行期限"),
        ({"performance_due": dt.date(2000, 1, 1)}, "performance_due", "不能早于调解开始日期"),
        ({"facts": "事" * (COMMENT_MAX + 1)}, "facts", "不能超过2000字"),
        ({"terms": "款" * (DESCRIPTION_MAX + 1)}, "terms", "不能超过5000字"),
        ({"kind": "telepathic"}, "kind", "请选择协议形式"),
    ],
    ids=[
        "no-parties",
        "one-party",
        "stranger",
        "no-terms",
        "no-method",
        "no-date",
        "date-too-early",
        "long-facts",
        "long-terms",
        "bad-kind",
    ],
)
def test_bad_agreements_are_refused_and_nothing_is_saved(
    succeeded, persona, changes, field, message
):
    case = succeeded.case
    if changes.get("parties") == "first":
        changes = {"parties": [case.parties.first()]}
    elif changes.get("parties") == "stranger":
        changes = {"parties": [case.parties.first(), stranger()]}
    with pytest.raises(InvalidInput) as refused:
        create_agreement(succeeded, actor=persona("dispatcher"), draft=draft(case, **changes))
    assert message in refused.value.errors[field]
    assert not Agreement.objects.exists()


def test_only_a_succeeded_mediation_gets_one_agreement(medical_case, persona, medics, agreement):
    dispatcher = persona("dispatcher")
    with pytest.raises(Conflict, match="已制作调解协议"):
        create_agreement(agreement.mediation, actor=dispatcher, draft=draft(medical_case))
    failed = start_mediation(medical_case, actor=dispatcher, mediators=[medics[1]])
    with pytest.raises(Conflict, match="只有调解成功"):
        create_agreement(failed, actor=dispatcher, draft=draft(medical_case))
    finish_mediation(failed, actor=dispatcher, outcome="failed", note="分歧过大")
    with pytest.raises(Conflict, match="只有调解成功"):
        create_agreement(failed, actor=dispatcher, draft=draft(medical_case))
    assert Agreement.objects.count() == 1


# ---------------------------------------------------------------- through the API and the page


def test_the_api_makes_and_shows_an_agreement(succeeded, api):
    client = api("baiguan")  # the town center leads the case
    body = {
        "parties": [p.pk for p in succeeded.case.parties.all()],
        "facts": FACTS,
        "disputes": DISPUTES,
        "terms": TERMS,
        "performance_method": METHOD,
        "performance_due": (timezone.localdate() + dt.timedelta(days=10)).isoformat(),
    }
    response = client.post(f"/mediations/{succeeded.pk}/agreement", body)
    assert response.status_code == 201, response.json()
    made = response.json()
    assert made["kind"] == "written" and len(made["parties"]) == 2
    assert made["effective_at"] is None and made["window_due"] is None
    assert made["confirmation"] is None and made["case"] == succeeded.case_id
    again = client.post(f"/mediations/{succeeded.pk}/agreement", body)
    assert again.status_code == 409
    shown = client.get(f"/agreements/{made['id']}").json()
    assert shown["number"] == made["number"]
    now = timezone.now().isoformat()
    unsigned = client.post(f"/agreements/{made['id']}/effective", {"effective_at": now})
    assert unsigned.status_code == 422
    assert set(unsigned.json()["errors"]) == {"parties_signed", "mediator_signed", "sealed"}
    signed = {"effective_at": now, "parties_signed": True, "mediator_signed": True, "sealed": True}
    done = client.post(f"/agreements/{made['id']}/effective", signed)
    assert done.status_code == 200 and done.json()["window_due"]


def test_the_api_refuses_an_agreement_without_parties_or_terms(succeeded, api):
    response = api("dispatcher").post(
        f"/mediations/{succeeded.pk}/agreement", {"facts": FACTS, "disputes": DISPUTES}
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert "至少需要两方当事人" in errors["parties"]
    assert errors["terms"] == "请填写协议内容" and "performance_due" in errors
    parties = [p.pk for p in succeeded.case.parties.all()]
    huge = {"parties": parties, "facts": "事" * 5000, "terms": "款" * 6000}
    oversized = api("dispatcher").post(f"/mediations/{succeeded.pk}/agreement", huge)
    assert oversized.status_code == 422
    assert oversized.json()["errors"]["facts"] == "纠纷主要事实不能超过2000字（现为5000字）"
    assert "不能超过5000字" in oversized.json()["errors"]["terms"]
    wrong_shape = api("dispatcher").post(f"/mediations/{succeeded.pk}/agreement", {"parties": "x"})
    assert wrong_shape.status_code == 422
    assert not Agreement.objects.exists()


def test_the_api_hides_agreements_outside_scope(agreement, api):
    caoe = api("caoe")
    assert caoe.get(f"/agreements/{agreement.pk}").status_code == 404
    assert caoe.get(f"/agreements/{agreement.pk}/document.pdf").status_code == 404
    assert caoe.post(f"/mediations/{agreement.mediation_id}/agreement", {}).status_code == 404
    assert caoe.post(f"/agreements/{agreement.pk}/effective", {}).status_code == 404
    assert api("dispatcher").get("/agreements/999999").status_code == 404
    assert (
        api("clerk")
        .post(f"/agreements/{agreement.pk}/effective", {"effective_at": timezone.now().isoformat()})
        .status_code
        == 403
    )


def agreement_form(mediation, **changes):
    prefix = f"agreement-{mediation.pk}"
    fields = {
        "kind": "written",
        "parties": [p.pk for p in mediation.case.parties.all()],
        "facts": FACTS,
        "disputes": DISPUTES,
        "terms": TERMS,
        "performance_method": METHOD,
        "performance_due": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        **changes,
    }
    return {f"{prefix}-{k}": v for k, v in fields.items() if v is not None}


def test_the_page_form_makes_the_agreement(succeeded, web):
    client = web("dispatcher")
    page = client.get(f"/cases/{succeeded.case_id}/").content.decode()
    assert "制作调解协议书" in page and "调解协议书与司法确认将在后续功能中办理" not in page
    response = client.post(
        f"/mediation/{succeeded.pk}/agreement", agreement_form(succeeded), follow=True
    )
    html = response.content.decode()
    agreement = Agreement.objects.get()
    assert f"已制作调解协议：{agreement.number}" in html
    assert f"/mediation/agreements/{agreement.pk}/document.pdf" in html
    assert "登记协议生效" in html


def test_the_page_form_refuses_missing_parties_and_terms_in_place(succeeded, web):
    response = web("dispatcher").post(
        f"/mediation/{succeeded.pk}/agreement",
        agreement_form(succeeded, parties=[], terms=""),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "请填写协议内容" in html
    response = web("dispatcher").post(
        f"/mediation/{succeeded.pk}/agreement",
        agreement_form(succeeded, parties=[stranger().pk]),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "所选当事人不是本事项的当事人" in response.content.decode()
    response = web("dispatcher").post(
        f"/mediation/{succeeded.pk}/agreement",
        agreement_form(succeeded, parties=[succeeded.case.parties.first().pk]),
        headers={"HX-Request": "true"},
    )
    assert "至少需要两方当事人" in response.content.decode()
    assert not Agreement.objects.exists()


# ---------------------------------------------------------------- the signed scan


def upload(web, agreement, name: str, body: bytes, who: str = "dispatcher"):
    file = SimpleUploadedFile(name, body, content_type="application/pdf")
    return web(who).post(
        f"/mediation/agreements/{agreement.pk}/scan",
        {f"scan-{agreement.pk}-scan": file},
        follow=True,
    )


def test_a_signed_scan_is_kept_and_served_in_scope(agreement, web, media):
    response = upload(web, agreement, "协议.pdf", PDF)
    assert "已上传签字盖章扫描件" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.scan_type == "application/pdf" and agreement.scan_name == "协议.pdf"
    assert agreement.scan.name.startswith("agreements/") and agreement.scan_size == len(PDF)
    served = web("baiguan").get(f"/mediation/agreements/{agreement.pk}/scan")
    assert served.status_code == 200 and b"".join(served.streaming_content) == PDF
    assert web("caoe").get(f"/mediation/agreements/{agreement.pk}/scan").status_code == 404
    first = agreement.scan.name
    upload(web, agreement, "scan.png", PNG)
    agreement.refresh_from_db()
    assert agreement.scan_type == "image/png" and agreement.scan.name != first


def test_a_renamed_text_file_or_a_huge_scan_is_refused(agreement, web, api, media):
    response = upload(web, agreement, "协议.pdf", b"just some text, not a scan")
    assert "不是PDF、JPEG或PNG格式的扫描件" in response.content.decode()
    response = upload(web, agreement, "big.pdf", PDF + b"0" * (10 * 1024 * 1024))
    assert "「big.pdf」超过10MB" in response.content.decode()
    file = SimpleUploadedFile("fake.png", b"<script>alert(1)</script>", content_type="image/png")
    refused = api("dispatcher").client.post(
        f"/api/v1/agreements/{agreement.pk}/scan", {"scan": file}, headers=api("dispatcher").headers
    )
    assert refused.status_code == 422 and "scan" in refused.json()["errors"]
    agreement.refresh_from_db()
    assert not agreement.scan and not list(media.rglob("*.*"))


def test_a_scan_is_uploaded_through_the_api(agreement, api, media):
    client = api("baiguan")
    file = SimpleUploadedFile("signed.pdf", PDF, content_type="application/pdf")
    response = client.client.post(
        f"/api/v1/agreements/{agreement.pk}/scan", {"scan": file}, headers=client.headers
    )
    assert response.status_code == 200 and response.json()["scan"] is True
    assert client.get(f"/agreements/{agreement.pk}/scan").status_code == 200
    missing = client.client.post(
        f"/api/v1/agreements/{agreement.pk}/scan", {}, headers=client.headers
    )
    assert missing.status_code == 422 and "请选择" in missing.json()["errors"]["scan"]


def test_the_signed_scan_is_a_full_view_audited_and_refused_to_a_leader(agreement, web, api, media):
    upload(web, agreement, "协议.pdf", PDF)
    views = AuditEntry.objects.filter(object_id=str(agreement.pk), action="reveal_pii")
    assert api("leader").get(f"/agreements/{agreement.pk}/scan").status_code == 403
    assert web("leader").get(f"/mediation/agreements/{agreement.pk}/scan").status_code == 403
    assert not views.exists()
    assert api("baiguan").get(f"/agreements/{agreement.pk}/scan").status_code == 200
    entry = views.get()
    assert entry.actor.username == "baiguan" and entry.detail["format"] == "scan"
