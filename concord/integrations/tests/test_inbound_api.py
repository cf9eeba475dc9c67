"""The inbound API for other systems: a system registers its work orders with its key, once per
source_id, reads back only what it sent, and is refused everything else with a clear answer."""

import pytest
from django.db import connection

from concord.cases.choices import Channel
from concord.cases.models import Case
from concord.cases.tests.factories import build_case
from concord.core.testing import run_at_once
from concord.integrations.keys import register_system, revoke_key, rotate_key
from concord.integrations.models import Scope

ORDER = {
    "type": "dispute",
    "description": "来电反映邻居装修噪音扰民，多次沟通无果，请求协调。",
    "source_id": "GD20261123000042",
    "address": "上虞区百官街道龙山社区12幢",
    "parties": [{"role": "applicant", "name": "王芳", "phone": "13905751234"}],
}


def test_a_system_registers_a_work_order_with_its_key(hotline, system_api):
    system, key = hotline
    response = system_api(key).post("/cases", ORDER)
    assert response.status_code == 201, response.json()
    body = response.json()
    case = Case.objects.get(pk=body["id"])
    assert (case.source, case.source_id) == ("12345", "GD20261123000042")
    # The channel is the system's own; the registering account is the system's.
    assert case.channel == Channel.HOTLINE_12345 and body["channel"] == "hotline_12345"
    assert case.registered_by == system.account
    # The address names 百官街道 and its 龙山社区: the case is placed there, not at the county.
    assert case.town.name == "百官街道" and case.division.name.startswith("龙山")
    # A system takes no lifecycle actions, and the phone comes back masked.
    assert body["available_actions"] == []
    assert body["parties"][0]["phone"] == "139****1234"


