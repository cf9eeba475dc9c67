"""The dispatcher's queue (分流调度) and the ping-pong report (踢皮球统计), through HTTP."""

import datetime as dt
import re

import pytest
import time_machine
from django.utils import timezone

from concord.accounts.models import Role, User
from concord.cases import lifecycle
from concord.cases.models import Case
from concord.cases.tests.factories import BAIGUAN, CAOE, build_case
from concord.geo.models import Division
from concord.orgs.models import Organisation
from concord.routing.models import RoutingDecision
from concord.routing.services import route

QUEUE = "/routing/queue/"
ROUTE = "/routing/queue/route"
PINGPONG = "/routing/queue/pingpong"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)


def songxia() -> str:
    return Division.objects.get(name="崧厦街道").code


def org(code: str) -> Organisation:
    return Organisation.objects.get(code=code)


def user(username: str) -> User:
    return User.objects.select_related("organisation").get(username=username)


def wage_case(people: int = 30, **draft) -> Case:
    return build_case(
        "accepted",
        town=songxia(),
        category="labour-wage-arrears",
        people_count=people,
        title=draft.pop("title", "建材公司拖欠工资"),
        **draft,
    )


def with_risk(case: Case, level: str) -> Case:
    Case.objects.filter(pk=case.pk).update(risk_level=level)
    case.refresh_from_db()
    return case


def give_back(case: Case, handler: str, reason: str) -> Case:
    """The handler's organisation returns its lead task: the case goes back to dispatch."""
    return lifecycle.transition(case, actor=user(handler), action="return", comment=reason)


def assign(case: Case, lead: str) -> Case:
    return route(case, actor=user("dispatcher"), lead_org=org(lead).pk, assisting_orgs=[])


def rows(response) -> list[str]:
    """The tracking codes of the queue's rows, in order."""
    return re.findall(r'<td class="code"><a href="/cases/\d+/">(\w+)</a>', response.text)


def row_of(response, case: Case) -> str:
    match = re.search(rf'<tr data-case="{case.pk}".*?</tr>', response.text, re.S)
    assert match, f"{case.tracking_code} is not in the queue"
    return match.group(0)


# The queue.


def test_the_queue_puts_red_first_then_the_longest_waiting(web, county):
    with time_machine.travel(MONDAY, tick=False) as clock:
        blue_old = with_risk(build_case("accepted", title="蓝色早"), "blue")
        clock.shift(dt.timedelta(hours=1))
        red_new = with_risk(build_case("accepted", title="红色晚"), "red")
        clock.shift(dt.timedelta(hours=1))
        orange = with_risk(build_case("accepted", title="橙色"), "orange")
        red_old = with_risk(build_case("accepted", title="红色早"), "red")
        clock.shift(dt.timedelta(hours=1))
        yellow = with_risk(build_case("accepted", title="黄色"), "yellow")
        build_case("registered")  # not accepted yet: not waiting for routing
        build_case("assigned")  # already routed
        clock.shift(dt.timedelta(hours=2))
        response = web("dispatcher").get(QUEUE)
    assert response.status_code == 200
    expected = [red_new, red_old, orange, yellow, blue_old]
    # Within red, the one accepted an hour earlier waited longer.
    expected[0:2] = sorted(expected[0:2], key=lambda c: c.accepted_at)
    assert rows(response) == [c.tracking_code for c in expected]
    assert "5小时" in row_of(response, blue_old)


def test_each_row_shows_the_case_its_place_its_people_and_the_suggested_lead(web, county):
    case = wage_case(30)
    row = row_of(web("dispatcher").get(QUEUE), case)
    assert f'href="/cases/{case.pk}/"' in row and case.title in row
    assert "拖欠工资" in row and "崧厦街道" in row
    assert '<td class="num">30</td>' in row
    assert "上虞区人力资源和社会保障局" in row
    assert "群体性欠薪（30人以上）：区人力社保局主办" in row
    assert 'class="risk risk-' in row
    small = wage_case(3)
    assert "崧厦街道矛调中心" in row_of(web("dispatcher").get(QUEUE), small)


def test_a_returned_case_is_back_with_who_returned_it_why_and_the_hop(web, county):
    with time_machine.travel(MONDAY, tick=False) as clock:
        case = route(wage_case(30), actor=user("dispatcher"))
        clock.shift(dt.timedelta(days=1))
        give_back(case, "hrss", "欠薪主体为个人包工头，应由属地调处")
        clock.shift(dt.timedelta(hours=3))
        row = row_of(web("dispatcher").get(QUEUE), case)
    assert "上虞区人力资源和社会保障局 于 03-03 09:00 退回" in row
    assert "欠薪主体为个人包工头，应由属地调处" in row
    assert '<td class="num hops"><strong>1</strong></td>' in row
    # Waiting counts from the return, not from the first acceptance a day earlier.
    assert re.search(r'class="nowrap waiting" title="自退回起 2026-03-03 09:00">3小时', row)
    assert "踢皮球" not in row


