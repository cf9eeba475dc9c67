"""The pages staff use all day: intake, inbox, list with filters, export, detail, actions."""

import io

from openpyxl import load_workbook

from concord.audit.models import AuditAction, AuditEntry
from concord.cases.models import Case, Party
from concord.cases.tests.factories import BAIGUAN, build_case, first_village, organisation
from concord.core.pii import id_check_digit
from concord.demo.county import DEMO_PASSWORD

ID17 = "33060419900101123"
VALID_ID = ID17 + id_check_digit(ID17)


def _intake_post(**overrides) -> dict:
    village = first_village(BAIGUAN)
    data = {
        "type": "dispute",
        "channel": "walk_in",
        "category": "neighbour",
        "risk_level": "blue",
        "title": "",
        "description": "两户因宅基地边界发生争执，要求调解。",
        "town": BAIGUAN,
        "village": village.code,
        "address": "某村12号",
        "people_count": "2",
        "amount": "",
        "party-TOTAL_FORMS": "2",
        "party-INITIAL_FORMS": "0",
        "party-MIN_NUM_FORMS": "0",
        "party-MAX_NUM_FORMS": "50",
        "party-0-role": "applicant",
        "party-0-name": "王建国",
        "party-0-id_number": VALID_ID,
        "party-0-phone": "13805751234",
        "party-0-address": "",
        "party-1-role": "respondent",
        "party-1-name": "李秀英",
        "party-1-id_number": "",
        "party-1-phone": "",
        "party-1-address": "",
    }
    return {**data, **overrides}


def test_login_page_and_redirect(client, county):
    assert client.get("/").status_code == 302
    page = client.get("/accounts/login/")
    assert "登录" in page.content.decode()
    bad = client.post("/accounts/login/", {"username": "clerk", "password": "nope"})
    assert "用户名或密码错误" in bad.content.decode()
    good = client.post("/accounts/login/", {"username": "clerk", "password": DEMO_PASSWORD})
    assert good.status_code == 302


def test_clerk_registers_a_case_at_the_window(web):
    clerk = web("clerk")
    form = clerk.get("/cases/new")
    assert "诉求内容" in form.content.decode()
    response = clerk.post("/cases/new", _intake_post())
    assert response.status_code == 302
    case = Case.objects.get()
    assert response["Location"] == f"/cases/{case.pk}/"
    assert case.division_id == first_village(BAIGUAN).code and case.town_id == BAIGUAN
    assert case.visits_count == 1
    assert [p.name for p in case.parties.all()] == ["王建国", "李秀英"]


def test_intake_errors_are_shown_next_to_the_field_and_nothing_is_saved(web):
    clerk = web("clerk")
    cases = [
        ({"description": ""}, "请填写诉求内容"),
        ({"party-0-id_number": ID17 + ("0" if VALID_ID[-1] != "0" else "1")}, "身份证号校验位错误"),
        ({"party-0-phone": "phone-number"}, "电话号码应为11位手机号或带区号的固定电话"),
        ({"description": "长" * 6000}, "诉求内容不能超过5000字（现为6000字）"),
        ({"village": "330604999999"}, "所选村（社区）不属于该乡镇（街道）"),
        ({"town": "330604999000", "village": ""}, "选择一个有效的选项"),
    ]
    for change, message in cases:
        response = clerk.post("/cases/new", _intake_post(**change))
        assert response.status_code == 200
        assert message in response.content.decode(), change
    assert Case.objects.count() == 0 and Party.objects.count() == 0


def test_villages_follow_the_chosen_town(web):
    page = web("clerk").get("/geo/villages", {"town": BAIGUAN}).content.decode()
    assert first_village(BAIGUAN).code in page
    assert "330604002001" not in page


def test_inbox_shows_each_role_its_work(web):
    registered = build_case("registered")
    assigned = build_case("assigned")
    assert registered.tracking_code in web("clerk").get("/").content.decode()
    handler_inbox = web("baiguan").get("/").content.decode()
    assert "待签收" in handler_inbox and assigned.tracking_code in handler_inbox
    assert registered.tracking_code not in handler_inbox


def test_case_list_filters_and_paginates(web, settings):
    settings.CONCORD = {**settings.CONCORD, "PAGE_SIZE": 2}
    for _ in range(3):
        build_case("registered", category="labour-wage-arrears", description="拖欠工资")
    build_case("accepted", category="neighbour-noise", description="噪音扰民")
    clerk = web("clerk")
    first = clerk.get("/cases/")
    assert first.context["page"].paginator.count == 4
    assert len(first.context["page"].object_list) == 2
    assert clerk.get("/cases/", {"category": "labour"}).context["page"].paginator.count == 3
    assert clerk.get("/cases/", {"status": "accepted"}).context["page"].paginator.count == 1
    assert clerk.get("/cases/", {"q": "噪音"}).context["page"].paginator.count == 1
    assert clerk.get("/cases/", {"division": BAIGUAN}).context["page"].paginator.count == 4
    assert (
        clerk.get("/cases/", {"received_from": "2030-01-01"}).context["page"].paginator.count == 0
    )
    bad = clerk.get("/cases/", {"received_from": "not-a-date"})
    assert bad.status_code == 200 and bad.context["page"].paginator.count == 0
    partial = clerk.get("/cases/", {"page": 2}, headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode()


def test_export_is_masked_formula_safe_and_audited(web):
    case = build_case("registered", description='=HYPERLINK("http://evil")', title="=1+1")
    response = web("clerk").get("/cases/export.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "查询码"
    row = next(r for r in rows if r[0] == case.tracking_code)
    assert row[5] == "'=1+1"
    applicant = case.parties.get(role="applicant")
    assert applicant.phone not in row and row[16] == applicant.phone_masked
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT).count() == 1


def test_detail_shows_timeline_and_only_the_users_actions(web):
    case = build_case("assigned")
    page = web("baiguan").get(f"/cases/{case.pk}/").content.decode()
    assert 'data-action="sign"' in page and 'data-action="return"' in page
    assert 'data-action="assign"' not in page
    assert "办理记录" in page and "交办" in page
    leader_page = web("leader").get(f"/cases/{case.pk}/").content.decode()
    assert "当前没有您可执行的操作" in leader_page


def test_actions_from_the_page(web):
    case = build_case("accepted")
    dispatcher = web("dispatcher")
    town = organisation("town-330604001")
    response = dispatcher.post(f"/cases/{case.pk}/act/assign", {"lead_org": town.pk, "comment": ""})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "assigned" and case.lead_org == town
    refused = web("baiguan").post(
        f"/cases/{case.pk}/act/return", {"comment": ""}, headers={"HX-Request": "true"}
    )
    assert refused.status_code == 422
    assert "退回须填写" in refused.content.decode()
    case.refresh_from_db()
    assert case.status == "assigned"


def test_reveal_shows_full_numbers_and_is_audited(web):
    case = build_case("registered")
    party = case.parties.first()
    response = web("clerk").post(f"/cases/{case.pk}/parties/{party.pk}/reveal")
    assert party.id_number in response.content.decode()
    entry = AuditEntry.objects.get(action=AuditAction.REVEAL_PII)
    assert entry.object_id == str(party.pk) and entry.actor.username == "clerk"
    masked_page = web("clerk").get(f"/cases/{case.pk}/").content.decode()
    assert party.id_number not in masked_page and party.id_number_masked in masked_page


def test_leader_and_grid_cannot_reveal(web):
    case = build_case("registered")
    party = case.parties.first()
    assert web("leader").post(f"/cases/{case.pk}/parties/{party.pk}/reveal").status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.REVEAL_PII).exists()
