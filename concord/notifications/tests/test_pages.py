"""The bell and the notifications page: own notifications only, reading them, bad ids, cost."""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from concord.cases.tests.factories import build_case
from concord.cases.tests.test_i18n import CJK, parse, texts
from concord.notifications.choices import Kind
from concord.notifications.context import unread
from concord.notifications.models import Notification
from concord.notifications.services import notify

BADGE = re.compile(r'<span class="bell-badge" id="unread-count">([^<]*)</span>')


def badge(response) -> str | None:
    found = BADGE.search(response.content.decode())
    return found.group(1) if found else None


def send(who, title: str, *, case=None, kind=Kind.DEADLINE_WARNED) -> Notification:
    (made,) = notify([who], kind=kind, title=title, case=case)
    return made


def test_the_bell_shows_the_unread_count(web, persona):
    baiguan = persona("baiguan")
    page = web("baiguan").get("/")
    assert 'id="bell"' in page.content.decode() and badge(page) is None
    send(baiguan, "签收即将到期")
    send(baiguan, "办理即将到期")
    send(persona("caoe"), "别人的通知")
    assert badge(web("baiguan").get("/")) == "2"
    assert badge(web("caoe").get("/cases/")) == "1"


def test_the_badge_stops_at_99(web, persona):
    notify([persona("baiguan")] * 1, kind=Kind.OTHER, title="一")
    Notification.objects.bulk_create(
        Notification(user=persona("baiguan"), kind=Kind.OTHER, title=str(n)) for n in range(120)
    )
    assert badge(web("baiguan").get("/")) == "99+"


