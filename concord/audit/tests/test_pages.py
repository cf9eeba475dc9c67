"""The auditor's pages and API: only the security auditor reads the log (三员分立), searches it,
exports it (the export audited), and answers "who looked at my data" for one person."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from concord.api.auth import issue_token
from concord.audit.models import AuditAction, AuditEntry, record
from concord.cases.tests.factories import build_case
from concord.conftest import ApiClient

pytestmark = pytest.mark.django_db

OTHER_ROLES = ["admin", "clerk", "dispatcher", "leader", "baiguan", "grid"]


def reveal(web, case, party, who="clerk", ip="10.1.2.3"):
    response = web(who).post(f"/cases/{case.pk}/parties/{party.pk}/reveal", REMOTE_ADDR=ip)
    assert response.status_code == 200
    return AuditEntry.objects.filter(action=AuditAction.REVEAL_PII).latest("seq")


@pytest.fixture
def trail(web, persona):
    """Two cases; the clerk revealed a party of the first, the dispatcher exported."""
    first, second = build_case("registered"), build_case("registered")
    party = first.parties.first()
    revealed = reveal(web, first, party)
    record(
        actor=persona("dispatcher"), action=AuditAction.EXPORT, detail={"rows": 3}, ip="10.9.0.1"
    )
    return first, second, party, revealed


def test_only_the_auditor_reads_the_log(trail, auditor_web, signed_in, persona, web):
    page = auditor_web.get("/audit/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "审计日志" in text and "查看完整个人信息" in text and "10.1.2.3" in text
    for username in OTHER_ROLES:
        user = persona(username)
        client = signed_in(user) if username == "admin" else web(username)
        assert client.get("/audit/").status_code == 403, username
        assert client.get("/audit/export/csv").status_code == 403, username
        assert client.post("/audit/access/", {"id_number": "x"}).status_code == 403, username
        api = ApiClient(user)
        assert api.get("/audit").status_code == 403, username
        assert api.post("/audit/access", {"id_number": "x"}).status_code == 403, username


def test_search_by_actor_action_object_ip_and_time(trail, auditor_web, persona):
    _first, _second, party, revealed = trail
    rows = lambda **q: auditor_web.get("/audit/", q).content.decode().count("<tr data-seq=")  # noqa: E731
    assert rows(actor="clerk") == 1
    assert rows(actor="clerk", action="export") == 0
    assert rows(object_type="party", object_id=str(party.pk)) == 1
    assert rows(ip="10.9.0.1") == 1 and rows(ip="10.") == 2 and rows(ip="10.1.2.3") == 1
    now = timezone.localtime()
    since = (now - dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    assert rows(since=since) == 2
    assert rows(until=(now - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")) == 0


def test_bad_filters_are_refused_with_a_message(auditor_web, auditor):
    response = auditor_web.get("/audit/", {"ip": "10.0.0.1; drop", "action": "nope"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "IP 地址格式不正确" in text and "未知的动作" in text
    late = auditor_web.get("/audit/", {"since": "2026-02-01", "until": "2026-01-01"})
    assert late.status_code == 400 and "结束时间不能早于开始时间" in late.content.decode()
    export = auditor_web.get("/audit/export/csv", {"since": "yesterday"})
    assert export.status_code == 400 and "时间格式" in export.content.decode()
    assert auditor_web.get("/audit/export/pdf").status_code == 404
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_export_csv_and_xlsx_of_the_filtered_rows_is_audited(trail, auditor_web, auditor):
    _first, _second, party, revealed = trail
    response = auditor_web.get("/audit/export/csv", {"actor": "clerk"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[0][:3] == ["序号", "时间", "操作人账号"]
    assert [row[0] for row in table[1:]] == [str(revealed.seq)]
    assert table[1][6:10] == ["查看完整个人信息", "当事人", str(party.pk), "10.1.2.3"]
    entry = AuditEntry.objects.filter(action=AuditAction.EXPORT, actor=auditor).get()
    assert entry.detail == {
        "report": "audit-log",
        "format": "csv",
        "rows": 1,
        "filters": {"actor": "clerk"},
    }
    book = auditor_web.get("/audit/export/xlsx")
    sheet = load_workbook(io.BytesIO(book.content)).active
    exported = [row[0].value for row in sheet.iter_rows(min_row=2)]
    # Everything before this export, including the first export: the export never lists itself.
    assert exported == sorted(exported, reverse=True) and len(exported) == 3


def test_the_access_report_lists_who_looked_at_a_person(trail, web, auditor_web, auditor):
    first, second, party, revealed = trail
    other = second.parties.first()
    reveal(web, second, other, who="dispatcher", ip="10.7.7.7")
    page = auditor_web.post("/audit/access/", {"id_number": party.id_number})
    assert page.status_code == 200
    text = page.content.decode()
    assert first.tracking_code in text and second.tracking_code not in text
    assert "10.1.2.3" in text and "10.7.7.7" not in text
    # The number typed stays in the form (the pager and the exports post it again), nowhere else.
    assert text.count(party.id_number) == 1 and f'value="{party.id_number}"' in text
    assert party.id_number_masked in text
    lookup = AuditEntry.objects.get(action=AuditAction.ACCESS_REPORT)
    assert lookup.actor == auditor
    assert lookup.detail == {"id_number": party.id_number_masked, "phone": "", "parties": 1}
    assert party.id_number not in str(lookup.detail)
    by_phone = auditor_web.post("/audit/access/", {"phone": other.phone}).content.decode()
    assert second.tracking_code in by_phone and "10.7.7.7" in by_phone


def test_the_access_report_export_is_audited(trail, auditor_web, auditor):
    first, _second, party, revealed = trail
    response = auditor_web.post("/audit/access/export/xlsx", {"id_number": party.id_number})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == [revealed.seq]
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT, actor=auditor)
    assert entry.detail["report"] == "access-report"
    assert entry.detail["person"] == party.id_number_masked and entry.detail["rows"] == 1


def test_the_access_report_refuses_bad_numbers(auditor_web):
    for data, message in (
        ({}, "请填写身份证号或联系电话"),
        ({"id_number": "330602199001011235"}, "校验位错误"),
        ({"phone": "12345"}, "电话号码应为"),
    ):
        response = auditor_web.post("/audit/access/", data)
        assert response.status_code == 400 and message in response.content.decode()
    assert not AuditEntry.objects.filter(action=AuditAction.ACCESS_REPORT).exists()
    assert auditor_web.get("/audit/access/").status_code == 200


def test_api_lists_filters_and_reports_access(trail, auditor):
    _first, _second, party, revealed = trail
    key, _token = issue_token(auditor)
    api = ApiClient(None)
    api.headers = {"Authorization": f"Bearer {key}"}
    listed = api.get("/audit", {"actor": "clerk", "page_size": 10}).json()
    assert listed["count"] == 1
    (item,) = listed["items"]
    assert item["seq"] == revealed.seq and item["action"] == "reveal_pii"
    assert item["actor_username"] == "clerk" and item["entry_hash"] == revealed.entry_hash
    bad = api.get("/audit", {"ip": "<script>"})
    assert bad.status_code == 422 and bad.json()["errors"]["ip"] == "IP 地址格式不正确"
    report = api.post("/audit/access", {"id_number": party.id_number})
    assert report.status_code == 200
    body = report.json()
    assert body["person"] == party.id_number_masked and body["count"] == 1
    assert body["parties"][0]["case"] == party.case.tracking_code
    assert body["items"][0]["ip"] == "10.1.2.3"
    assert api.post("/audit/access", {}).status_code == 422
