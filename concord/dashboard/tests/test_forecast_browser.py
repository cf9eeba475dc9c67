"""趋势预测 in a real browser: two years of demo cases give the leader next month's forecast
with its chart, past error and movers; a town is picked from the form; a town's leader asking
for another town is refused."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from concord.browser import login_as, shot
from concord.cases.tests.factories import CAOE
from concord.demo.cases import seed_cases

pytestmark = pytest.mark.browser
PAGE = "/dashboard/forecast/"


@pytest.fixture
def two_demo_years(county):
    now = timezone.now()
    seed_cases(1500, seed=1, now=now - dt.timedelta(days=365))
    seed_cases(1500, seed=2, now=now)


def test_forecast_chart_error_and_movers(page, two_demo_years):
    login_as(page, "leader")
    page.goto(PAGE)
    expect(page.locator("h1")).to_contain_text("趋势预测")
    expect(page.locator("#forecast-chart[data-drawn=true] canvas")).to_be_visible()
    expect(page.locator("#forecast-total")).to_contain_text("过去6个月平均误差 ±")
    expect(page.locator("#forecast-method")).to_contain_text("春节")
    categories = page.locator("#forecast-categories tbody tr")
    expect(categories.first).to_contain_text("%")
    assert categories.count() >= 5
    expect(page.locator("#forecast-towns tbody tr").first).to_be_visible()
    expect(page.locator("#movers-period")).to_contain_text("本月至今")
    expect(page.locator("#movers-orgs-up tbody tr").first).to_be_visible()
    shot(page, "forecast-01-county")

    # Last month against the one before, for one town.
    page.select_option("#id_division", label="曹娥街道")
    page.select_option("#id_period", value="month")
    with page.expect_navigation():
        page.get_by_role("button", name="查询").click()
    expect(page.locator("h1")).to_contain_text("曹娥街道")
    expect(page.locator("#forecast-towns tbody tr")).to_have_count(1)
    expect(page.locator("#movers-period")).to_contain_text("上月")
    expect(page.locator("#forecast-chart[data-drawn=true] canvas")).to_be_visible()
    shot(page, "forecast-02-town")


def test_a_town_leader_cannot_look_at_another_town(page, county):
    login_as(page, "baiguan_leader")
    response = page.goto(f"{PAGE}?division={CAOE}")
    assert response.status == 403
    expect(page.locator("#forecast-error")).to_have_text("无权查看该区划的数据")
    shot(page, "forecast-03-refused")