def test_no_bell_before_logging_in(client, county):
    assert 'id="bell"' not in client.get("/accounts/login/").content.decode()
    response = client.get("/notifications/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_unread_count_costs_one_query_and_only_on_pages_that_show_it(web, persona):
    send(persona("clerk"), "超期督办")
    clerk = web("clerk")

    def counts(*args, **kwargs) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert clerk.get(*args, **kwargs).status_code == 200
        return sum("notifications_notification" in q["sql"] for q in queries)

    assert counts("/") == 1
    assert counts("/cases/") == 1
    assert counts("/cases/", headers={"HX-Request": "true"}) == 0  # a fragment, no top bar


def test_the_context_processor_counts_only_when_asked(persona, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = persona("baiguan")
    send(request.user, "一")
    with django_assert_num_queries(0):
        context = unread(request)
    with django_assert_num_queries(1):
        assert context["unread_notifications"] == 1
        assert str(context["unread_notifications"]) == "1" and context["unread_notifications"]


def test_the_list_shows_my_notifications_newest_first_with_unread_highlighted(web, persona):
    baiguan = persona("baiguan")
    case = build_case("assigned")
    first = send(baiguan, "签收即将到期", case=case)
    second = send(baiguan, "区矛调中心督办", case=case, kind=Kind.SUPERVISION)
    third = send(baiguan, "系统维护通知", kind=Kind.OTHER)
    send(persona("caoe"), "别人的通知")
    Notification.objects.filter(pk=second.pk).update(read_at=second.created_at)

    page = parse(web("baiguan").get("/notifications/"))
    assert texts(page, ".notification-title") == [
        "未读 系统维护通知",
        "区矛调中心督办",
        "未读 签收即将到期",
    ]
    items = page.find("li.notification")
    assert [e.attrs["data-id"] for e in items] == [str(third.pk), str(second.pk), str(first.pk)]
    assert [e.attrs["data-id"] for e in page.find("li.unread")] == [str(third.pk), str(first.pk)]
    assert texts(page, "li.notification .badge") == ["其他", "督办", "时限预警"]
    assert texts(page, ".notification-meta a") == [case.tracking_code] * 2
    assert page.find(".notification-meta a")[0].attrs["href"] == f"/cases/{case.pk}/"
    assert texts(page, "#read-all button") == ["全部标为已读"]
    assert "别人的通知" not in texts(page, "body")[0]


def test_the_list_pages_by_25(web, persona):
    baiguan = persona("baiguan")
    Notification.objects.bulk_create(
        Notification(user=baiguan, kind=Kind.OTHER, title=f"通知{n:02d}") for n in range(30)
    )
    page = parse(web("baiguan").get("/notifications/"))
    assert len(page.find("li.notification")) == 25
    assert "共 30 条，第 1 / 2 页" in texts(page, ".pager")[0]
    page = parse(web("baiguan").get("/notifications/?page=2"))
    assert len(page.find("li.notification")) == 5
    assert parse(web("baiguan").get("/notifications/?page=x")).find("li.notification")


def test_the_list_takes_the_same_queries_for_one_notification_or_a_page_full(web, persona):
    baiguan = persona("baiguan")
    client = web("baiguan")

    def queries() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/notifications/").status_code == 200
        return [q["sql"] for q in captured]

    send(baiguan, "签收即将到期", case=build_case("assigned"))
    one = queries()
    for _ in range(3):
        send(baiguan, "签收即将到期", case=build_case("assigned"))
    Notification.objects.bulk_create(
        Notification(user=baiguan, kind=Kind.OTHER, title=str(n)) for n in range(30)
    )
    full = queries()
    assert len(one) == len(full)
    # The page count, the page of notifications with their cases, and the unread count.
    assert sum("notifications_notification" in sql for sql in full) == 3
    assert not any('FROM "cases_case"' in sql for sql in full)


def test_an_empty_list_says_so(web, county):
    page = parse(web("hrss").get("/notifications/"))
    assert texts(page, "#notifications li") == ["暂无通知"]
    assert not page.find("#read-all") and not page.find(".pager")


def test_opening_a_notification_marks_it_read_and_opens_the_case(web, persona):
    case = build_case("assigned")
    made = send(persona("baiguan"), "签收即将到期", case=case)
    other = send(persona("baiguan"), "办理即将到期", case=case)
    baiguan = web("baiguan")
    response = baiguan.post(f"/notifications/{made.pk}/read")
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    made.refresh_from_db()
    other.refresh_from_db()
    assert made.read_at is not None and other.read_at is None
    assert badge(baiguan.get(response["Location"])) == "1"
    # Opening it again still leads to the case.
    assert baiguan.post(f"/notifications/{made.pk}/read")["Location"] == f"/cases/{case.pk}/"


def test_a_notification_without_a_case_leads_back_to_the_list(web, persona):
    made = send(persona("baiguan"), "系统维护通知", kind=Kind.OTHER)
    response = web("baiguan").post(f"/notifications/{made.pk}/read")
    assert response.status_code == 302 and response["Location"] == "/notifications/"


def test_another_users_notification_is_not_found_and_stays_unread(web, persona):
    theirs = send(persona("caoe"), "别人的通知")
    assert web("baiguan").post(f"/notifications/{theirs.pk}/read").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize(
    "path",
    [
        "/notifications/abc/read",
        "/notifications/-1/read",
        "/notifications/0/read",
        "/notifications/99999999999999999999999999/read",
        "/notifications/1.5/read",
    ],
)
def test_bad_ids_are_not_found(web, county, path):
    assert web("baiguan").post(path).status_code == 404


def test_reading_takes_a_post(web, persona):
    made = send(persona("baiguan"), "签收即将到期")
    assert web("baiguan").get(f"/notifications/{made.pk}/read").status_code == 405
    assert web("baiguan").get("/notifications/read").status_code == 405
    made.refresh_from_db()
    assert made.read_at is None


def test_marking_everything_read(web, persona):
    mine = [send(persona("baiguan"), f"通知{n}") for n in range(3)]
    theirs = send(persona("caoe"), "别人的通知")
    baiguan = web("baiguan")
    response = baiguan.post("/notifications/read", follow=True)
    assert response.redirect_chain == [("/notifications/", 302)]
    page = parse(response)
    assert texts(page, ".message.success") == ["已全部标为已读"]
    assert not page.find("li.unread") and not page.find("#read-all")
    assert badge(response) is None
    assert not Notification.objects.filter(pk__in=[n.pk for n in mine], read_at=None).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_bell_and_the_list_in_english(web, persona):
    case = build_case("assigned")
    send(persona("baiguan"), "签收即将到期", case=case)
    client = web("baiguan")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = parse(client.get("/notifications/"))
    assert texts(page, "h1") == ["Notifications"]
    assert texts(page, "#bell .sr-only") == ["Notifications"]
    assert page.find("#bell")[0].attrs["title"] == "Notifications"
    assert texts(page, "#read-all button") == ["Mark all as read"]
    assert texts(page, "li.notification .badge") == ["Deadline warning"]
    assert "1 notification, page 1 of 1" in texts(page, ".pager")[0]
    # No Chinese in what this app adds (the rest of the chrome is test_i18n's business).
    ours = ["title", "h1", "#bell", "#read-all", "li.notification .badge", ".pager"]
    assert not [t for selector in ours for t in texts(page, selector) if CJK.search(t)]
    assert page.find("html")[0].attrs["lang"] == "en"
    hrss = web("hrss")
    hrss.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert texts(parse(hrss.get("/notifications/")), "#notifications li") == ["No notifications"]


def test_the_bell_is_lit_on_the_list_page_and_the_case_list_is_not(web, county):
    page = parse(web("baiguan").get("/notifications/"))
    assert "active" in page.find("#bell")[0].classes
    assert [e.text() for e in page.find("nav.mainnav a") if "active" in e.classes] == []
    page = parse(web("baiguan").get("/cases/"))
    assert [e.text() for e in page.find("nav.mainnav a") if "active" in e.classes] == ["事项查询"]
