"""The command map in a real browser: the dispatcher's wall screen at 1920×1080 draws the
county's open cases, a click on a dot opens the panel (organisation, masked phone), a new case
shows at the next refresh; a town leader's screen shows the town only; the board page in the
site does the same at a desk."""

import re

import pytest
from playwright.sync_api import expect

from concord.browser import login_as, shot
from concord.cases.choices import CaseStatus, RiskLevel
from concord.cases.models import Case
from concord.cases.tests.factories import BAIGUAN, build_case
from concord.demo.cases import seed_cases
from concord.geo.models import Division

from .. import views
from .test_map import CAOE_SPOT, dot, town_leader

pytestmark = pytest.mark.browser
WALL = {"width": 1920, "height": 1080}
# 盖北镇, on the reclaimed northern coast: few other dots to click by mistake.
GAIBEI = "盖北镇"


def loaded(page) -> int:
    """Wait for the map to draw its dots; how many it drew."""
    chart = page.locator("#command-map[data-loaded=true]")
    expect(chart).to_be_attached()
    return int(chart.get_attribute("data-points"))


def click_case(page, case: Case) -> None:
    """Click the case's dot where ECharts drew it (its pixel from the chart's own projection),
    once the KPI cards above have arrived and the map is in view."""
    expect(page.locator("#kpis .board-loading")).to_have_count(0)
    x, y = page.evaluate(
        """([lng, lat]) => {
            const el = document.getElementById("command-map");
            el.scrollIntoView({ block: "center" });
            const [x, y] = echarts.getInstanceByDom(el).convertToPixel({ geoIndex: 0 }, [lng, lat]);
            const box = el.getBoundingClientRect();
            return [box.left + x, box.top + y];
        }""",
        [case.lng, case.lat],
    )
    page.mouse.click(x, y)


@pytest.fixture
def county_cases(county):
    """A county's worth of demo cases and one red dispute to click, alone in 盖北镇's fields,
    its applicant's phone known."""
    seed_cases(400, seed=3)
    gaibei = Division.objects.get(name=GAIBEI)
    case = build_case(
        CaseStatus.IN_PROGRESS,
        town=gaibei.code,
        handler="hrss",
        category="labour-wage-arrears",
        description="二十余名工人反映某建筑公司拖欠三个月工资，情绪激动，扬言到区政府聚集。",
        address="盖北镇海塘路88号工地",
        risk_level=RiskLevel.RED,
        lat=gaibei.lat + 0.012,
        lng=gaibei.lng - 0.018,
    )
    applicant = case.parties.get(role="applicant")
    applicant.name, applicant.phone = "王建国", "13857512345"
    applicant.save()
    Case.objects.filter(pk=case.pk).update(risk_level=RiskLevel.RED)
    case.refresh_from_db()
    # Two grid reports from 曹娥 and one call from 百官 came without a location.
    dot("330604002000", spot=None)
    dot("330604002000", spot=None)
    dot(spot=None)
    return case


def test_the_wall_screen_the_panel_and_the_town_view(page, county_cases, monkeypatch):
    monkeypatch.setattr(views, "MAP_REFRESH_SECONDS", 2)
    case = county_cases
    page.set_viewport_size(WALL)
    login_as(page, "dispatcher")
    page.goto("/dashboard/screen/")
    expect(page.locator(".screen-title h1")).to_contain_text("指挥大屏")
    open_located = Case.objects.filter(
        status__in=["registered", "accepted", "assigned", "in_progress", "paused"],
        lat__isnull=False,
    ).count()
    assert loaded(page) == open_located > 20
    expect(page.locator("#map-located")).to_have_text(str(open_located))
    expect(page.locator('[data-risk-count="red"]')).not_to_have_text("—")
    expect(page.locator("#kpis .kpi-card").first).to_be_visible()
    unlocated = page.locator("#unlocated tbody tr")
    expect(unlocated).to_have_count(2)
    expect(unlocated.first).to_contain_text("曹娥街道2")
    expect(unlocated.nth(1)).to_contain_text("百官街道1")

    click_case(page, case)
    panel = page.locator("#case-panel .case-card")
    expect(panel).to_have_attribute("data-case", str(case.pk))
    expect(panel).to_contain_text("上虞区人力资源和社会保障局")
    expect(panel).to_contain_text("王建国")
    expect(panel).to_contain_text("138****2345")
    expect(panel).not_to_contain_text("13857512345")
    expect(panel).to_contain_text("盖北镇海塘路88号工地")
    expect(panel.get_by_role("link", name="查看事项")).to_have_attribute(
        "href", f"/cases/{case.pk}/"
    )
    # The wall shows everything at once: nothing below the fold.
    assert page.evaluate("document.documentElement.scrollHeight") <= WALL["height"]
    shot(page, "dashboard-01-screen-panel")

    # A new case shows at the next refresh, the panel stays open.
    dot(risk_level=RiskLevel.ORANGE)
    expect(page.locator("#map-located")).to_have_text(str(open_located + 1), timeout=8000)
    expect(panel).to_have_attribute("data-case", str(case.pk))

    # Closed, the panel says again what a click shows; opened again, it is back.
    panel.locator("[data-close]").click()
    expect(page.locator("#case-panel-hint")).to_be_visible()
    click_case(page, case)
    expect(panel).to_have_attribute("data-case", str(case.pk))

    # The panel's link leads to the case.
    panel.get_by_role("link", name="查看事项").click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
    expect(page.locator("h1")).to_contain_text("二十余名工人")

    # A town leader's screen: 百官 only, zoomed on it, and no other town's dot.
    foreign = dot("330604002000", CAOE_SPOT, risk_level=RiskLevel.RED)
    town_leader()
    login_as(page, "baiguan_leader")
    page.goto("/dashboard/screen/")
    expect(page.locator(".screen-where")).to_contain_text("百官街道")
    in_town = Case.objects.filter(
        town_id=BAIGUAN,
        status__in=["registered", "accepted", "assigned", "in_progress", "paused"],
        lat__isnull=False,
    ).count()
    assert loaded(page) == in_town
    expect(page.locator("#id_division option")).to_have_count(1)
    ids = page.evaluate(
        """() => echarts.getInstanceByDom(document.getElementById("command-map"))
            .getOption().series.filter(s => ["red", "orange", "yellow", "blue"].includes(s.id))
            .flatMap(s => s.data.map(d => d[2]))"""
    )
    assert foreign.pk not in ids and case.pk not in ids
    expect(page.locator("#kpis .kpi-card").first).to_be_visible()
    shot(page, "dashboard-02-town-screen")

    # The board in the site, at a desk, as the dispatcher: the same panel.
    page.set_viewport_size({"width": 1440, "height": 900})
    login_as(page, "dispatcher")
    page.goto("/dashboard/")
    expect(page.locator("h1")).to_contain_text("数据看板")
    loaded(page)
    click_case(page, case)
    expect(page.locator("#case-panel .case-card")).to_contain_text("138****2345")
    shot(page, "dashboard-03-board")
