"""The case API as external systems use it: token, create, list, detail, transitions."""

import pytest

from concord.cases.models import Case, CaseEvent, Party
from concord.cases.tests.factories import BAIGUAN, build_case, first_village, organisation
from concord.demo.county import DEMO_PASSWORD

VALID_ID = "330604198503151234"  # checksum digit computed below
WALK_IN = {"type": "dispute", "channel": "walk_in", "description": "邻里因排水沟堵塞发生争执。"}


@pytest.fixture
def valid_id():
    from concord.core.pii import id_check_digit

    return VALID_ID[:17] + id_check_digit(VALID_ID[:17])


def test_health_answers_without_login(client, db):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_token_is_issued_for_good_credentials_only(client, county):
    bad = client.post(
        "/api/v1/auth/token",
        {"username": "clerk", "password": "wrong"},
        content_type="application/json",
    )
    assert bad.status_code == 401
    good = client.post(
        "/api/v1/auth/token",
        {"username": "clerk", "password": DEMO_PASSWORD},
        content_type="application/json",
    )
    assert good.status_code == 200
    token = good.json()["token"]
    listed = client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code == 200


def test_requests_without_token_are_refused(client, db):
    assert client.get("/api/v1/cases").status_code == 401
    assert (
        client.get("/api/v1/cases", headers={"Authorization": "Bearer nonsense"}).status_code == 401
    )


def test_clerk_registers_a_case_with_parties_masked(api, valid_id):
    body = {
        **WALK_IN,
        "category": "neighbour",
        "division": first_village(BAIGUAN).code,
        "people_count": 2,
        "amount": "1200.50",
        "parties": [
            {"role": "applicant", "name": "王建国", "id_number": valid_id, "phone": "13805751234"},
            {"role": "respondent", "name": "李秀英", "phone": "0575-82123456"},
        ],
    }
    response = api("clerk").post("/cases", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "registered"
    assert data["tracking_code"].startswith("SY")
    assert data["town"] == BAIGUAN
    applicant = data["parties"][0]
    assert applicant["id_number"] == valid_id[:4] + "*" * 10 + valid_id[-4:]
    assert applicant["phone"] == "138****1234"
    assert "accept" in data["available_actions"]
    stored = Party.objects.get(pk=applicant["id"])
    assert stored.id_number == valid_id  # decrypted by the model field


def test_the_create_answer_is_the_case_as_its_detail_shows_it(api, valid_id):
    clerk = api("clerk")
    body = {
        **WALK_IN,
        "category": "neighbour-boundary",
        "division": first_village(BAIGUAN).code,
        "amount": "88.10",
        "lat": 30.03,
        "lng": 120.87,
        "parties": [
            {"role": "applicant", "name": "王建国", "id_number": valid_id, "phone": "13805751234"},
            {"role": "respondent", "name": "李秀英", "address": "百官街道某村"},
        ],
    }
    for headers in ({}, {"Idempotency-Key": "same-shape"}):
        created = clerk.post("/cases", body, headers=headers)
        assert created.status_code == 201, created.content
        assert created.json() == clerk.get(f"/cases/{created.json()['id']}").json()


def test_retry_with_the_same_idempotency_key_returns_the_same_case(api):
    clerk = api("clerk")
    first = clerk.post("/cases", WALK_IN, headers={"Idempotency-Key": "retry-1"})
    again = clerk.post("/cases", WALK_IN, headers={"Idempotency-Key": "retry-1"})
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["tracking_code"] == first.json()["tracking_code"]
    changed = clerk.post(
        "/cases", {**WALK_IN, "description": "另一件事"}, headers={"Idempotency-Key": "retry-1"}
    )
    assert changed.status_code == 409
    assert Case.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"description": None}, "description"),
        ({"description": ""}, "description"),
        ({"description": "x" * 1_048_576}, "description"),  # 1 MB
        ({"division": "330604999999"}, "division"),
        ({"division": "abc"}, "division"),
        ({"category": "no-such-category"}, "category"),
        ({"type": "riot"}, "type"),
        ({"people_count": 0}, "people_count"),
        ({"amount": "-5"}, "amount"),
        (
            {"parties": [{"name": "张三", "id_number": "330604198503151230"}]},
            "parties[0].id_number",
        ),
        ({"parties": [{"name": "张三", "phone": "abcdefghijk"}]}, "parties[0].phone"),
        ({"parties": [{"name": ""}]}, "parties[0].name"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_writes_nothing(api, change, field):
    body = {**WALK_IN, **change}
    body = {k: v for k, v in body.items() if v is not None}
    response = api("clerk").post("/cases", body)
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"], response.json()
    assert Case.objects.count() == 0
    assert Party.objects.count() == 0


def test_malformed_json_is_a_400(api):
    response = api("clerk").post("/cases", raw=b'{"type": "dispute", ')
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]
    assert Case.objects.count() == 0


