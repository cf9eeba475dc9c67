"""The command map over the API: a dot per open case with coordinates, the towns' cases
without, filters, the territory of each user, and the panel a click opens."""

import pytest

from concord.accounts.models import Role, User
from concord.cases.choices import CaseStatus, Channel, RiskLevel
from concord.cases.models import Category
from concord.cases.tests.factories import (
    BAIGUAN,
    CAOE,
    CaseFactory,
    PartyFactory,
    build_case,
    first_village,
    organisation,
)
from concord.dashboard.map_api import MapOut
from concord.demo.county import DEMO_PASSWORD

S = CaseStatus
COUNTY = "330604000000"
# Inside 百官街道 and inside 曹娥街道 (near their centres).
BAIGUAN_SPOT = (120.871, 30.031)
CAOE_SPOT = (120.836, 30.001)


def town_leader() -> User:
    """A leader of 百官街道 (the demo account `baiguan_leader` once the demo county has it)."""
    user, created = User.objects.get_or_create(
        username="baiguan_leader",
        defaults={
            "role": Role.LEADER,
            "organisation": organisation("town-330604001"),
            "full_name": "百官街道领导",
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def dot(town: str = BAIGUAN, spot=BAIGUAN_SPOT, **fields):
    """A case in the first village of `town`, at `spot` (lng, lat) unless told otherwise."""
    fields.setdefault("status", S.IN_PROGRESS)
    if spot is not None:
        fields.setdefault("lng", spot[0])
        fields.setdefault("lat", spot[1])
    return CaseFactory(division=first_village(town), **fields)


def ids(answer) -> set[int]:
    return {row[0] for row in answer.json()["points"]}


@pytest.fixture
def town_user(county):
    return town_leader()


def test_the_map_shows_open_cases_with_coordinates_as_compact_rows(api):
    red = dot(risk_level=RiskLevel.RED, status=S.REGISTERED)
    blue = dot(status=S.PAUSED)
    dot(status=S.RESOLVED)
    dot(status=S.ARCHIVED)
    dot(status=S.REFUSED)
    answer = api("dispatcher").get("/stats/map")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert sorted(body["points"]) == sorted(
        [[red.pk, *BAIGUAN_SPOT, "red"], [blue.pk, *BAIGUAN_SPOT, "blue"]]
    )
    assert body["division"] == {"code": COUNTY, "name": "上虞区", "level": "county"}
    assert body["located"] == 2 and body["total"] == 2
    assert body["without_coordinates"] == []
    assert body["generated_at"]
    # Written by hand for speed, it still is what the OpenAPI document promises.
    MapOut.model_validate(body)


def test_open_cases_without_coordinates_are_counted_per_town(api):
    dot(spot=None)
    dot(spot=None, status=S.ACCEPTED)
    dot(CAOE, spot=None)
    dot(CAOE, spot=None, status=S.RESOLVED)  # closed: not counted
    located = dot(CAOE, CAOE_SPOT)
    body = api("dispatcher").get("/stats/map").json()
    assert body["without_coordinates"] == [
        {"code": BAIGUAN, "name": "百官街道", "n": 2},
        {"code": CAOE, "name": "曹娥街道", "n": 1},
    ]
    assert ids_of(body) == {located.pk}
    assert body["located"] == 1 and body["total"] == 4


def ids_of(body: dict) -> set[int]:
    return {row[0] for row in body["points"]}


def test_filters_narrow_the_dots(api):
    family = Category.objects.get(code="family-marriage")
    labour = Category.objects.get(code="labour-wage-arrears")
    red_family = dot(risk_level=RiskLevel.RED, category=family, channel=Channel.PHONE)
    orange_labour = dot(CAOE, CAOE_SPOT, risk_level=RiskLevel.ORANGE, category=labour)
    in_caoe = dot(CAOE, CAOE_SPOT, category=family)
    dispatcher = api("dispatcher")

    def dots(**params) -> set[int]:
        answer = dispatcher.get("/stats/map", params)
        assert answer.status_code == 200, answer.content
        return ids(answer)

    assert dots() == {red_family.pk, orange_labour.pk, in_caoe.pk}
    assert dots(risk="red") == {red_family.pk}
    assert dots(risk="orange") == {orange_labour.pk}
    # A top-level category stands for its sub-categories.
    assert dots(category="family") == {red_family.pk, in_caoe.pk}
    assert dots(category="labour-wage-arrears") == {orange_labour.pk}
    assert dots(channel="phone") == {red_family.pk}
    assert dots(division=CAOE) == {orange_labour.pk, in_caoe.pk}
    assert dots(division=first_village(BAIGUAN).code) == {red_family.pk}
    assert dots(division=CAOE, category="family") == {in_caoe.pk}
    assert dots(division=COUNTY, risk="", channel="") == {
        red_family.pk,
        orange_labour.pk,
        in_caoe.pk,
    }


def test_a_town_user_sees_only_their_town(api, town_user):
    own = dot()
    dot(CAOE, CAOE_SPOT)
    dot(CAOE, spot=None)
    leader = api(town_user)
    body = leader.get("/stats/map").json()
    assert body["division"]["code"] == BAIGUAN
    assert ids_of(body) == {own.pk}
    assert body["without_coordinates"] == []
    assert ids(leader.get("/stats/map", {"division": BAIGUAN})) == {own.pk}
    for foreign in (CAOE, COUNTY, first_village(CAOE).code):
        refused = leader.get("/stats/map", {"division": foreign})
        assert refused.status_code == 403, foreign
        assert refused.json()["detail"] == "无权查看该区划的数据"


def test_a_town_handler_and_a_department_see_only_their_own_cases(api):
    own = dot()
    foreign = dot(CAOE, CAOE_SPOT)
    assert ids(api("baiguan").get("/stats/map")) == {own.pk}
    assert ids(api("dispatcher").get("/stats/map")) == {own.pk, foreign.pk}
    # The labour bureau is given no case here: the whole county, and nothing on it.
    hrss = api("hrss").get("/stats/map").json()
    assert hrss["division"]["code"] == COUNTY and hrss["points"] == []


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"risk": "purple"}, "risk", "风险等级应为"),
        ({"risk": "RED"}, "risk", "风险等级应为"),
        ({"division": "330604"}, "division", "区划代码应为12位数字"),
        ({"division": "3306040010001"}, "division", "区划代码应为12位数字"),
        ({"division": "330604999000"}, "division", "区划不存在"),
        ({"division": "330604001000' OR '1'='1"}, "division", "区划代码应为12位数字"),
        ({"category": "nope"}, "category", "类别不存在"),
        ({"category": "family'; DROP TABLE cases_case; --"}, "category", "类别不存在"),
        ({"channel": "fax"}, "channel", "来源渠道不存在"),
        ({"channel": "x" * 300}, "channel", "取值过长"),
    ],
)
def test_bad_filters_are_refused_with_a_clear_message(api, county, params, field, message):
    answer = api("dispatcher").get("/stats/map", params)
    assert answer.status_code == 422, answer.content
    body = answer.json()
    assert body["field"] == field and message in body["detail"]


