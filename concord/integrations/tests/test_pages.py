"""The delivery log (dispatchers and administrators): filters, attempts and errors, 重新发送 for
failed deliveries; and the 12345 feedback file, formula-safe, by 办结时间."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from concord.audit.models import AuditAction, AuditEntry
from concord.cases.tests.factories import build_case
from concord.integrations.choices import DeliveryStatus
from concord.integrations.models import WebhookDelivery
from concord.integrations.webhooks import deliver_webhooks

LOG = "/integrations/deliveries/"
SH = ZoneInfo("Asia/Shanghai")


def hotline_case(status: str, number: str, **draft):
    return build_case(status, source="12345", source_id=number, channel="hotline_12345", **draft)


@pytest.fixture
def log(subscribed, receiver):
    """Two deliveries delivered and one failed for good."""
    hotline_case("resolved", "GD-1")
    deliver_webhooks()
    hotline_case("accepted", "GD-2")
    WebhookDelivery.objects.filter(case__source_id="GD-2").update(
        status=DeliveryStatus.FAILED, attempts=12, last_error="ConnectionRefusedError: 拒绝连接"
    )
    return WebhookDelivery.objects.get(status=DeliveryStatus.FAILED)


@pytest.mark.parametrize("who", ["dispatcher", "admin"])
def test_dispatchers_and_admins_see_the_log(log, web, who):
    page = web(who).get(LOG)
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('data-delivery="') == 3
    assert "ConnectionRefusedError: 拒绝连接" in html and "HTTP 200" in html
    assert "12 / 12" in html
    assert html.count("重新发送</button>") == 1


@pytest.mark.parametrize("who", ["clerk", "baiguan", "leader"])
def test_others_may_not(log, web, who):
    assert web(who).get(LOG).status_code == 403
    assert web(who).post(f"/integrations/deliveries/{log.pk}/resend").status_code == 403
    assert web(who).get("/integrations/feedback/12345.xlsx").status_code == 403


def test_the_log_filters_by_system_state_and_event(log, web):
    dispatcher = web("dispatcher")
    system = log.webhook.system_id
    failed = dispatcher.get(LOG, {"system": system, "status": "failed"}).content.decode()
    assert failed.count('data-delivery="') == 1 and f'data-delivery="{log.pk}"' in failed
    answered = dispatcher.get(LOG, {"event": "answered"}).content.decode()
    assert answered.count('data-delivery="') == 1
    bad = dispatcher.get(LOG, {"status": "lost", "system": "999"})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "未知的状态「lost」" in html and "没有这个对接系统" in html
    assert 'data-delivery="' not in html


def test_resending_a_failed_delivery_queues_it_again(log, web, receiver):
    response = web("dispatcher").post(
        f"/integrations/deliveries/{log.pk}/resend?status=failed&page=1"
    )
    assert response.status_code == 302 and response["Location"] == f"{LOG}?status=failed&page=1"
    log.refresh_from_db()
    assert (log.status, log.attempts) == ("pending", 0)
    assert deliver_webhooks()["delivered"] == 1
    again = web("dispatcher").post(f"/integrations/deliveries/{log.pk}/resend", follow=True)
    assert "只有失败的投递可以重新发送" in again.content.decode()
    assert web("dispatcher").get(f"/integrations/deliveries/{log.pk}/resend").status_code == 405
    assert web("dispatcher").post("/integrations/deliveries/99999/resend").status_code == 404


def export(web, **params):
    return web("dispatcher").get("/integrations/feedback/12345.xlsx", params)


def rows_of(response) -> list[list]:
    book = load_workbook(io.BytesIO(response.content))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def test_the_feedback_file_lists_the_answered_work_orders(hotline, web):
    with time_machine.travel(dt.datetime(2026, 11, 10, 10, 0, tzinfo=SH), tick=False):
        rated = hotline_case("rated", '=HYPERLINK("http://evil","点我")')
        hotline_case("in_progress", "GD-OPEN")  # not answered yet
        build_case("resolved")  # not from 12345
    with time_machine.travel(dt.datetime(2026, 12, 2, 10, 0, tzinfo=SH), tick=False):
        hotline_case("resolved", "GD-DEC")  # answered after the range

    response = export(web, **{"from": "2026-11-01", "to": "2026-11-30"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="feedback-12345-20261101-20261130.xlsx"'
    )
    rows = rows_of(response)
    assert rows[0] == [
        "工单编号",
        "查询码",
        "办理状态",
        "办理结果",
        "答复内容",
        "办结时间",
        "满意度",
    ]
    assert rows[1:] == [
        [
            '\'=HYPERLINK("http://evil","点我")',
            rated.tracking_code,
            "已评价",
            "调解成功",
            "经调解双方达成一致。",
            "2026-11-10 10:00",
            "满意",
        ]
    ]
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.detail == {
        "report": "feedback",
        "from": "2026-11-01",
        "to": "2026-11-30",
        "rows": 1,
    }


def test_the_feedback_file_defaults_to_this_month(hotline, web):
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, 0, tzinfo=SH), tick=False):
        hotline_case("resolved", "GD-1")
        response = export(web)
    assert "20261101-20261120" in response["Content-Disposition"]
    assert len(rows_of(response)) == 2


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2026-13-01"}, "日期应为 YYYY-MM-DD 格式"),
        ({"to": "yesterday"}, "收到「yesterday」"),
        ({"from": "2026-11-30", "to": "2026-11-01"}, "开始日期不能晚于结束日期"),
        ({"from": "2020-01-01", "to": "2026-11-01"}, "一次最多导出366天"),
    ],
)
def test_bad_dates_are_refused_clearly(hotline, web, params, message):
    response = export(web, **params)
    assert response.status_code == 400 and message in response.content.decode()
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_an_unknown_system_is_404(county, web):
    assert web("dispatcher").get("/integrations/feedback/nobody.xlsx").status_code == 404
