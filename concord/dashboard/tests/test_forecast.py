"""趋势预测: next month's forecast with its past error, the movers, and the page's doors."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from chinese_calendar import constants

from concord.accounts.models import Role, User
from concord.cases.models import Case, Category
from concord.cases.tests.factories import BAIGUAN, CAOE, CaseFactory, first_village, organisation
from concord.dashboard import forecast as fc
from concord.dashboard import movers as mv
from concord.demo.cases import seed_cases

from .factories import DeadlineFactory

TZ = ZoneInfo("Asia/Shanghai")
PAGE = "/dashboard/forecast/"


def at(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=TZ)


def category(code: str) -> Category:
    return Category.objects.get(code=code)


def cases(n: int, when: dt.datetime, **fields) -> None:
    """`n` cases received at `when`, in 百官's first village unless told otherwise."""
    fields.setdefault("division", first_village(BAIGUAN))
    Case.objects.bulk_create(CaseFactory.build_batch(n, received_at=when, **fields))


# --- The model -------------------------------------------------------------------------------


def test_the_festival_table_agrees_with_the_official_holidays():
    """Each Spring Festival chinese-calendar knows falls on the first or a following day of
    the announced holiday (which starts on the eve or on the day)."""
    starts = {}
    for day, name in constants.holidays.items():
        if "Spring" in str(name) and day.month <= 2:
            starts[day.year] = min(starts.get(day.year, day), day)
    assert len(starts) > 15
    for year, start in starts.items():
        assert 0 <= (fc.SPRING_FESTIVAL[year] - start).days <= 2, year


def test_festival_exposure_follows_the_moving_festival():
    # 2027: festival on 6 February, the 60-day rush from 8 December: all of January.
    assert fc.festival_exposure(fc.month_of(dt.date(2027, 1, 1))) == (1.0, 0.0)
    # 2026: festival on 17 February: 16 rush days and the 7 holiday days of 28.
    assert fc.festival_exposure(fc.month_of(dt.date(2026, 2, 1))) == (16 / 28, 7 / 28)
    # 2025: festival on 29 January: February has only the last 4 holiday days.
    assert fc.festival_exposure(fc.month_of(dt.date(2025, 2, 1))) == (0.0, 4 / 28)
    assert fc.festival_exposure(fc.month_of(dt.date(2026, 7, 1))) == (0.0, 0.0)
    assert fc.festival_exposure(fc.month_of(dt.date(2041, 1, 1))) is None


def test_wape_is_the_absolute_errors_over_the_actuals():
    assert fc.wape([(10, 8), (5, 6)]) == pytest.approx(100 * 3 / 15)
    assert fc.wape([(0, 2)]) is None


def test_an_unknown_festival_leaves_the_calendar_index():
    """Past the table the winter months fall back to the calendar index instead of failing."""
    start = fc.month_of(dt.date(2038, 1, 1))
    counts = {start + i: 10 + 5 * ((start + i) % 12 == 0) for i in range(48)}
    index = fc.seasonal_index(counts, start, start + 47)
    january_2042 = fc.month_of(dt.date(2042, 1, 1))
    assert index(january_2042) > index(january_2042 + 4)


# --- The forecast through the database -------------------------------------------------------


@pytest.fixture
def wage_history(county):
    """From January 2024 to November 2026 in 百官: 10 family disputes a month, and wage
    arrears (劳动争议/欠薪) at 6 a month plus up to 18 more by the share of the month's days in
    the 60 days before the Spring Festival (late January 2025, mid February 2024 and 2026)."""
    family, wages = category("family-marriage"), category("labour-wage-arrears")
    for month in range(fc.month_of(dt.date(2024, 1, 1)), fc.month_of(dt.date(2026, 12, 1))):
        day = fc.first_day(month)
        rush, _holiday = fc.festival_exposure(month)
        cases(10, at(day.year, day.month, 3), category=family)
        cases(6 + round(18 * rush), at(day.year, day.month, 5), category=wages)


def _line(lines, name: str) -> fc.Line:
    return next(line for line in lines if line.name == name)