def test_a_case_returned_more_than_twice_is_flagged(web, county):
    case = wage_case(3)
    for handler, town in (("baiguan", "town-330604001"), ("caoe", "town-330604002")) * 2:
        case = give_back(assign(case, town), handler, "不属于本镇街管辖")
        if case.hop_count == 2:
            assert "踢皮球" not in row_of(web("dispatcher").get(QUEUE), case)
        if case.hop_count == 3:
            break
    row = row_of(web("dispatcher").get(QUEUE), case)
    assert '<span class="flag"' in row and "踢皮球" in row
    assert '<strong class="late">3</strong>' in row


def test_the_queue_costs_the_same_queries_for_one_row_or_a_full_page(
    web, county, django_assert_max_num_queries, settings
):
    settings.CONCORD = {**settings.CONCORD, "PAGE_SIZE": 12}
    client = web("dispatcher")
    first = route(wage_case(30), actor=user("dispatcher"))
    give_back(first, "hrss", "请属地先行调处")
    client.get(QUEUE)  # warm the rule book and the session
    with django_assert_max_num_queries(14) as one:
        assert len(rows(client.get(QUEUE))) == 1
    for n in range(12):
        case = wage_case(30) if n % 3 else build_case("accepted", town=CAOE)
        if n % 4 == 0:
            give_back(assign(case, "hrss"), "hrss", "退回")
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(QUEUE)
    assert len(rows(response)) == 12 and "共 13 件，第 1 / 2 页" in response.text


def test_the_queue_pages(web, county, settings):
    settings.CONCORD = {**settings.CONCORD, "PAGE_SIZE": 2}
    for _ in range(3):
        build_case("accepted")
    second = web("dispatcher").get(QUEUE, {"page": 2})
    assert len(rows(second)) == 1 and "共 3 件，第 2 / 2 页" in second.text
    assert len(rows(web("dispatcher").get(QUEUE, {"page": "x"}))) == 2


@pytest.mark.parametrize("username", ["clerk", "hrss", "baiguan", "leader", "grid"])
def test_only_dispatchers_and_admins_have_the_queue(web, county, username):
    assert web(username).get(QUEUE).status_code == 404
    assert web(username).get(PINGPONG).status_code == 404
    assert web(username).post(ROUTE, {"case": [build_case("accepted").pk]}).status_code == 404
    assert not RoutingDecision.objects.exists()


def test_the_admin_has_the_queue_and_a_visitor_must_log_in(web, county, client):
    assert web("admin").get(QUEUE).status_code == 200
    assert client.get(QUEUE).status_code == 302


def town_dispatcher() -> User:
    return User.objects.create_user(
        "caoe-dispatcher", role=Role.DISPATCHER, organisation=org("town-330604002")
    )


def test_a_town_dispatcher_sees_only_its_town(client, county):
    mine = build_case("accepted", town=CAOE)
    other = build_case("accepted", town=BAIGUAN)
    client.force_login(town_dispatcher())
    codes = rows(client.get(QUEUE))
    assert mine.tracking_code in codes and other.tracking_code not in codes


# Routing the selected cases as suggested.


def test_the_selected_cases_are_routed_as_the_rules_suggest(web, county):
    group, small, untouched = wage_case(30), wage_case(3), wage_case(3)
    response = web("dispatcher").post(ROUTE, {"case": [group.pk, small.pk]}, follow=True)
    assert response.redirect_chain[-1][0] == QUEUE
    text = response.text
    assert f"{group.tracking_code} 已交办，主办：上虞区人力资源和社会保障局" in text
    assert f"{small.tracking_code} 已交办，主办：崧厦街道矛调中心" in text
    group.refresh_from_db()
    small.refresh_from_db()
    assert group.status == small.status == "assigned"
    assert group.lead_org == org("hrss")
    assert set(group.tasks.values_list("organisation__name", "role")) == {
        ("上虞区人力资源和社会保障局", "lead"),
        ("崧厦街道矛调中心", "assist"),
    }
    decisions = RoutingDecision.objects.filter(case__in=[group, small])
    assert decisions.count() == 2 and not decisions.filter(overridden=True).exists()
    assert rows(response) == [untouched.tracking_code]


