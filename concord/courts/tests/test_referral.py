"""Referring one case: through the API and the page, idempotent on court + 案号, registered
for the court, accepted and handed to the type's mediation organisation; who sees it."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from concord.cases.choices import Action, CaseStatus, Channel, PartyRole
from concord.cases.models import Case
from concord.courts.defaults import load_defaults, load_demo
from concord.courts.models import CourtReferral, CourtReferralType
from concord.courts.outcomes import record_result
from concord.courts.services import refer
from concord.deadlines.models import Deadline
from concord.orgs.models import Organisation

from .conftest import PLAINTIFF_ID, body, draft, number

SH = ZoneInfo("Asia/Shanghai")


def test_the_20_default_types_map_to_categories_and_mediation_organisations(types):
    assert CourtReferralType.objects.count() == 20
    prop = CourtReferralType.objects.get(name="物业服务合同纠纷")
    assert prop.category.code == "property-fees"
    assert prop.mediation_org.code == "property-mediation"
    assert CourtReferralType.objects.filter(mediation_org=None).count() == 0
    assert CourtReferralType.objects.filter(category=None).count() == 0
    assert load_defaults() == 0  # idempotent


def test_a_court_referral_over_the_api_becomes_an_accepted_and_assigned_case(types, api):
    response = api("court").post("/court-referrals", body())
    assert response.status_code == 201, response.json()
    out = response.json()
    assert out["court_case_number"] == number()
    assert out["status"] == "mediating" and out["status_label"] == "调解中"
    assert out["priority_filing"] is False and out["result_at"] is None
    assert out["court_name"] == "上虞区人民法院"
    assert out["lead_org"] == "上虞区物业纠纷人民调解委员会"
    assert out["links"]["record_pdf"] == f"/api/v1/court-referrals/{out['id']}/record.pdf"

    case = Case.objects.get(pk=out["case"])
    assert out["tracking_code"] == case.tracking_code
    assert case.channel == Channel.COURT_REFERRAL and case.type == "dispute"
    assert case.category.code == "property-fees"
    assert case.status == CaseStatus.ASSIGNED
    assert case.lead_org.code == "property-mediation"
    assert case.registered_org.code == "court"
    assert case.title == f"物业服务合同纠纷 {number()}"
    parties = {p.role: p for p in case.parties.all()}
    assert parties[PartyRole.APPLICANT].name == "上虞某物业服务有限公司"
    assert parties[PartyRole.RESPONDENT].id_number == PLAINTIFF_ID
    actions = list(case.events.values_list("action", flat=True))
    assert actions == ["register", "accept", "assign", Action.COURT_REFERRED]
    referred = case.events.get(action=Action.COURT_REFERRED)
    assert referred.actor.username == "court" and referred.data == {"referral": out["id"]}
    # The center takes a referral in at once: the system accepts and assigns, nobody's name.
    assert case.events.get(action="accept").actor is None
    assert case.events.get(action="assign").actor is None
    # COURT_REFERRED started the 30-day clock.
    assert Deadline.objects.get(case=case, code="court_mediation").met_at is None

    detail = api("court").get(f"/court-referrals/{out['id']}").json()
    assert detail["due_at"] and detail["case"] == case.pk


def test_the_same_court_and_case_number_again_returns_the_first_referral(types, api):
    first = api("court").post("/court-referrals", body())
    assert first.status_code == 201
    again = api("court").post("/court-referrals", body(description="另一次提交"))
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    # Full-width brackets and spaces are the same number.
    spaced_number = " （2026）浙0604民诉前调1234号"
    spaced = api("court").post("/court-referrals", body(court_case_number=spaced_number))
    assert spaced.status_code == 200 and spaced.json()["id"] == first.json()["id"]
    assert CourtReferral.objects.count() == 1
    assert Case.objects.filter(channel=Channel.COURT_REFERRAL).count() == 1


def test_a_dispatcher_refers_on_the_courts_behalf_and_must_name_the_court(types, api):
    court = Organisation.objects.get(code="court")
    client = api("dispatcher")
    missing = client.post("/court-referrals", body())
    assert missing.status_code == 422 and missing.json()["errors"] == {"court": "请选择委派法院"}
    police = Organisation.objects.get(code="police").pk
    wrong = client.post("/court-referrals", body(court=police))
    assert wrong.status_code == 422 and "不是法院" in wrong.json()["detail"]
    response = client.post("/court-referrals", body(court=court.pk))
    assert response.status_code == 201
    case = Case.objects.get(pk=response.json()["case"])
    assert case.registered_org == court and case.registered_by.username == "dispatcher"
    assert case.events.get(action="accept").actor is None


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"court_case_number": "2026-1234"}, "court_case_number", "案号格式不正确"),
        ({"type": "占卜纠纷"}, "type", "未知的案由「占卜纠纷」"),
        ({"plaintiffs": []}, "plaintiffs", "请填写原告"),
        ({"defendants": [{"name": "王建国", "phone": "12345"}]}, "defendants[0].phone", "电话"),
        (
            {"defendants": [{"name": "王建国", "id_number": "330682199001011234"}]},
            "defendants[0].id_number",
            "校验位",
        ),
        ({"description": "  "}, "description", "请填写案情摘要"),
        ({"division": "火星街道"}, "division", "不在本县"),
    ],
)
def test_bad_referrals_are_refused_field_by_field_and_write_nothing(
    types, api, change, field, message
):
    response = api("court").post("/court-referrals", body(**change))
    assert response.status_code == 422, response.json()
    assert message in response.json()["errors"][field]
    assert not CourtReferral.objects.exists()
    assert not Case.objects.filter(channel=Channel.COURT_REFERRAL).exists()


def test_shape_errors_and_strangers_get_4xx(types, api):
    client = api("court")
    assert client.post("/court-referrals", raw=b"{not json").status_code == 400
    too_long = body(court_case_number="(2026)" + "浙" * 60)
    assert client.post("/court-referrals", too_long).status_code == 422
    assert client.post("/court-referrals", body(kind="仲裁")).status_code == 422
    assert api("hrss").post("/court-referrals", body()).status_code == 403
    assert api("baiguan").post("/court-referrals", body()).status_code == 403
    assert api(None).post("/court-referrals", body()).status_code == 401
    assert not CourtReferral.objects.exists()


def test_the_court_sees_its_referrals_and_the_case_another_department_does_not(referral, api, web):
    court = api("court")
    listed = court.get("/court-referrals").json()
    assert [r["id"] for r in listed["items"]] == [referral.pk]
    assert court.get(f"/cases/{referral.case_id}").status_code == 200
    # The property mediation committee leads it; the county center sees everything.
    assert api("dispatcher").get(f"/court-referrals/{referral.pk}").status_code == 200
    assert api("leader").get("/court-referrals").json()["count"] == 1
    hrss = api("hrss")
    assert hrss.get(f"/court-referrals/{referral.pk}").status_code == 404
    assert hrss.get(f"/court-referrals/{referral.pk}/record.pdf").status_code == 404
    assert hrss.get(f"/cases/{referral.case_id}").status_code == 404
    assert hrss.get("/court-referrals").json()["count"] == 0
    # A town center sees the referrals of its own town only (the dispute is in 百官街道).
    assert api("baiguan").get(f"/court-referrals/{referral.pk}").status_code == 200
    assert api("caoe").get(f"/court-referrals/{referral.pk}").status_code == 404
    assert web("hrss").get(f"/courts/{referral.pk}/record.pdf").status_code == 404
    page = web("court").get("/courts/")
    assert page.status_code == 200 and number() in page.content.decode()
    assert number() not in web("hrss").get("/courts/").content.decode()


def test_the_list_filters_by_status_and_type_and_refuses_unknown_values(types, persona, api):
    court = persona("court")
    refer(actor=court, draft=draft(1))
    refer(actor=court, draft=draft(2, type="民间借贷纠纷"))
    client = api("court")
    loans = client.get("/court-referrals", {"type": "private-loan"}).json()
    assert [r["court_case_number"] for r in loans["items"]] == [number(2)]
    assert client.get("/court-referrals", {"status": "failed"}).json()["count"] == 0
    assert client.get("/court-referrals", {"q": number(1)}).json()["count"] == 1
    assert client.get("/court-referrals", {"status": "lost"}).status_code == 422
    assert client.get("/court-referrals", {"type": "astrology"}).status_code == 422
    assert client.get("/court-referrals/999999").status_code == 404


def test_a_court_user_refers_through_the_page(types, web):
    client = web("court")
    assert client.get("/courts/new/").status_code == 200
    form = {
        "court_case_number": number(77),
        "kind": "pre_suit",
        "type": "traffic-accident",
        "plaintiff_name": "赵小军",
        "plaintiff_phone": "13857510002",
        "defendant_name": "钱伟",
        "description": "双方车辆碰撞，原告受伤住院，就赔偿协商未果。",
        "division": "330604001000",
    }
    response = client.post("/courts/new/", form)
    referral = CourtReferral.objects.get()
    assert response.status_code == 302 and response.url == f"/cases/{referral.case_id}/"
    assert referral.case.lead_org.code == "traffic-mediation"
    assert referral.case.division_id == "330604001000"
    page = client.get(response.url).content.decode()
    assert 'id="court-referral"' in page and number(77) in page and "剩余 30 天" in page
    again = client.post("/courts/new/", {**form, "description": "再次提交"}, follow=True)
    assert "已委派过" in again.content.decode()
    assert CourtReferral.objects.count() == 1
    bad = client.post("/courts/new/", {**form, "court_case_number": "第77号"})
    assert bad.status_code == 422 and "案号格式不正确" in bad.content.decode()
    assert web("hrss").get("/courts/new/").status_code == 404


def test_the_list_page_counts_by_status_type_and_month(types, persona, web):
    court = persona("court")
    with time_machine.travel(dt.datetime(2026, 3, 5, 9, 0, tzinfo=SH), tick=False):
        first, _ = refer(actor=court, draft=draft(1))
        refer(actor=court, draft=draft(2, type="民间借贷纠纷"))
    with time_machine.travel(dt.datetime(2026, 4, 5, 9, 0, tzinfo=SH), tick=False):
        refer(actor=court, draft=draft(3))
        record_result(first, actor=persona("dispatcher"), outcome="failed", note="期满")
    response = web("court").get("/courts/")
    context = response.context
    assert context["total"] == 3
    counts = {value: count for value, _label, _colour, count in context["statuses"]}
    assert counts == {"mediating": 2, "succeeded": 0, "failed": 1, "withdrawn": 0}
    by_type = {r["label"]: (r["mediating"], r["failed"], r["total"]) for r in context["by_type"]}
    assert by_type == {"物业服务合同纠纷": (1, 1, 2), "民间借贷纠纷": (1, 0, 1)}
    months = [(r["label"], r["total"]) for r in context["by_month"]]
    assert months == [("2026-04", 1), ("2026-03", 2)]
    assert web("hrss").get("/courts/").context["total"] == 0
    filtered = web("court").get("/courts/", {"status": "failed"}, headers={"HX-Request": "true"})
    assert [r.pk for r in filtered.context["page"]] == [first.pk]


def test_the_demo_referrals_load_once(types):
    assert load_demo() == 5
    assert load_demo() == 0
    referrals = CourtReferral.objects.select_related("case__lead_org")
    assert referrals.count() == 5
    assert {r.case.lead_org.code for r in referrals} >= {"property-mediation", "labour-mediation"}


def test_the_list_page_reads_a_fixed_number_of_queries(types, persona, web):
    client = web("dispatcher")
    court = persona("court")
    refer(actor=court, draft=draft(1))
    with CaptureQueriesContext(connection) as few:
        client.get("/courts/")
    for serial in range(2, 6):
        refer(actor=court, draft=draft(serial, type="民间借贷纠纷" if serial % 2 else "继承纠纷"))
    with CaptureQueriesContext(connection) as more:
        assert len(client.get("/courts/").context["page"]) == 5
    assert len(more.captured_queries) == len(few.captured_queries)


def test_a_court_file_says_the_kind_in_chinese_whatever_the_screen_speaks(types, persona):
    from django.utils import translation

    with translation.override("en"):
        referral, created = refer(actor=persona("court"), draft=draft(kind="委派调解"))
    assert created and referral.kind == "delegated"