def test_wage_arrears_are_forecast_high_before_the_festival(wage_history):
    result = fc.forecast(Case.objects.all(), today=dt.date(2026, 12, 10))
    assert result.target == dt.date(2027, 1, 1)  # the festival is on 6 February 2027
    assert result.seasonal and result.history_months == 35
    wages = _line(result.categories, "劳动争议/欠薪")
    flat_mean = Case.objects.filter(category__parent__code="labour").count() / 35
    # January 2027 lies wholly in the rush: 6 + 18, well above the flat mean of 8.7 a month
    # (a little under 24: thin series are pulled toward an ordinary month).
    assert wages.forecast > 2 * flat_mean
    assert wages.forecast == pytest.approx(24, rel=0.15)
    family = _line(result.categories, "婚姻家庭")
    assert family.forecast == pytest.approx(10, abs=1)
    # A town is the sum of its categories, so the table adds up.
    assert result.total.forecast == pytest.approx(wages.forecast + family.forecast)
    assert [t.name for t in result.towns] == ["百官街道"]
    assert result.towns[0].forecast == pytest.approx(result.total.forecast)
    assert result.total.year_ago == 10 + 6 + 18  # January 2026: festival on 17 February
    assert result.total.last_month == 10 + 6  # November 2026: the rush starts on 8 December
    # The replayed months were forecast closely: the festival moves, the model follows.
    assert result.checked_months == 6
    assert result.total.error < 10


def test_the_past_error_is_computed_as_by_hand(county):
    """Half a year of 2, 4, 6, 8, 10, 12 cases: too little for seasons, so each month is
    forecast as the mean of up to three months it would have known (two months before). The
    records began on 20 December: that month is left out, not read as a quiet one."""
    cases(1, at(2025, 12, 20))
    for i, n in enumerate([2, 4, 6, 8, 10, 12]):
        cases(n, at(2026, i + 1, 5))
    result = fc.forecast(Case.objects.all(), today=dt.date(2026, 7, 15))
    assert result.left_out == dt.date(2025, 12, 20)
    assert not result.seasonal and result.history_months == 6
    assert result.total.forecast == pytest.approx((8 + 10 + 12) / 3)  # August
    # March from January: 2 (actual 6); April from Jan–Feb: 3 (8); May from Jan–Mar: 4 (10);
    # June from Feb–Apr: 6 (12).
    assert result.checked_months == 4
    by_hand = 100 * (4 + 5 + 6 + 6) / (6 + 8 + 10 + 12)
    assert result.total.error == pytest.approx(by_hand)
    assert result.chart["replayed"][2:6] == [2, 3, 4, 6]
    assert result.chart["actual"][:6] == [2, 4, 6, 8, 10, 12]


def test_the_numbers_take_three_queries_and_the_movers_four(
    wage_history, django_assert_num_queries, django_assert_max_num_queries
):
    with django_assert_num_queries(3):
        fc.forecast(Case.objects.all(), today=dt.date(2026, 12, 10))
    with django_assert_max_num_queries(4):
        mv.movers(Case.objects.all(), mv.parse_comparison("month", now=at(2026, 12, 10)))


def test_months_are_local_months(county):
    """A case received at 00:30 on 1 June in Shanghai is June's, though it is still May in UTC;
    one at 07:30 on 1 May is May's, though it was still April in UTC."""
    cases(1, dt.datetime(2026, 5, 1, 7, 30, tzinfo=TZ))
    cases(1, dt.datetime(2026, 6, 1, 0, 30, tzinfo=TZ))
    cases(1, dt.datetime(2026, 5, 31, 23, 30, tzinfo=TZ))
    result = fc.forecast(Case.objects.all(), today=dt.date(2026, 7, 2))
    assert result.left_out is None
    assert result.chart["months"][:2] == ["2026-05", "2026-06"]
    assert result.chart["actual"][:2] == [2, 1]


def test_nothing_to_forecast_without_history(county):
    cases(3, at(2026, 7, 1))
    result = fc.forecast(Case.objects.all(), today=dt.date(2026, 7, 2))
    assert result.history_months == 0 and result.so_far == 3
    assert result.total.forecast == 0 and result.total.error is None


# --- Movers ----------------------------------------------------------------------------------

NOW = at(2026, 11, 20)


@pytest.fixture
def moves(county):
    """October 1–20 against November 1–20: hrss 20 → 30, the court 6 → 14 (both 百官),
    the police 1 → 3, housing 30 → 20 (曹娥)."""
    caoe = first_village(CAOE)
    for code, before, now, town in [
        ("hrss", 20, 30, {}),
        ("court", 6, 14, {}),
        ("police", 1, 3, {}),
        ("housing", 30, 20, {"division": caoe, "town_id": CAOE}),
    ]:
        org = organisation(code)
        cases(before, at(2026, 10, 5), lead_org=org, **town)
        cases(now, at(2026, 11, 5), lead_org=org, **town)
        cases(2, at(2026, 10, 25), lead_org=org, **town)  # after the 20th: not compared
    # Housing resolved 4 in October's stretch and 1 now; one court case went overdue now.
    housing = Case.objects.filter(lead_org__code="housing")
    for case in housing[:4]:
        Case.objects.filter(pk=case.pk).update(resolved_at=at(2026, 10, 8))
    Case.objects.filter(pk=housing[4].pk).update(resolved_at=at(2026, 11, 8))
    court = Case.objects.filter(lead_org__code="court").first()
    DeadlineFactory(case=court, due_at=at(2026, 11, 9), breached_at=at(2026, 11, 9))