def test_the_same_work_order_sent_again_returns_the_first_case(hotline, system_api):
    _system, key = hotline
    client = system_api(key)
    first = client.post("/cases", ORDER)
    again = client.post("/cases", {**ORDER, "description": "重复推送"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Case.objects.filter(source="12345").count() == 1


def test_a_work_order_imported_before_is_not_registered_twice(hotline, system_api):
    _system, key = hotline
    imported = build_case(source="12345", source_id=ORDER["source_id"])
    again = system_api(key).post("/cases", ORDER)
    assert again.status_code == 200 and again.json()["id"] == imported.pk
    assert Case.objects.filter(source="12345").count() == 1


def test_a_bearer_key_works_like_the_header(hotline, system_api):
    _system, key = hotline
    response = system_api(key, bearer=True).post("/cases", ORDER)
    assert response.status_code == 201, response.json()


def test_a_channel_named_by_the_system_is_kept(hotline, system_api):
    _system, key = hotline
    response = system_api(key).post("/cases", {**ORDER, "channel": "phone"})
    assert response.json()["channel"] == "phone"


def test_a_system_must_send_its_work_order_number(hotline, system_api):
    _system, key = hotline
    response = system_api(key).post("/cases", {**ORDER, "source_id": "  "})
    assert response.status_code == 422
    assert "来源编号" in response.json()["errors"]["source_id"]
    assert not Case.objects.exists()


def test_bad_fields_from_a_system_are_named(hotline, system_api):
    _system, key = hotline
    response = system_api(key).post("/cases", {**ORDER, "type": "gossip", "source_id": "x" * 65})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"type", "source_id"}


def test_a_key_without_the_scope_is_refused_with_its_name(county, system_api):
    _system, key = register_system("grid-app", "网格通", Channel.GRID, [Scope.CASES_READ])
    response = system_api(key).post("/cases", ORDER)
    assert response.status_code == 403
    assert (
        response.json()["detail"]
        == "该对接系统没有「登记事项」（cases:create）权限，请联系管理员开通"
    )
    _system, key = register_system(
        "petitions", "网上信访", Channel.ONLINE_PETITION, ["cases:create"]
    )
    listed = system_api(key).get("/cases")
    assert listed.status_code == 403 and "cases:read" in listed.json()["detail"]
    assert not Case.objects.exists()


def test_unknown_revoked_replaced_and_disabled_keys_are_401(hotline, system_api):
    system, key = hotline
    assert system_api("cs_" + "x" * 43).get("/cases").status_code == 401
    assert system_api("not-a-key").get("/cases").status_code == 401
    assert system_api("cs_" + "x" * 5000).get("/cases").status_code == 401
    new_key = rotate_key(system)
    replaced = system_api(key).get("/cases")
    assert replaced.status_code == 401
    assert replaced.json()["detail"] == "对接系统密钥无效、已停用或已被更换"
    assert system_api(new_key).get("/cases").status_code == 200
    system.active = False
    system.save()
    assert system_api(new_key).get("/cases").status_code == 401
    system.active = True
    system.save()
    revoke_key(system)
    assert system_api(new_key).post("/cases", ORDER).status_code == 401


def test_a_bad_key_is_refused_even_with_a_signed_in_session(hotline, web):
    browser = web("clerk")
    response = browser.get("/api/v1/cases", headers={"X-API-Key": "cs_wrong"})
    assert response.status_code == 401


def test_a_system_reads_only_the_cases_it_sent(hotline, system_api):
    _system, key = hotline
    client = system_api(key)
    mine = client.post("/cases", ORDER).json()
    also_mine = build_case(source="12345", source_id="GD-OLD-1")  # imported from a file
    window = build_case()  # registered at the window
    _court, court_key = register_system(
        "court", "法院", Channel.COURT_REFERRAL, [Scope.CASES_CREATE, Scope.CASES_READ]
    )
    theirs = system_api(court_key).post("/cases", {**ORDER, "source_id": "(2026)浙0604民诉前1号"})
    assert theirs.status_code == 201

    listed = client.get("/cases")
    assert listed.status_code == 200
    assert {c["id"] for c in listed.json()["items"]} == {mine["id"], also_mine.pk}
    assert client.get(f"/cases/{mine['id']}").status_code == 200
    assert client.get(f"/cases/{window.pk}").status_code == 404
    assert client.get(f"/cases/{theirs.json()['id']}").status_code == 404


def test_everything_else_is_closed_to_systems(hotline, system_api):
    _system, key = hotline
    client = system_api(key)
    case_id = client.post("/cases", ORDER).json()["id"]
    acted = client.post(f"/cases/{case_id}/transitions", {"action": "accept"})
    assert acted.status_code == 403
    assert acted.json()["detail"] == "对接系统密钥只能用于登记事项和查询本系统送来的事项"
    assert Case.objects.get(pk=case_id).status == "registered"
    assert client.get("/orgs").status_code == 403
    assert client.post(f"/cases/{case_id}/parties/1/reveal").status_code == 403


def test_users_register_as_before(api):
    clerk = api("clerk")
    missing = clerk.post("/cases", {"type": "dispute", "description": "无渠道"})
    assert missing.status_code == 422 and missing.json()["errors"] == {"channel": "请选择来源渠道"}
    made = clerk.post("/cases", {**ORDER, "channel": "walk_in"})
    assert made.status_code == 201
    assert Case.objects.get(pk=made.json()["id"]).source == "api"
    assert made.json()["available_actions"]  # a clerk may accept it


def test_the_openapi_document_names_the_system_key(client):
    document = client.get("/api/v1/openapi.json").json()
    scheme = document["components"]["securitySchemes"]["SystemKeyAuth"]
    assert (scheme["in"], scheme["name"]) == ("header", "X-API-Key")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
def test_the_same_work_order_sent_twice_at_once_is_one_case(transactional_db, hotline, system_api):
    _system, key = hotline
    answers = run_at_once(*[lambda: system_api(key).post("/cases", ORDER) for _ in range(2)])
    assert sorted(a.status_code for a in answers) == [200, 201]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert Case.objects.filter(source="12345").count() == 1
