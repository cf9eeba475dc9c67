"""GET requests and one request: only with the system's key, only the requests that system sent
through Open311, with the spec's status, notes, agency and dates, and nothing personal."""

import datetime as dt
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

import pytest
import time_machine

from concord.cases import lifecycle
from concord.cases.choices import Channel
from concord.cases.services import CaseDraft, register_case
from concord.cases.tests.factories import build_case
from concord.deadlines.models import Deadline
from concord.open311.models import ServiceRequest
from concord.open311.serialisers import w3

from .conftest import BASE, NOISE, case_of

SH = ZoneInfo("Asia/Shanghai")
FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "lat",
    "long",
    "media_url",
]


def test_a_new_request_reads_back_open_with_its_status_in_words(app):
    answer = app.report(lat="30.031", long="120.871")
    read = app.read(answer["service_request_id"])
    case = case_of(answer)
    assert list(read) == FIELDS
    assert read["service_request_id"] == case.tracking_code
    assert (read["status"], read["status_notes"]) == ("open", "登记")
    assert (read["service_code"], read["service_name"]) == (NOISE, "噪音扰民")
    assert read["description"] == "楼上住户每晚装修到十一点，多次沟通无果。"
    assert read["agency_responsible"] == case.registered_org.name
    assert read["requested_datetime"] == w3(case.received_at)
    assert read["requested_datetime"].endswith("+08:00")
    assert read["expected_datetime"] is None  # the 办结 clock starts at acceptance
    assert (read["lat"], read["long"]) == (30.031, 120.871)
    assert read["address"] == "上虞区百官街道市民大道100号"


def test_accepted_it_carries_the_resolve_deadline_and_resolved_it_is_closed_with_the_reply(
    app, walk
):
    answer = app.report()
    case = walk(case_of(answer), "accepted")
    due = Deadline.objects.get(case=case, code="resolve", task=None).due_at
    read = app.read(answer["service_request_id"])
    assert (read["status"], read["status_notes"]) == ("open", "已受理")
    assert read["expected_datetime"] == w3(due)

    case = walk(case, "in_progress")
    read = app.read(answer["service_request_id"])
    assert read["agency_responsible"] == case.lead_org.name
    assert read["status_notes"] == "办理中"

    case = walk(case, "resolved", reply="已约谈施工方，晚八点后停工。")
    read = app.read(answer["service_request_id"])
    assert (read["status"], read["status_notes"]) == ("closed", "已约谈施工方，晚八点后停工。")
    assert read["updated_datetime"] == w3(case.resolved_at)
    assert read["expected_datetime"] is None


def test_a_refused_request_is_closed_with_the_reason(app, persona):
    answer = app.report()
    lifecycle.transition(
        case_of(answer), actor=persona("clerk"), action="refuse", comment="不属于调解范围。"
    )
    read = app.read(answer["service_request_id"])
    assert (read["status"], read["status_notes"]) == ("closed", "不予受理：不属于调解范围。")


def test_a_labour_request_is_due_from_registration(app):
    """The labour mediation clock starts at registration (劳动争议调解仲裁法 art. 14)."""
    answer = app.report(service_code="labour-wage-arrears", description="老板拖欠三个月工资。")
    due = Deadline.objects.get(case=case_of(answer), code="resolve").due_at
    assert app.read(answer["service_request_id"])["expected_datetime"] == w3(due)


def test_reading_needs_the_key_and_sees_only_the_systems_own_requests(app, other_app, client):
    mine = app.report()["service_request_id"]
    theirs = other_app.report()["service_request_id"]
    assert client.get(f"{BASE}/requests/{mine}.json").status_code == 403
    assert client.get(f"{BASE}/requests.json").status_code == 403
    refused = app.get(f"requests/{theirs}.json")
    assert refused.status_code == 404
    assert refused.json() == [
        {"code": 404, "description": f"服务请求 {theirs} 不存在或不是本系统提交的"}
    ]
    listed = [r["service_request_id"] for r in app.get("requests.json").json()]
    assert listed == [mine]


def test_cases_that_did_not_come_through_open311_are_never_shown(app):
    """A window case, and a case the same system sent by another door (the inbound API)."""
    window = build_case(category=NOISE)
    by_api = register_case(
        actor=app.system.account,
        draft=CaseDraft(
            type="dispute",
            channel=Channel.PORTAL,
            description="经入站接口登记。",
            category=NOISE,
            source=app.system.code,
            source_id="A-1",
        ),
    )
    mine = app.report()["service_request_id"]
    assert [r["service_request_id"] for r in app.get("requests.json").json()] == [mine]
    for case in (window, by_api):
        assert app.get(f"requests/{case.tracking_code}.json").status_code == 404
    ids = f"{mine},{window.tracking_code},{by_api.tracking_code}"
    listed = app.get("requests.json", service_request_id=ids).json()
    assert [r["service_request_id"] for r in listed] == [mine]