def test_a_case_someone_routed_meanwhile_is_refused_and_the_others_go_on(web, county):
    first, taken, last = wage_case(3), wage_case(3), wage_case(3)
    assign(taken, "town-330604001")  # another dispatcher was quicker
    response = web("dispatcher").post(ROUTE, {"case": [first.pk, taken.pk, last.pk]}, follow=True)
    text = response.text
    assert f"{taken.tracking_code} 未交办：事项当前状态为「已交办」，不能交办" in text
    assert f"{first.tracking_code} 已交办" in text and f"{last.tracking_code} 已交办" in text
    assert "已交办 2 件，1 件未交办" in text
    taken.refresh_from_db()
    assert taken.lead_org.code == "town-330604001"
    assert RoutingDecision.objects.filter(case=taken).count() == 1


def test_ids_out_of_scope_or_malformed_are_refused_and_nothing_is_done_for_them(client, county):
    mine = build_case("accepted", town=CAOE)
    other = build_case("accepted", town=BAIGUAN)
    client.force_login(town_dispatcher())
    response = client.post(
        ROUTE, {"case": [other.pk, "1; drop", "", mine.pk, 10**30, 999999]}, follow=True
    )
    text = response.text
    assert f"事项 {other.pk} 不存在或不在您的管辖范围，未处理" in text
    assert "事项 999999 不存在或不在您的管辖范围，未处理" in text
    assert "无效的事项编号「1; drop」，未处理" in text and "无效的事项编号「」" in text
    assert f"无效的事项编号「{str(10**30)[:20]}」" in text  # cut short
    assert f"{mine.tracking_code} 已交办" in text
    other.refresh_from_db()
    assert other.status == "accepted" and not other.routing_decisions.exists()
    assert other.tracking_code not in text


def test_routing_nothing_or_too_much_is_refused(web, county):
    client = web("dispatcher")
    assert "请先勾选要交办的事项" in client.post(ROUTE, {}, follow=True).text
    case = build_case("accepted")
    answer = client.post(ROUTE, {"case": [case.pk] * 101}, follow=True)
    assert "一次最多交办100件，未作处理" in answer.text
    case.refresh_from_db()
    assert case.status == "accepted"
    assert client.get(ROUTE).status_code == 405


def test_after_routing_the_dispatcher_is_back_on_the_same_page(web, county):
    case = build_case("accepted")
    response = web("dispatcher").post(ROUTE, {"case": [case.pk], "page": "2"})
    assert response.status_code == 302 and response["Location"] == f"{QUEUE}?page=2"
    response = web("dispatcher").post(ROUTE, {"case": [case.pk], "page": "2&x=1"})
    assert response["Location"] == QUEUE


# The ping-pong report.


def bounce(case: Case, *hops: tuple[str, str, str]) -> Case:
    """Assign to each (organisation, its handler) in turn; the handler returns it."""
    for lead, handler, reason in hops:
        case = give_back(assign(case, lead), handler, reason)
    return case


BAIGUAN_CENTER = ("town-330604001", "baiguan", "不在本镇街")
CAOE_CENTER = ("town-330604002", "caoe", "不在本镇街")
HRSS = ("hrss", "hrss", "应由属地调处")


def pair_rows(response) -> list[tuple[str, str, int, int]]:
    table = re.search(r'<table class="list pairs-table">.*?</table>', response.text, re.S)
    found = re.findall(
        r'<td class="returned-by">(.*?)</td>.*?<td class="next-lead">(.*?)</td>\s*'
        r'<td class="num returns">(\d+)</td>\s*<td class="num">(\d+)</td>',
        table.group(0),
        re.S,
    )
    return [(a, re.sub(r"<.*?>", "", b), int(n), int(c)) for a, b, n, c in found]


def test_the_report_pairs_each_return_with_the_next_lead(web, county):
    one = bounce(wage_case(3), BAIGUAN_CENTER, HRSS, BAIGUAN_CENTER)
    assign(one, "town-330604002")
    two = bounce(wage_case(3), BAIGUAN_CENTER)
    assign(two, "hrss")
    three = bounce(wage_case(30), HRSS)  # still waiting for dispatch
    response = web("dispatcher").get(PINGPONG)
    assert response.status_code == 200
    assert pair_rows(response) == [
        ("百官街道矛调中心", "上虞区人力资源和社会保障局", 2, 2),
        ("上虞区人力资源和社会保障局", "百官街道矛调中心", 1, 1),
        ("上虞区人力资源和社会保障局", "尚未再交办", 1, 1),
        ("百官街道矛调中心", "曹娥街道矛调中心", 1, 1),
    ]
    assert "期间共退回 5 次，涉及 3 件事项。" in response.text
    assert three.status == "accepted"