def test_the_map_costs_the_same_few_queries_however_many_cases(
    api, county, django_assert_max_num_queries
):
    dispatcher = api("dispatcher")
    dot()
    with django_assert_max_num_queries(8) as few:
        dispatcher.get("/stats/map", {"category": "family"})
    for _ in range(20):
        dot(risk_level=RiskLevel.YELLOW)
        dot(CAOE, spot=None)
    with django_assert_max_num_queries(len(few.captured_queries)):
        answer = dispatcher.get("/stats/map", {"category": "family"})
    assert answer.json()["total"] == 41


def test_the_panel_tells_who_handles_where_whom_to_call_and_what(api):
    case = build_case(
        S.IN_PROGRESS,
        description="邻居在楼道堆放杂物，" * 40,
        address="人民路12号",
        lat=BAIGUAN_SPOT[1],
        lng=BAIGUAN_SPOT[0],
    )
    applicant = case.parties.get(role="applicant")
    applicant.phone = "13857512345"
    applicant.save()
    answer = api("dispatcher").get(f"/stats/map/{case.pk}")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["organisation"] == "百官街道矛调中心" and body["assigned"] is True
    village = first_village(BAIGUAN)
    assert body["address"] == f"百官街道 {village.name} 人民路12号"
    assert body["contact"] == {"name": applicant.name, "phone": "138****2345"}
    assert "13857512345" not in answer.content.decode()
    assert len(body["description"]) <= 200 and body["description"].endswith("…")
    assert body["status_label"] == "办理中"
    assert body["risk_label"] == case.get_risk_level_display()
    assert body["url"] == f"/cases/{case.pk}/"
    assert body["tracking_code"] == case.tracking_code and body["received_at_text"]


def test_a_case_not_yet_assigned_waits_for_dispatch(api, county):
    case = dot(status=S.ACCEPTED)
    PartyFactory(case=case, name="李梅", phone="057482345678")
    body = api("dispatcher").get(f"/stats/map/{case.pk}").json()
    assert body["organisation"] == "待分派" and body["assigned"] is False
    assert body["contact"] == {"name": "李梅", "phone": "057*****5678"}


def test_the_panel_of_a_case_outside_the_scope_is_not_found(api, town_user):
    foreign = dot(CAOE, CAOE_SPOT)
    own = dot()
    leader = api(town_user)
    assert leader.get(f"/stats/map/{foreign.pk}").status_code == 404
    assert leader.get(f"/stats/map/{own.pk}").status_code == 200
    assert leader.get("/stats/map/999999999").status_code == 404
    # Within the division looked at, too: a county user looking at 百官 clicks only 百官's dots.
    dispatcher = api("dispatcher")
    assert dispatcher.get(f"/stats/map/{foreign.pk}", {"division": BAIGUAN}).status_code == 404
    assert dispatcher.get(f"/stats/map/{foreign.pk}", {"division": CAOE}).status_code == 200
    assert leader.get(f"/stats/map/{own.pk}", {"division": CAOE}).status_code == 403
    assert dispatcher.get(f"/stats/map/{own.pk}", {"division": "x"}).status_code == 422


def test_the_map_needs_a_login(county, client):
    assert client.get("/api/v1/stats/map").status_code == 401
