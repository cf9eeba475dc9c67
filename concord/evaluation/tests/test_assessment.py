"""考核: KPIs per organisation and town for a month, and the weighted score, checked against
a small month of work computed by hand (docs/assessment.md defines every KPI)."""

import io

import pytest
import time_machine
from openpyxl import load_workbook

from concord.cases import lifecycle
from concord.cases.models import Case
from concord.cases.tests.factories import CAOE, build_case, organisation
from concord.core.errors import InvalidInput
from concord.evaluation.assessment import parse_by, parse_month, ranking, workbook
from concord.evaluation.models import AssessmentScheme
from concord.evaluation.ratings import decide_review, rate_case

from .conftest import at

NOVEMBER = parse_month("2026-11")
WEIGHTS = {
    "on_time": 30,
    "satisfaction": 30,
    "resolution": 10,
    "reopen": 10,
    "summons": 10,
    "ping_pong": 10,
}
BAIGUAN, CAOE_CENTER = "百官街道矛调中心", "曹娥街道矛调中心"


def act(when, case, who, action, persona, **params):
    with time_machine.travel(when, tick=False):
        return lifecycle.transition(case, actor=persona(who), action=action, **params)


@pytest.fixture
def november(persona):
    """A month of work for 百官 (A) and 曹娥 (B). Expected, by hand:

    on time (nodes met):  A 11/12 (A3 signed a day late), B 4/4
    satisfaction:         A 2/3 (满意, 不满意, 基本满意), B 0/1
    resolution:           A 4/4, B 1/1
    reopen (lower best):  A 1 of 4 resolutions, B 0 of 1
    returns (lower best): A 0 of 4 tasks, B 1 of 2 tasks
    summons:              none → left out, its weight shared by the others
    """
    with time_machine.travel(at(2026, 11, 2, 10, 0), tick=False):
        build_case("rated")  # A1: rated 满意 by the clerk
    with time_machine.travel(at(2026, 11, 3, 10, 0), tick=False):
        a2 = build_case("resolved")
    with time_machine.travel(at(2026, 11, 3, 11, 0), tick=False):
        rating = rate_case(a2, satisfaction="dissatisfied", channel="portal")
    with time_machine.travel(at(2026, 11, 3, 12, 0), tick=False):
        decide_review(
            rating.review, actor=persona("dispatcher"), decision="reopen", explanation="重办"
        )
    # A3: accepted Wednesday 9:00, assigned at 9:30, signed Friday: a working day late.
    with time_machine.travel(at(2026, 11, 4, 9, 0), tick=False):
        a3 = build_case("accepted")
    baiguan = organisation("town-330604001").pk
    a3 = act(at(2026, 11, 4, 9, 30), a3, "dispatcher", "assign", persona, lead_org=baiguan)
    a3 = act(at(2026, 11, 6, 9, 0), a3, "baiguan", "sign", persona)
    act(at(2026, 11, 6, 10, 0), a3, "baiguan", "resolve", persona, result="solved", reply="已解决")
    # B1: 曹娥 returns it as not theirs; 百官 takes it, resolves, and it is rated 基本满意.
    with time_machine.travel(at(2026, 11, 9, 9, 50), tick=False):
        b1 = build_case("accepted", town=CAOE)
    caoe = organisation("town-330604002").pk
    b1 = act(at(2026, 11, 9, 10, 0), b1, "dispatcher", "assign", persona, lead_org=caoe)
    b1 = act(at(2026, 11, 9, 10, 5), b1, "caoe", "return", persona, comment="不属本街道")
    b1 = act(at(2026, 11, 9, 10, 10), b1, "dispatcher", "assign", persona, lead_org=baiguan)
    b1 = act(at(2026, 11, 9, 10, 15), b1, "baiguan", "sign", persona)
    b1 = act(
        at(2026, 11, 9, 10, 20), b1, "baiguan", "resolve", persona, result="solved", reply="好"
    )
    act(at(2026, 11, 9, 10, 30), b1, "clerk", "rate", persona, satisfaction="basically_satisfied")
    # B2: 曹娥's own case, rated 不满意 by phone; the review is closed with an explanation.
    with time_machine.travel(at(2026, 11, 10, 10, 0), tick=False):
        b2 = build_case("resolved", town=CAOE, handler="caoe")
    with time_machine.travel(at(2026, 11, 10, 11, 0), tick=False):
        rating = rate_case(b2, satisfaction="dissatisfied", channel="phone", actor=persona("clerk"))
    decide_review(
        rating.review, actor=persona("dispatcher"), decision="close", explanation="已解释"
    )
    # December work does not count in November.
    with time_machine.travel(at(2026, 12, 1, 10, 0), tick=False):
        build_case("resolved", town=CAOE, handler="caoe")