def test_oversized_body_is_refused(api):
    response = api("clerk").post("/cases", raw=b'{"description": "' + b"x" * 3_000_000 + b'"}')
    assert response.status_code in (400, 413)
    assert Case.objects.count() == 0


def test_the_closed_loop_through_the_api(api):
    case_id = (
        api("clerk")
        .post("/cases", {**WALK_IN, "division": first_village(BAIGUAN).code})
        .json()["id"]
    )

    def act(user, **body):
        response = api(user).post(f"/cases/{case_id}/transitions", body)
        assert response.status_code == 200, response.content
        return response.json()

    assert act("clerk", action="accept")["status"] == "accepted"
    town = organisation("town-330604001")
    assigned = act(
        "dispatcher", action="assign", lead_org=town.pk, assisting_orgs=[organisation("justice").pk]
    )
    assert assigned["status"] == "assigned"
    assert {t["role"] for t in assigned["tasks"]} == {"lead", "assist"}
    assert act("baiguan", action="sign")["status"] == "in_progress"
    resolved = act("baiguan", action="resolve", result="mediated", reply="双方达成调解协议。")
    assert resolved["status"] == "resolved"
    assert act("clerk", action="rate", satisfaction="satisfied")["status"] == "rated"
    assert act("clerk", action="follow_up", comment="回访：双方关系稳定。")["status"] == "rated"
    archived = act("dispatcher", action="archive")
    assert archived["status"] == "archived"
    # Beside the transitions, the follow-up visits planned at resolution (when a plan applies).
    actions = [e["action"] for e in archived["events"] if e["action"] != "follow_up_plan"]
    assert actions == [
        "register",
        "accept",
        "assign",
        "sign",
        "resolve",
        "rate",
        "follow_up",
        "archive",
    ]


def test_illegal_transition_names_state_and_allowed_actions(api):
    case = build_case("registered")
    response = api("clerk").post(
        f"/cases/{case.pk}/transitions", {"action": "resolve", "result": "mediated"}
    )
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert "登记" in detail and "受理" in detail
    case.refresh_from_db()
    assert case.status == "registered"
    assert CaseEvent.objects.filter(case=case).count() == 1


def test_unknown_action_is_refused(api):
    case = build_case("registered")
    response = api("clerk").post(f"/cases/{case.pk}/transitions", {"action": "explode"})
    assert response.status_code == 422
    assert "action" in response.json()["errors"]


def test_assign_to_a_missing_organisation_changes_nothing(api):
    case = build_case("accepted")
    response = api("dispatcher").post(
        f"/cases/{case.pk}/transitions", {"action": "assign", "lead_org": 999999}
    )
    assert response.status_code == 422
    assert "lead_org" in response.json()["errors"]
    case.refresh_from_db()
    assert case.status == "accepted" and not case.tasks.exists()


def test_list_filters_and_paginates(api):
    build_case("registered", category="labour-wage-arrears", description="工地拖欠工资三个月。")
    build_case("accepted", category="neighbour-noise", description="楼上装修噪音扰民。")
    clerk = api("clerk")
    everything = clerk.get("/cases").json()
    assert everything["count"] == 2
    labour = clerk.get("/cases", {"category": "labour"}).json()
    assert [c["category"] for c in labour["items"]] == ["labour-wage-arrears"]
    assert clerk.get("/cases", {"status": "accepted"}).json()["count"] == 1
    assert clerk.get("/cases", {"q": "噪音"}).json()["count"] == 1
    assert clerk.get("/cases", {"page_size": 1}).json()["items"].__len__() == 1
    bad = clerk.get("/cases", {"received_from": "2026-13-45"})
    assert bad.status_code == 422


def test_orgs_and_categories_are_listed(api):
    clerk = api("clerk")
    towns = clerk.get("/orgs", {"kind": "town_center"}).json()
    assert len(towns) == 20
    categories = clerk.get("/categories").json()
    assert {"code": "labour", "name": "劳动争议/欠薪", "parent": None} in categories
    assert any(c["parent"] == "labour" for c in categories)
    assert clerk.get("/orgs", {"division": "33"}).status_code == 422


def test_openapi_document_and_docs_page(client, db):
    document = client.get("/api/v1/openapi.json")
    assert document.status_code == 200
    paths = document.json()["paths"]
    assert "/api/v1/cases" in paths and "/api/v1/cases/{case_id}/transitions" in paths
    assert client.get("/api/v1/docs").status_code == 200


@pytest.mark.parametrize("field", ["description", "title", "address", "source_id"])
def test_a_control_character_is_refused_not_a_server_error(api, county, field):
    body = {"type": "dispute", "channel": "phone", "description": "邻里纠纷", field: "楼上\x00漏水"}
    answer = api("clerk").post("/cases", body)
    assert answer.status_code == 422
    assert answer.json()["errors"][field] == "含有不可见的控制字符"