def test_movers_rank_by_change_against_its_noise(moves):
    comparison = mv.parse_comparison(None, now=NOW)
    assert comparison.label == "本月至今（11月1日–11月20日）对比上月同期（10月1日–10月20日）"
    result = mv.movers(Case.objects.all(), comparison)
    # The court's 6 → 14 (+8, 1.8σ) outranks hrss's 20 → 30 (+10, 1.4σ); 1 → 3 is too small.
    assert [(m.name, m.current, m.previous, m.percent) for m in result.orgs_up] == [
        ("上虞区人民法院", 14, 6, 133),
        ("上虞区人力资源和社会保障局", 30, 20, 50),
    ]
    housing = result.orgs_down[0]
    assert (housing.change, housing.percent) == (-10, -33)
    assert (housing.resolved, housing.resolved_before) == (1, 4)
    assert result.orgs_up[0].overdue == 1 and result.orgs_up[0].overdue_before == 0
    assert [(m.name, m.change) for m in result.towns_up] == [("百官街道", 20)]
    assert [(m.name, m.change) for m in result.towns_down] == [("曹娥街道", -10)]


def test_movers_can_compare_last_month_with_the_one_before(moves):
    comparison = mv.parse_comparison("month", now=NOW)
    assert comparison.label == "上月（2026年10月）对比前月（2026年9月）"
    result = mv.movers(Case.objects.all(), comparison)
    assert result.orgs_down == []
    assert result.orgs_up[0].name == "上虞区住房和城乡建设局" and result.orgs_up[0].current == 32


# --- The page --------------------------------------------------------------------------------


@pytest.fixture
def two_demo_years(county):
    """Two years of demo cases (the demo builder draws a year at a time)."""
    now = at(2026, 11, 20)
    seed_cases(400, seed=1, now=now - dt.timedelta(days=365))
    seed_cases(400, seed=2, now=now)
    return now


def test_the_page_shows_forecast_error_and_movers(
    web, two_demo_years, django_assert_max_num_queries
):
    client = web("leader")
    # Session, user, scope and picker: 10 or so; the forecast 3 and the movers 4, however many
    # cases there are.
    with time_machine.travel(two_demo_years, tick=False), django_assert_max_num_queries(20):
        page = client.get(PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    for label in ("下月预测", "历史误差", "变化最大的单位/乡镇", "过去6个月平均误差"):
        assert label in html
    result = page.context["result"]
    assert result.target == dt.date(2026, 12, 1) and result.seasonal
    assert sum(line.forecast for line in result.categories) == pytest.approx(result.total.forecast)
    assert 'id="forecast-chart-data"' in html


def test_a_town_sees_its_own_town_and_no_other(web, two_demo_years):
    client = web("baiguan_leader")
    with time_machine.travel(two_demo_years, tick=False):
        own = client.get(PAGE)
        other = client.get(PAGE, {"division": CAOE})
    assert own.status_code == 200
    assert [line.name for line in own.context["result"].towns] == ["百官街道"]
    assert other.status_code == 403
    assert "无权查看该区划的数据" in other.content.decode()
    assert web("caoe").get(PAGE, {"division": BAIGUAN}).status_code == 403


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"division": "abc"}, "区划代码应为12位数字"),
        ({"division": "3306040010001"}, "区划代码应为12位数字"),
        ({"division": "999999999999"}, "区划不存在"),
        ({"period": "year"}, "对比口径应为"),
    ],
)
def test_bad_input_is_refused_with_its_reason(web, county, params, message):
    page = web("leader").get(PAGE, params)
    assert page.status_code == 422
    assert message in page.content.decode()


def test_only_members_of_an_organisation_may_look(client, county):
    assert client.get(PAGE).status_code == 302  # to the login page
    loner = User.objects.create_user("loner", role=Role.LEADER)
    client.force_login(loner)
    assert client.get(PAGE).status_code == 403