def measures(row) -> dict:
    return {k: (m.good, m.n, m.rate, m.points) for k, m in row.measures.items()}


def test_the_weighted_score_matches_the_hand_computed_one(november):
    scheme = AssessmentScheme(name="test", weights=WEIGHTS, min_sample=1)
    result = ranking(Case.objects.all(), month=NOVEMBER, by="org", scheme=scheme)
    rows = {r.name: r for r in result.rows}
    assert set(rows) == {BAIGUAN, CAOE_CENTER}
    a, b = rows[BAIGUAN], rows[CAOE_CENTER]
    assert measures(a) == {
        "on_time": (11, 12, 91.7, 91.7),
        "satisfaction": (2, 3, 66.7, 66.7),
        "resolution": (4, 4, 100.0, 100.0),
        "reopen": (1, 4, 25.0, 75.0),
        "summons": (0, 0, None, None),
        "ping_pong": (0, 4, 0.0, 100.0),
    }
    assert measures(b) == {
        "on_time": (4, 4, 100.0, 100.0),
        "satisfaction": (0, 1, 0.0, 0.0),
        "resolution": (1, 1, 100.0, 100.0),
        "reopen": (0, 1, 0.0, 100.0),
        "summons": (0, 0, None, None),
        "ping_pong": (1, 2, 50.0, 50.0),
    }
    # Summons has no sample: its 10 goes to the others, Σ weights = 90.
    # A: (30×91.7 + 30×66.7 + 10×100 + 10×75 + 10×100) / 90 = 7502 / 90 = 83.4
    # B: (30×100 + 30×0 + 10×100 + 10×100 + 10×50) / 90 = 5500 / 90 = 61.1
    assert (a.score, a.rank) == (83.4, 1)
    assert (b.score, b.rank) == (61.1, 2)
    assert [r.name for r in result.rows] == [BAIGUAN, CAOE_CENTER]


def test_a_kpi_below_the_minimum_sample_is_left_out_of_the_score(november):
    scheme = AssessmentScheme(name="test", weights=WEIGHTS, min_sample=2)
    rows = {
        r.name: r for r in ranking(Case.objects.all(), month=NOVEMBER, by="org", scheme=scheme).rows
    }
    b = rows[CAOE_CENTER]
    assert b.measures["satisfaction"].rate is None and b.measures["satisfaction"].n == 1
    # B keeps on time (4) and returns (2): (30×100 + 10×50) / 40 = 87.5
    assert b.score == 87.5
    assert rows[BAIGUAN].score == 83.4


def test_by_town_groups_by_where_the_cases_are(november):
    scheme = AssessmentScheme(name="test", weights=WEIGHTS, min_sample=1)
    result = ranking(Case.objects.all(), month=NOVEMBER, by="town", scheme=scheme)
    rows = {r.name: r for r in result.rows}
    assert set(rows) == {"百官街道", "曹娥街道"}
    # 曹娥街道's cases: B1 (returned once, rated 基本满意) and B2 (rated 不满意).
    assert measures(rows["曹娥街道"])["ping_pong"] == (1, 3, 33.3, 66.7)
    assert measures(rows["曹娥街道"])["satisfaction"] == (1, 2, 50.0, 50.0)


def test_the_export_writes_names_as_text(november, django_user_model):
    org = organisation("town-330604001")
    org.name = '=HYPERLINK("http://evil")'
    org.save()
    scheme = AssessmentScheme(name="test", weights=WEIGHTS, min_sample=1)
    result = ranking(Case.objects.all(), month=NOVEMBER, by="org", scheme=scheme)
    sheet = load_workbook(io.BytesIO(workbook(result))).active
    names = [row[1].value for row in sheet.iter_rows(min_row=2)]
    assert '\'=HYPERLINK("http://evil")' in names
    first = next(sheet.iter_rows(min_row=2))
    assert first[1].data_type == "s" and first[2].value == 83.4


@pytest.mark.parametrize("month", ["2026-13", "26-11", "2026/11", "9999-01", "x" * 50])
def test_a_bad_month_is_refused(month):
    with pytest.raises(InvalidInput, match="月份应为"):
        parse_month(month)


def test_a_bad_grouping_is_refused():
    with pytest.raises(InvalidInput, match="排名口径"):
        parse_by("village")
