"""The two board pages: 数据看板 in the site and 指挥大屏 for the wall. Who may open them, which
division they show, the filters they offer, and what they hand the map script."""

import re
from html import unescape

import pytest
from django.test import Client

from concord.accounts.models import Role, User
from concord.cases.choices import CaseStatus
from concord.cases.tests.factories import BAIGUAN, CAOE, first_village

from .test_map import COUNTY, dot, town_leader

PAGES = ["/dashboard/", "/dashboard/screen/"]


def html(response) -> str:
    return response.content.decode()


def attr(page: str, name: str) -> str:
    """The value of the first `name="…"` attribute in the page."""
    return unescape(re.search(rf'{name}="([^"]*)"', page).group(1))


def options(page: str, select: str) -> list[str]:
    block = re.search(rf'<select name="{select}".*?</select>', page, re.S).group(0)
    return re.findall(r'<option value="([^"]*)"', block)


@pytest.fixture
def leader_web(county):
    client = Client()
    client.force_login(town_leader())
    return client


@pytest.mark.parametrize("url", PAGES)
def test_the_county_sees_the_whole_county_and_may_pick_any_town(web, url):
    response = web("dispatcher").get(url)
    assert response.status_code == 200
    page = html(response)
    assert ("指挥大屏" if "screen" in url else "数据看板") in page
    assert options(page, "division")[0] == COUNTY
    assert len(options(page, "division")) == 21  # the county and its 20 towns
    assert attr(page, "data-division") == COUNTY
    assert attr(page, "data-map-url") == f"/api/v1/stats/map?division={COUNTY}"
    assert attr(page, "data-geojson-url") == "/geo/county.geojson"
    assert "vendor/echarts/echarts.min.js" in page and "dashboard/map.js" in page
    kpis = attr(page, "hx-get")
    assert kpis.startswith(f"/dashboard/kpis/?division={COUNTY}&from=")
    assert 'hx-trigger="load, every 30s"' in page
    assert ("theme=dark" in kpis) == ("screen" in url)


def test_the_screen_is_a_page_of_its_own_with_a_way_back(web):
    page = html(web("dispatcher").get("/dashboard/screen/?risk=red"))
    assert 'class="screen"' in page and 'class="mainnav"' not in page
    assert 'href="/dashboard/?risk=red"' in page
    board = html(web("dispatcher").get("/dashboard/?risk=red"))
    assert 'class="mainnav"' in board and 'href="/dashboard/screen/?risk=red"' in board


def test_no_inline_script_on_either_page(web):
    for url in PAGES:
        page = html(web("dispatcher").get(url))
        scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page)
        # Only data blocks (json_script), never code.
        assert all('type="application/json"' in tag for tag in scripts), scripts


@pytest.mark.parametrize("url", PAGES)
def test_a_town_leader_is_kept_to_their_town(leader_web, url):
    page = html(leader_web.get(url))
    assert options(page, "division") == [BAIGUAN]
    assert attr(page, "data-division") == BAIGUAN
    assert attr(page, "data-map-url") == f"/api/v1/stats/map?division={BAIGUAN}"
    assert attr(page, "hx-get").startswith(f"/dashboard/kpis/?division={BAIGUAN}&")
    # Opened on the town, zoomed in.
    assert attr(page, "data-zoom") == "2.5" and attr(page, "data-centre")
    for foreign in (CAOE, COUNTY):
        refused = leader_web.get(url, {"division": foreign})
        assert refused.status_code == 403
        assert "无权" in html(refused)
    # A village of the town is theirs, and shown as the division looked at.
    village = first_village(BAIGUAN)
    page = html(leader_web.get(url, {"division": village.code}))
    assert options(page, "division") == [BAIGUAN, village.code]
    assert attr(page, "data-division") == village.code


def test_filters_are_offered_and_carried_to_the_map(web):
    page = html(
        web("dispatcher").get(
            "/dashboard/",
            {"division": CAOE, "risk": "red", "category": "family", "channel": "phone"},
        )
    )
    assert options(page, "risk") == ["", "red", "orange", "yellow", "blue"]
    assert "family" in options(page, "category") and "family-marriage" in options(page, "category")
    assert "phone" in options(page, "channel")
    assert re.search(r'<option value="red" selected>', page)
    assert re.search(rf'<option value="{CAOE}" selected>', page)
    assert attr(page, "data-map-url") == (
        f"/api/v1/stats/map?division={CAOE}&risk=red&category=family&channel=phone"
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"risk": "purple"}, "风险等级应为"),
        ({"division": "12345"}, "区划代码应为12位数字"),
        ({"category": "<script>alert(1)</script>"}, "类别不存在"),
        ({"from": "2026-13-01"}, "日期应为"),
        ({"from": "2026-05-01", "to": "2026-04-01"}, "结束日期不能早于开始日期"),
    ],
)
def test_bad_filters_give_a_422_page_that_says_why(web, params, message):
    response = web("dispatcher").get("/dashboard/", params)
    assert response.status_code == 422
    page = html(response)
    assert message in page and "<script>alert(1)" not in page
    assert 'id="command-map"' not in page
    assert 'name="division"' in page  # the form stays, to put it right


def test_the_towns_cases_without_coordinates_are_listed(web):
    dot(spot=None)
    dot(spot=None)
    dot(CAOE, spot=None)
    dot(CAOE, spot=None, status=CaseStatus.ARCHIVED)
    dot()
    page = html(web("dispatcher").get("/dashboard/"))
    rows = re.findall(
        r'<tr data-town="(\d+)"><td><a [^>]*>([^<]+)</a></td><td class="num">(\d+)</td>', page
    )
    assert rows == [(BAIGUAN, "百官街道", "2"), (CAOE, "曹娥街道", "1")]


def test_users_without_an_organisation_are_refused(county):
    client = Client()
    client.force_login(User.objects.create_user("lonely", role=Role.LEADER))
    for url in PAGES:
        assert client.get(url).status_code == 403


def test_the_pages_need_a_login(county, client):
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_page_costs_the_same_few_queries_however_many_cases(
    web, county, django_assert_max_num_queries
):
    dispatcher = web("dispatcher")
    dot(spot=None)
    with django_assert_max_num_queries(14) as few:
        assert dispatcher.get("/dashboard/screen/").status_code == 200
    for _ in range(10):
        dot(CAOE, spot=None)
        dot()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert dispatcher.get("/dashboard/screen/").status_code == 200
