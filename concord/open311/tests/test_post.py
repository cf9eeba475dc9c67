"""POST requests: a key with the open311 scope registers a case as its system's account; every
bad input is a 400, 403 or 404 in the spec's error shape, and writes nothing."""

import json

import pytest

from concord.cases.models import Case, Party
from concord.core.crypto import keyed_hash
from concord.geo.models import Division
from concord.integrations.keys import register_system
from concord.open311.models import ServiceRequest
from concord.open311.services import MEDIA_LINE

from .conftest import BAIGUAN_ADDRESS, BASE, NOISE, case_of

BAIGUAN = "330604001000"


def test_a_form_post_registers_a_case_as_the_system_with_the_reporter_as_applicant(app):
    answer = app.report()
    assert set(answer) == {"service_request_id", "service_notice", "account_id"}
    assert answer["account_id"] is None
    case = case_of(answer)
    assert answer["service_notice"].startswith(f"已收到，查询码 {case.tracking_code}。")
    assert case.registered_by == app.system.account
    assert (case.channel, case.source, case.type) == ("portal", "citizen-app", "dispute")
    assert case.category.code == NOISE and case.status == "registered"
    assert (case.town_id, case.division_id) == (BAIGUAN, BAIGUAN)
    assert case.address == BAIGUAN_ADDRESS and case.lat is None
    party = Party.objects.get(case=case)
    assert (party.role, party.name, party.phone) == ("applicant", "张三", "13805751234")
    assert party.phone_hash == keyed_hash("13805751234")
    request = ServiceRequest.objects.get(case=case)
    assert request.system == app.system and len(request.token) == 32


def test_the_phone_is_stored_encrypted_like_any_party_phone(app):
    from django.db import connection

    case = case_of(app.report())
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM cases_party WHERE case_id = %s", [case.pk])
        stored = cursor.fetchone()[0]
    assert "13805751234" not in stored


def test_a_json_body_is_accepted_too(app):
    body = {
        "api_key": app.key,
        "service_code": NOISE,
        "lat": 30.03,
        "long": 120.87,
        "description": "广场舞音响太响。",
    }
    response = app.client.post(f"{BASE}/requests.json", body, content_type="application/json")
    assert response.status_code == 201, response.content
    case = case_of(response.json()[0])
    assert not case.parties.exists()  # nobody named: an anonymous report


def test_a_point_alone_is_placed_in_the_town_with_the_nearest_centre(app):
    # 崧厦街道's centre is (30.095, 120.865); 百官's (30.030, 120.870).
    case = case_of(app.report(address_string="", lat="30.093", long="120.866"))
    assert case.town.name == "崧厦街道" and case.division_id == case.town_id
    assert (case.lat, case.lng) == (30.093, 120.866)
    assert case.address == ""


def test_an_address_naming_a_village_places_it_there(app):
    village = Division.objects.filter(parent_id=BAIGUAN).order_by("code").first()
    case = case_of(app.report(address_string=f"百官街道{village.name}3组"))
    assert case.division_id == village.code and case.town_id == BAIGUAN


def test_an_unknown_address_keeps_its_text_at_county_level(app):
    case = case_of(app.report(address_string="火星基地一号"))
    assert case.division_id == "330604000000" and case.town_id is None
    assert case.address == "火星基地一号"


def test_an_unknown_address_with_a_point_uses_the_point(app):
    case = case_of(app.report(address_string="小区东门", lat="30.093", long="120.866"))
    assert case.town.name == "崧厦街道" and case.address == "小区东门"


def test_address_id_is_a_division_code(app):
    village = Division.objects.filter(parent_id=BAIGUAN).order_by("code").last()
    case = case_of(app.report(address_string="", address_id=village.code))
    assert case.division_id == village.code


def test_the_media_url_goes_into_the_description_for_staff_and_comes_back_alone(app):
    url = "https://example.org/photos/1.jpg"
    answer = app.report(media_url=url, description="路灯坏了。")
    case = case_of(answer)
    assert case.description == "路灯坏了。" + MEDIA_LINE + url
    read = app.read(answer["service_request_id"])
    assert read["description"] == "路灯坏了。" and read["media_url"] == url


def test_the_email_is_kept_encrypted_with_the_request(app):
    case = case_of(app.report(email="zhang@example.org"))
    assert ServiceRequest.objects.get(case=case).email == "zhang@example.org"
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT email FROM open311_servicerequest WHERE case_id = %s", [case.pk])
        assert "zhang" not in cursor.fetchone()[0]


def test_a_latin_name_keeps_its_order(app):
    case = case_of(app.report(first_name="John", last_name="Smith"))
    assert case.parties.get().name == "John Smith"


def test_a_phone_without_a_name_still_reaches_the_reporter(app):
    case = case_of(app.report(first_name="", last_name=""))
    party = case.parties.get()
    assert (party.name, party.phone) == ("（未留姓名）", "13805751234")


def test_the_system_channel_is_the_case_channel(other_app):
    case = case_of(other_app.report())
    assert (case.channel, case.source) == ("grid", "grid-app")


def test_the_csrf_check_does_not_apply_to_key_authenticated_posts(app):
    # app.client enforces CSRF checks like a browser would; the POST above had no token.
    assert app.post(service_code=NOISE).status_code == 400


# Refusals


def errors(response) -> list[str]:
    return [e["description"] for e in response.json()]


@pytest.fixture
def nothing_written(db):
    before = Case.objects.count(), ServiceRequest.objects.count()
    yield
    assert (Case.objects.count(), ServiceRequest.objects.count()) == before


