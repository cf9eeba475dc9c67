"""Deadlines on the pages: the badge, the 时限 card with extension requests and decisions, the
超期督办 page and its on-time rates, and bounded queries on the case list and the inbox.

The clock stands still on Monday 2026-11-23 10:00; cases are built 45 days earlier (Friday
2026-10-09), so their 30-day 办结 node fell due on Monday 9 November and is overdue now."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from concord.cases import lifecycle
from concord.cases.choices import Result
from concord.cases.tests.factories import CAOE, build_case
from concord.deadlines.models import Deadline, Extension, Supervision
from concord.deadlines.sweep import sweep
from concord.deadlines.templatetags.deadlines import deadline_badge, overdue_for

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SH)
BUILT = NOW - dt.timedelta(days=45)
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def built(status: str = "in_progress", *, at: dt.datetime = BUILT, **kwargs):
    with time_machine.travel(at, tick=False):
        return build_case(status, **kwargs)


def overdue_case(**kwargs):
    """A case in progress at 百官街道 (or `town`) whose 办结 node is overdue, swept."""
    case = built(**kwargs)
    sweep(NOW)
    return case


def resolve_node(case) -> Deadline:
    return Deadline.objects.get(case=case, code="resolve")


def ask(web, who: str, case, deadline, **fields):
    data = {f"ext-{deadline.pk}-{name}": value for name, value in fields.items()}
    url = f"/deadlines/cases/{case.pk}/{deadline.pk}/extensions"
    return web(who).post(url, data, headers=HTMX)


# The badge


@pytest.mark.parametrize(
    ("fields", "state", "text"),
    [
        ({}, "pending", "按期"),
        ({"warned_at": NOW}, "warned", "即将到期"),
        ({"warned_at": NOW, "breached_at": NOW}, "breached", "已超期"),
        ({"breached_at": NOW, "met_at": NOW}, "met", "已完成"),
        ({"paused_at": NOW}, "paused", "已暂停"),
    ],
)
def test_the_badge_says_the_state_in_its_colour(fields, state, text):
    deadline = Deadline(label="办结", due_at=NOW, provisional=False, **fields)
    html = deadline_badge(deadline)
    assert f'class="dl-badge dl-{state}"' in html and f">{text}</span>" in html
    assert 'title="办结 到期时间 2026-11-23 10:00"' in html
    assert "待日历确认" not in html


def test_a_provisional_due_time_is_marked():
    html = deadline_badge(Deadline(label="办结", due_at=NOW, provisional=True))
    assert 'class="dl-provisional"' in html and "待日历确认" in html


@pytest.mark.parametrize(
    ("late", "text"),
    [
        (dt.timedelta(days=13, hours=10, minutes=1), "13天10小时"),
        (dt.timedelta(days=2), "2天"),
        (dt.timedelta(hours=2, minutes=5), "2小时5分钟"),
        (dt.timedelta(minutes=12), "12分钟"),
        (-dt.timedelta(minutes=12), "0分钟"),
    ],
)
def test_how_long_overdue_reads_in_days_and_hours(late, text):
    assert overdue_for(NOW - late, NOW) == text


def test_the_case_page_shows_each_node_with_its_badge_and_the_supervision(web):
    case = overdue_case()
    response = web("dispatcher").get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    card = response.context["deadline_card"]
    states = {row.deadline.code: row.deadline.state for row in card["rows"]}
    assert states == {"hand_down": "met", "sign": "met", "resolve": "breached"}
    html = response.content.decode()
    assert 'data-state="breached"' in html and "已超期" in html
    assert 'id="supervisions"' in html and "系统自动督办" in html
    assert Supervision.objects.get(case=case).reason in html
    # The dispatcher does not owe the node: no extension form for them.
    assert "申请延期" not in html


def test_the_case_list_and_inbox_show_the_most_urgent_open_node(web):
    late = overdue_case()
    fresh = built("accepted", at=NOW - dt.timedelta(minutes=10))
    listing = web("dispatcher").get("/cases/").content.decode()
    for case, state in ((late, "breached"), (fresh, "pending")):
        row = listing.split(case.tracking_code, 1)[1].split("</tr>", 1)[0]
        assert f'data-state="{state}"' in row
    inbox = web("baiguan").get("/").content.decode()
    row = inbox.split(late.tracking_code, 1)[1].split("</tr>", 1)[0]
    assert 'data-state="breached"' in row


# Extension requests from the page


def test_the_owning_organisation_gets_an_extension_form(web):
    case = overdue_case()
    html = web("baiguan").get(f"/cases/{case.pk}/").content.decode()
    assert "申请延期：办结" in html and f'id="extension-form-{resolve_node(case).pk}"' in html
    assert "已告知当事人延期理由" not in html  # a dispute: no party to tell
    assert "申请延期" not in web("clerk").get(f"/cases/{case.pk}/").content.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"amount": "0", "reason": "需现场勘验"}, "延长时限应为正整数"),
        ({"amount": "31", "reason": "需现场勘验"}, "最多还可延长30自然日"),
        ({"amount": "", "reason": "需现场勘验"}, "延长（自然日）"),
        ({"amount": "5", "reason": "  "}, "请填写延期理由"),
    ],
)
def test_a_bad_extension_request_says_why_and_saves_nothing(web, fields, message):
    case = overdue_case()
    response = ask(web, "baiguan", case, resolve_node(case), **fields)
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html and 'class="errorlist"' in html
    assert Extension.objects.count() == 0


def test_a_petition_extension_needs_the_petitioner_told(web):
    case = built(type="petition", channel="letter")
    deadline = resolve_node(case)
    assert deadline.node.tell_party_on_extension
    assert "已告知当事人延期理由" in web("baiguan").get(f"/cases/{case.pk}/").content.decode()
    response = ask(web, "baiguan", case, deadline, amount="10", reason="需现场勘验")
    assert response.status_code == 422
    assert "须先告知当事人（信访人）延期理由" in response.content.decode()
    assert Extension.objects.count() == 0
    told = ask(web, "baiguan", case, deadline, amount="10", reason="需现场勘验", party_told="on")
    assert told.status_code == 204 and Extension.objects.get().party_told


def test_another_town_cannot_ask_for_time_on_a_case_it_cannot_see(web):
    case = overdue_case()
    response = ask(web, "caoe", case, resolve_node(case), amount="5", reason="x")
    assert response.status_code == 404 and Extension.objects.count() == 0


def test_an_approved_extension_moves_the_due_time_and_clears_the_breach(web):
    case = overdue_case()
    deadline = resolve_node(case)
    assert deadline.due_at == dt.datetime(2026, 11, 9, 23, 59, 59, tzinfo=SH)
    asked = ask(web, "baiguan", case, deadline, amount="30", reason="需等待司法鉴定结果")
    assert asked.status_code == 204 and asked["HX-Redirect"] == f"/cases/{case.pk}/"
    extension = Extension.objects.get()
    # The handler sees the request waiting; only a supervisor gets the buttons.
    page = web("baiguan").get(f"/cases/{case.pk}/").content.decode()
    assert "需等待司法鉴定结果" in page and "申请延期：办结" not in page and "批准" not in page
    refused = web("baiguan").post(
        f"/deadlines/extensions/{extension.pk}/decision", {"approve": "1"}, headers=HTMX
    )
    assert (
        refused.status_code == 422
        and "只有调度员、领导或管理员可以审批延期" in refused.content.decode()
    )
    assert "不批准" in web("dispatcher").get(f"/cases/{case.pk}/").content.decode()
    approved = web("dispatcher").post(
        f"/deadlines/extensions/{extension.pk}/decision", {"approve": "1"}, headers=HTMX
    )
    assert approved.status_code == 204
    deadline.refresh_from_db()
    assert deadline.due_at == dt.datetime(2026, 12, 8, 23, 59, 59, tzinfo=SH)
    assert deadline.state == "pending" and deadline.extension == 30
    html = web("dispatcher").get(f"/cases/{case.pk}/").content.decode()
    row = html.split('data-node="resolve"', 1)[1].split("</tr>", 1)[0]
    assert 'data-state="pending"' in row and "已延期 30自然日" in row
    again = web("dispatcher").post(
        f"/deadlines/extensions/{extension.pk}/decision", {"approve": "0"}, headers=HTMX
    )
    assert again.status_code == 422 and "该延期申请已审批" in again.content.decode()


def test_a_rejected_extension_leaves_the_due_time(web):
    case = overdue_case()
    deadline = resolve_node(case)
    ask(web, "baiguan", case, deadline, amount="10", reason="人手不足")
    extension = Extension.objects.get()
    response = web("leader").post(
        f"/deadlines/extensions/{extension.pk}/decision", {"approve": "0", "comment": "请抓紧"}
    )
    assert response.status_code == 302
    extension.refresh_from_db()
    assert extension.status == "rejected" and extension.decision_comment == "请抓紧"
    assert resolve_node(case).due_at == deadline.due_at


# The 超期督办 page


def test_the_overdue_page_lists_only_cases_in_scope(web):
    baiguan = overdue_case()
    caoe = overdue_case(town=CAOE, handler="caoe")
    seen = {
        who: {d.case_id for d in web(who).get("/deadlines/overdue/").context["page"]}
        for who in ("dispatcher", "caoe", "baiguan")
    }
    assert seen == {
        "dispatcher": {baiguan.pk, caoe.pk},
        "caoe": {caoe.pk},
        "baiguan": {baiguan.pk},
    }
    html = web("caoe").get("/deadlines/overdue/").content.decode()
    assert caoe.tracking_code in html and baiguan.tracking_code not in html
    assert "13天10小时" in html  # due 9 November 23:59:59, now 23 November 10:00


def test_the_overdue_page_is_offered_to_supervisors_and_handlers(web):
    for who in ("dispatcher", "leader", "admin", "baiguan"):
        response = web(who).get("/deadlines/overdue/")
        assert response.status_code == 200 and "超期督办" in response.content.decode()
    assert web("clerk").get("/deadlines/overdue/").status_code == 404
    assert "/deadlines/overdue/" not in web("clerk").get("/").content.decode()


def test_the_on_time_rate_counts_nodes_met_in_time_over_nodes_met(web, persona):
    overdue_case()  # 交办 and 签收 in time; 办结 overdue now
    late = built()
    with time_machine.travel(NOW - dt.timedelta(days=5), tick=False):
        lifecycle.transition(
            late, actor=persona("baiguan"), action="resolve", result=Result.MEDIATED, reply="已调解"
        )  # 办结 two weeks late
    sweep(NOW)
    old = built("resolved", at=NOW - dt.timedelta(days=200))  # outside the 90 days
    Deadline.objects.filter(case=old).update(met_at=NOW - dt.timedelta(days=199))
    rates = web("dispatcher").get("/deadlines/overdue/").context["rates"]
    baiguan = next(r for r in rates if r["owner"] == persona("baiguan").organisation_id)
    assert (baiguan["on_time"], baiguan["met"], baiguan["overdue"]) == (4, 5, 1)
    assert baiguan["rate"] == 80.0
    assert web("caoe").get("/deadlines/overdue/").context["rates"] == []


# Bounded queries


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_case_list_and_inbox_do_not_query_per_row(web, django_assert_max_num_queries):
    for _ in range(2):
        overdue_case()
    dispatcher, baiguan = web("dispatcher"), web("baiguan")
    few = (_queries(dispatcher, "/cases/"), _queries(baiguan, "/"))
    for _ in range(4):
        overdue_case()
    built("accepted", at=timezone.now())
    assert (_queries(dispatcher, "/cases/"), _queries(baiguan, "/")) == few
    with django_assert_max_num_queries(12):
        dispatcher.get("/cases/")
    with django_assert_max_num_queries(12):
        baiguan.get("/")
    with django_assert_max_num_queries(12):
        dispatcher.get("/deadlines/overdue/")
