"""The delivery log in a real browser: the dispatcher finds the 12345 hotline's delivery that
failed while its receiver was down, sends it again, and sees it delivered."""

import re

import pytest
from playwright.sync_api import expect

from concord.browser import login_as, shot
from concord.cases.tests.factories import build_case
from concord.integrations.choices import DeliveryStatus
from concord.integrations.models import WebhookDelivery
from concord.integrations.webhooks import MAX_ATTEMPTS, deliver_webhooks

pytestmark = pytest.mark.browser


def test_a_failed_delivery_is_sent_again_from_the_log(page, subscribed, receiver):
    build_case("resolved", source="12345", source_id="GD20261123000042", channel="hotline_12345")
    deliver_webhooks()  # 受理 and 答复 delivered
    build_case("accepted", source="12345", source_id="GD20261123000043", channel="hotline_12345")
    receiver.stop()
    deliver_webhooks()  # the receiver is down: refused
    failed = WebhookDelivery.objects.get(case__source_id="GD20261123000043")
    assert "ConnectionRefusedError" in failed.last_error, failed.last_error
    # Its attempts ran out while the receiver stayed down.
    WebhookDelivery.objects.filter(pk=failed.pk).update(
        status=DeliveryStatus.FAILED, attempts=MAX_ATTEMPTS
    )

    login_as(page, "dispatcher")
    page.goto("/integrations/deliveries/")
    rows = page.locator("#deliveries tbody tr[data-delivery]")
    expect(rows).to_have_count(3)
    row = page.locator(f'tr[data-delivery="{failed.pk}"]')
    expect(row.locator(".badge")).to_have_text("失败")
    expect(row.locator("[data-col=attempts]")).to_have_text(f"{MAX_ATTEMPTS} / {MAX_ATTEMPTS}")
    expect(row.locator("[data-col=result]")).to_contain_text("ConnectionRefusedError")
    expect(page.locator('#delivery-totals [data-status="failed"] strong')).to_have_text("1")
    shot(page, "integrations-01-delivery-log")

    page.get_by_label("状态").select_option("failed")
    page.get_by_role("button", name="查询").click()
    expect(rows).to_have_count(1)
    shot(page, "integrations-02-failed-only")

    row.get_by_role("button", name="重新发送").click()
    expect(page.locator(".message.success")).to_contain_text("已重新排队")
    expect(page).to_have_url(re.compile(r"/integrations/deliveries/\?status=failed$"))
    expect(rows).to_have_count(0)  # pending now, no longer among the failed

    receiver.start()
    assert deliver_webhooks()["delivered"] == 1
    page.get_by_label("状态").select_option("delivered")
    page.get_by_role("button", name="查询").click()
    expect(rows).to_have_count(3)
    expect(row.locator(".badge")).to_have_text("已送达")
    expect(row.locator("[data-col=attempts]")).to_have_text(f"1 / {MAX_ATTEMPTS}")
    shot(page, "integrations-03-delivered")
    assert receiver.delivery_ids()[str(failed.pk)] == 1