def test_a_missing_or_wrong_key_is_a_403(client, county, nothing_written):
    body = {"service_code": NOISE, "address_string": "百官街道", "description": "x"}
    response = client.post(f"{BASE}/requests.json", body)
    assert response.status_code == 403
    assert response.json() == [
        {"code": 403, "description": "缺少 api_key：Open311 提交和查询须使用对接系统的密钥"}
    ]
    wrong = client.post(f"{BASE}/requests.json", {**body, "api_key": "cs_nonsense"})
    assert wrong.status_code == 403 and errors(wrong) == ["api_key 无效或已停用"]


def test_a_key_without_the_open311_scope_is_a_403(client, county, nothing_written):
    _, key = register_system("court", "法院", "court_referral", ["cases:create"])
    body = {"api_key": key, "service_code": NOISE, "address_string": "百官", "description": "x"}
    response = client.post(f"{BASE}/requests.json", body)
    assert response.status_code == 403 and errors(response) == ["该密钥未开通 Open311 接口权限"]


def test_an_inactive_system_is_refused(app, nothing_written):
    app.system.active = False
    app.system.save()
    assert app.post(service_code=NOISE).status_code == 403


def test_an_unknown_service_code_is_a_404_as_the_spec_says(app, nothing_written):
    response = app.post(service_code="pothole", address_string="百官街道", description="坑")
    assert response.status_code == 404
    assert errors(response) == ["服务类型 pothole 不存在，请先查询 services"]
    parent = app.post(service_code="neighbour", address_string="百官街道", description="坑")
    assert parent.status_code == 404


def test_missing_fields_are_all_named_at_once(app, nothing_written):
    response = app.post()
    assert response.status_code == 400
    assert errors(response) == [
        "请提供 service_code",
        "请提供 description",
        "请提供位置：lat 与 long，或 address_string，或 address_id",
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"lat": "30.03"}, "lat 与 long 须同时提供"),
        ({"lat": "north", "long": "120"}, "lat 与 long 应为数字（WGS84 经纬度）"),
        ({"lat": "nan", "long": "120"}, "lat 与 long 超出经纬度范围"),
        ({"lat": "91", "long": "120"}, "lat 与 long 超出经纬度范围"),
        ({"lat": "39.9", "long": "116.4"}, "位置（39.9, 116.4）不在本县（区）范围内"),
        ({"address_id": "12"}, "address_id 应为12位行政区划代码"),
        ({"address_id": "110101001000"}, "address_id 110101001000 不在本县（区）范围内"),
        ({"address_string": "路" * 201}, "address_string 不能超过200字（现为201字）"),
        ({"phone": "12345"}, "phone: 电话号码应为11位手机号或带区号的固定电话"),
        ({"email": "not-an-email"}, "email 格式不正确"),
        ({"media_url": "javascript:alert(1)"}, "media_url 应为 http 或 https 链接"),
        ({"first_name": "名" * 101}, "first_name 不能超过100字（现为101字）"),
        ({"description": "楼上\x00漏水"}, "description 含有不可见的控制字符"),
    ],
)
def test_bad_fields_are_400_with_a_clear_description(app, nothing_written, fields, message):
    body = {"service_code": NOISE, "description": "楼上漏水。", **fields}
    if not {"lat", "address_id", "address_string"} & set(fields):
        body["address_string"] = "百官街道"
    response = app.post(**body)
    assert response.status_code == 400, response.content
    assert message in errors(response)


def test_a_description_over_the_spec_limit_of_4000_characters_is_refused(app, nothing_written):
    response = app.post(service_code=NOISE, address_string="百官街道", description="吵" * 4001)
    assert response.status_code == 400
    assert errors(response) == ["description 不能超过4000字（现为4001字）"]
    huge = app.post(service_code=NOISE, address_string="百官街道", description="吵" * 100_000)
    assert huge.status_code == 400


def test_a_body_over_the_upload_limit_is_a_400_not_a_500(app, nothing_written, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = app.post(service_code=NOISE, address_string="百官街道", description="吵" * 2000)
    assert response.status_code == 400 and errors(response) == ["请求体过大"]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"{not json", "请求体不是有效的 UTF-8 JSON"),
        (b"\xff\xfe", "请求体不是有效的 UTF-8 JSON"),
        (b"[1, 2]", "JSON 请求体应为一个对象"),
    ],
)
def test_a_broken_json_body_is_a_400(app, nothing_written, raw, message):
    response = app.client.post(
        f"{BASE}/requests.json?api_key={app.key}", raw, content_type="application/json"
    )
    assert response.status_code == 400 and errors(response) == [message]


def test_json_fields_of_the_wrong_kind_are_named(app, nothing_written):
    body = {
        "api_key": app.key,
        "service_code": NOISE,
        "address_string": ["百官"],
        "description": {"text": "x"},
    }
    response = app.client.post(
        f"{BASE}/requests.json", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    assert errors(response)[:2] == ["description 应为文字", "address_string 应为文字"]


def test_errors_come_back_in_xml_for_an_xml_post(app, nothing_written):
    from xml.etree import ElementTree as ET

    response = app.post("xml", service_code=NOISE)
    assert response.status_code == 400
    root = ET.fromstring(response.content)
    assert root.tag == "errors"
    assert [e.findtext("code") for e in root] == ["400", "400"]


def test_a_successful_xml_post_answers_in_xml(app):
    from xml.etree import ElementTree as ET

    response = app.post(
        "xml", service_code=NOISE, address_string="百官街道", description="楼道堆物。"
    )
    assert response.status_code == 201
    root = ET.fromstring(response.content)
    assert root.tag == "service_requests"
    assert root.findtext("request/service_request_id").startswith("SY")
    assert root.find("request/account_id").text is None
