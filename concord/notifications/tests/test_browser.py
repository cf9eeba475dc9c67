"""The bell in a real browser: the unread count in the top bar, the list, opening one."""

import pytest
from playwright.sync_api import expect

from concord.browser import login_as, shot
from concord.cases.tests.factories import build_case
from concord.notifications.choices import Kind
from concord.notifications.models import Notification
from concord.notifications.services import notify

pytestmark = pytest.mark.browser


def test_opening_a_notification_from_the_bell(county, persona, page):
    baiguan = persona("baiguan")
    signing = build_case("assigned")
    handling = build_case("in_progress")
    notify(
        [baiguan],
        kind=Kind.DEADLINE_WARNED,
        title=f"{signing.tracking_code} 签收即将到期",
        body="请于今日17:30前签收。",
        case=signing,
    )
    notify(
        [baiguan],
        kind=Kind.SUPERVISION,
        title=f"{handling.tracking_code} 区矛调中心督办",
        body="办理已超期，请于2个工作日内回复办理进展。",
        case=handling,
    )
    notify([persona("caoe")], kind=Kind.OTHER, title="别人的通知")
    # One already read, to show the difference on the list.
    (old,) = notify([baiguan], kind=Kind.OTHER, title="系统将于周六22:00维护")
    Notification.objects.filter(pk=old.pk).update(read_at=old.created_at)

    login_as(page, "baiguan")
    bell = page.locator("#bell")
    expect(bell.locator("#unread-count")).to_have_text("2")
    shot(page, "notifications-01-bell")

    bell.click()
    page.wait_for_url("**/notifications/")
    expect(page.locator("h1")).to_have_text("通知")
    expect(page.locator("li.notification")).to_have_count(3)
    expect(page.locator("li.notification.unread")).to_have_count(2)
    expect(page.locator("#notifications")).not_to_contain_text("别人的通知")
    shot(page, "notifications-02-list")

    newest = page.locator("li.notification.unread").first
    expect(newest).to_contain_text("区矛调中心督办")
    with page.expect_navigation(url=f"**/cases/{handling.pk}/"):
        newest.locator(".notification-title").click()
    expect(page.locator("#tracking-code")).to_have_text(handling.tracking_code)
    expect(page.locator("#unread-count")).to_have_text("1")
    shot(page, "notifications-03-case")

    page.locator("#bell").click()
    expect(page.locator("li.notification.unread")).to_have_count(1)
    page.get_by_role("button", name="全部标为已读").click()
    expect(page.locator(".message.success")).to_have_text("已全部标为已读")
    expect(page.locator("li.notification.unread")).to_have_count(0)
    expect(page.locator("#unread-count")).to_have_count(0)
    shot(page, "notifications-04-all-read")