def test_no_names_phones_or_emails_in_lists_or_details(app):
    code = app.report(
        first_name="建国", last_name="王", phone="13805759876", email="wang@example.org"
    )["service_request_id"]
    for response in (app.get("requests.json"), app.get(f"requests/{code}.xml")):
        text = response.content.decode()
        for personal in ("王建国", "建国", "13805759876", "9876", "wang@example.org"):
            assert personal not in text


def test_lists_filter_by_ids_service_and_status(app, walk):
    noise = app.report()["service_request_id"]
    wages = app.report(service_code="labour-wage-arrears")["service_request_id"]
    closed = app.report()["service_request_id"]
    walk(case_of({"service_request_id": closed}), "resolved")

    def ids(**query):
        response = app.get("requests.json", **query)
        assert response.status_code == 200, response.content
        return [r["service_request_id"] for r in response.json()]

    assert ids() == [closed, wages, noise]  # newest first
    assert ids(service_code=NOISE) == [closed, noise]
    assert ids(service_code=f"{NOISE},labour-wage-arrears", status="open") == [wages, noise]
    assert ids(status="closed") == [closed]
    assert ids(status="open,closed") == [closed, wages, noise]
    # service_request_id overrides every other argument.
    assert ids(service_request_id=f"{noise}, {wages}", status="closed") == [wages, noise]


def test_the_date_range_defaults_to_the_last_90_days_and_may_not_be_longer(app):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SH), tick=False):
        old = app.report()["service_request_id"]
    with time_machine.travel(dt.datetime(2026, 6, 15, 9, 0, tzinfo=SH), tick=False):
        new = app.report()["service_request_id"]

        def ids(**query):
            response = app.get("requests.json", **query)
            assert response.status_code == 200, response.content
            return [r["service_request_id"] for r in response.json()]

        assert ids() == [new]
        assert ids(start_date="2026-03-01T00:00:00Z", end_date="2026-03-31T00:00:00Z") == [old]
        # An offset sent unencoded arrives as a space; a bare date is local midnight.
        assert ids(start_date="2026-03-02T08:00:00 08:00", end_date="2026-03-03") == [old]
        assert ids(start_date="2026-03-02T10:00:00+08:00") == []
        assert ids(end_date="2026-05-30") == [old]  # from 90 days before
        assert ids(end_date="2026-06-01") == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"status": "pending"}, "status 只能是 open 或 closed，收到：pending"),
        ({"service_code": "pothole"}, "服务类型不存在：pothole"),
        ({"start_date": "yesterday"}, "start_date 应为 W3C 日期时间，如 2026-01-01T00:00:00+08:00"),
        ({"end_date": "2026-02-30"}, "end_date 应为 W3C 日期时间，如 2026-01-01T00:00:00+08:00"),
        (
            {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
            "start_date 至 end_date 不能超过90天",
        ),
        (
            {"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},
            "end_date 不能早于 start_date",
        ),
        ({"service_request_id": ",".join(["SY1"] * 1001)}, "service_request_id 一次最多1000个"),
        ({"service_code": "noise\x00"}, "service_code 含有不可见的控制字符"),
    ],
)
def test_bad_list_arguments_are_400(app, query, message):
    response = app.get("requests.json", **query)
    assert response.status_code == 400
    assert message in [e["description"] for e in response.json()]


def test_a_list_costs_the_same_queries_for_one_request_or_many(
    app, walk, django_assert_num_queries
):
    first = app.report()
    walk(case_of(first), "accepted")
    # key lookup, requests, resolve clocks, closing events
    with django_assert_num_queries(4):
        assert len(app.get("requests.json").json()) == 1
    for _ in range(5):
        walk(case_of(app.report()), "resolved")
    with django_assert_num_queries(4):
        assert len(app.get("requests.json").json()) == 6


def test_requests_in_xml_use_the_spec_element_names(app, walk):
    answer = app.report(media_url="https://example.org/1.jpg")
    walk(case_of(answer), "resolved")
    root = ET.fromstring(app.get(f"requests/{answer['service_request_id']}.xml").content)
    assert root.tag == "service_requests"
    request = root.find("request")
    assert [child.tag for child in request] == FIELDS
    assert request.findtext("status") == "closed"
    assert request.findtext("media_url") == "https://example.org/1.jpg"
    assert request.find("expected_datetime").text is None


def test_a_token_gives_back_the_service_request_id(app, client):
    answer = app.report()
    token = ServiceRequest.objects.get(case=case_of(answer)).token
    response = client.get(f"{BASE}/tokens/{token}.json")
    assert response.json() == [{"service_request_id": answer["service_request_id"], "token": token}]
    assert client.get(f"{BASE}/tokens/{'0' * 32}.json").status_code == 404
    assert client.get(f"{BASE}/tokens/nonsense.xml").status_code == 404