def test_the_report_covers_the_last_90_days_unless_told_otherwise(web, county):
    with time_machine.travel(MONDAY, tick=False) as clock:
        old = bounce(wage_case(3), BAIGUAN_CENTER)
        clock.shift(dt.timedelta(days=100))
        bounce(wage_case(3), CAOE_CENTER)
        client = web("dispatcher")
        recent = pair_rows(client.get(PINGPONG))
        assert [p[0] for p in recent] == ["曹娥街道矛调中心"]
        assert 'value="2026-06-10"' in client.get(PINGPONG).text  # 100 days on
        both = pair_rows(client.get(PINGPONG, {"start": "2026-03-01"}))
        assert sorted(p[0] for p in both) == ["曹娥街道矛调中心", "百官街道矛调中心"]
        only_old = pair_rows(client.get(PINGPONG, {"start": "2026-03-02", "end": "2026-03-02"}))
        assert only_old == [("百官街道矛调中心", "尚未再交办", 1, 1)]
    assert old.hop_count == 1


def test_a_backwards_or_bad_range_is_explained(web, county):
    client = web("dispatcher")
    backwards = client.get(PINGPONG, {"start": "2026-05-01", "end": "2026-04-01"})
    assert backwards.status_code == 200 and "起始日期不能晚于截止日期" in backwards.text
    assert '<table class="list pairs-table">' not in backwards.text
    assert "has-error" in client.get(PINGPONG, {"start": "yesterday"}).text


def test_the_report_and_the_flags_stay_within_scope(client, county):
    bounce(build_case("accepted", town=BAIGUAN), BAIGUAN_CENTER)
    hidden = bounce(build_case("accepted", town=BAIGUAN), BAIGUAN_CENTER, BAIGUAN_CENTER)
    hidden = bounce(hidden, BAIGUAN_CENTER)
    mine = bounce(build_case("accepted", town=CAOE), CAOE_CENTER, CAOE_CENTER, CAOE_CENTER)
    client.force_login(town_dispatcher())
    response = client.get(PINGPONG)
    assert pair_rows(response) == [("曹娥街道矛调中心", "曹娥街道矛调中心", 2, 1)] + [
        ("曹娥街道矛调中心", "尚未再交办", 1, 1)
    ]
    assert mine.tracking_code in response.text and hidden.tracking_code not in response.text


def test_the_flag_list_shows_open_cases_returned_more_than_twice(web, county):
    flagged = bounce(wage_case(3), BAIGUAN_CENTER, CAOE_CENTER, BAIGUAN_CENTER)
    twice = bounce(wage_case(3), BAIGUAN_CENTER, CAOE_CENTER)
    closed = bounce(wage_case(3), BAIGUAN_CENTER, CAOE_CENTER, BAIGUAN_CENTER)
    lifecycle.transition(closed, actor=user("clerk"), action="refer", comment="转信访渠道")
    section = web("dispatcher").get(PINGPONG).text.split('id="flagged"')[1]
    assert flagged.tracking_code in section
    assert twice.tracking_code not in section and closed.tracking_code not in section
    assert '<strong class="late">3</strong>' in section


def test_the_report_costs_a_bounded_number_of_queries(web, county, django_assert_max_num_queries):
    client = web("dispatcher")
    bounce(wage_case(3), BAIGUAN_CENTER, CAOE_CENTER, HRSS)
    client.get(PINGPONG)
    with django_assert_max_num_queries(16) as few:
        client.get(PINGPONG)
    for _ in range(6):
        assign(bounce(wage_case(3), BAIGUAN_CENTER, CAOE_CENTER, HRSS), "hrss")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(PINGPONG)
    assert len(pair_rows(response)) == 4 and "期间共退回 21 次，涉及 7 件事项。" in response.text


def test_a_return_at_local_midnight_falls_on_its_local_day(web, county):
    with time_machine.travel(dt.datetime(2026, 3, 3, 0, 30, tzinfo=SHANGHAI), tick=False):
        bounce(wage_case(3), BAIGUAN_CENTER)
        client = web("dispatcher")
        same_day = pair_rows(client.get(PINGPONG, {"start": "2026-03-03", "end": "2026-03-03"}))
        day_before = pair_rows(client.get(PINGPONG, {"start": "2026-03-02", "end": "2026-03-02"}))
    assert len(same_day) == 1 and day_before == []
    assert timezone.get_current_timezone_name() == "Asia/Shanghai"


def test_the_level_report_counts_own_level_resolutions_and_escalations(web, persona):
    from concord.cases import lifecycle
    from concord.cases.tests.factories import build_case

    build_case("resolved")  # 百官街道 resolves one at its own level
    escalated = build_case("in_progress")
    lifecycle.transition(
        escalated, actor=persona("baiguan"), action="escalate", comment="需县级协调"
    )
    page = web("dispatcher").get("/routing/queue/pingpong").content.decode()
    section = page[page.index('id="levels"') :]
    row = section[section.index("百官街道矛调中心") :].split("</tr>")[0]
    cells = [c.split(">")[-1] for c in row.split("</td>")[1:5]]
    assert cells == ["1", "1", "100%", "1"]
