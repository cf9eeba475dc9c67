"""The score itself: each factor adds its points and one reason; the total gives the level."""

import datetime as dt
from decimal import Decimal

import time_machine

from concord.risk.choices import Factor
from concord.risk.models import RiskWeight
from concord.risk.scoring import (
    Facts,
    assess_text,
    default_weights,
    level_of,
    near_festival,
    score,
)

from .conftest import at


def test_a_text_with_jumping_from_a_building_scores_red_with_that_reason():
    result = assess_text("工地老板拖欠工资三个月，工人扬言要去跳楼。")
    assert result.level == "red"
    assert any("极端言辞" in reason and "跳楼" in reason for reason in result.reasons)
    assert result.score >= 60


def test_a_quiet_neighbour_dispute_is_blue_without_reasons():
    result = assess_text("邻居在楼道堆放杂物，多次协商未果。", category="neighbour-noise")
    assert (result.level, result.score, result.reasons) == ("blue", 0, [])


def test_each_reason_names_the_points_it_added():
    facts = Facts(text="准备拉横幅到政府门口聚集", people_count=12, category="labour")
    result = score(facts)
    assert "聚集或升级苗头“聚集”、“拉横幅”（+30）" in result.reasons
    assert "群体性事项（12人）（+20）" in result.reasons
    assert "类别基础风险（+10）" in result.reasons
    assert result.score == 60 and result.level == "red"


def test_levels_follow_the_thresholds():
    assert [level_of(n) for n in (0, 19, 20, 39, 40, 59, 60)] == [
        "blue", "blue", "yellow", "yellow", "orange", "orange", "red",
    ]  # fmt: skip


def test_wage_arrears_count_more_in_the_weeks_before_the_spring_festival():
    # 2027's festival is on 6 February.
    assert near_festival(dt.date(2027, 1, 10)) and near_festival(dt.date(2026, 12, 15))
    assert not near_festival(dt.date(2026, 9, 1)) and not near_festival(dt.date(2027, 3, 1))
    facts = Facts(text="工资一直没发", category="labour", day=dt.date(2027, 1, 10))
    assert "临近春节欠薪（+15）" in score(facts).reasons
    summer = Facts(text="工资一直没发", category="labour", day=dt.date(2026, 7, 10))
    assert "临近春节欠薪（+15）" not in score(summer).reasons


def test_the_intake_suggestion_knows_the_festival_from_today():
    with time_machine.travel(at(2027, 1, 20, 9), tick=False):
        result = assess_text("讨薪无果", category="labour-wage-arrears")
    assert "临近春节欠薪（+15）" in result.reasons and "类别基础风险（+10）" in result.reasons


def test_group_size_amount_visits_vulnerable_and_time_open_add_up():
    facts = Facts(
        text="多名老人反映",
        people_count=25,
        amount=Decimal("1500000"),
        visits_count=3,
        earlier_cases=2,
        open_days=45,
    )
    reasons = score(facts).reasons
    assert reasons == [
        "群体性事项（25人）（+20）",
        "涉及人数20人以上（+15）",
        "重复来访（第3次）（+10）",
        "当事人此前已有2件事项（+10）",
        "涉及金额10万元以上（+10）",
        "涉及金额100万元以上（+10）",
        "涉及弱势群体“老人”（+10）",
        "已办理45天未结（+10）",
    ]
    assert score(facts).level == "red"


def test_the_admins_weights_replace_the_defaults_and_zero_switches_a_factor_off():
    RiskWeight.objects.create(factor=Factor.EXTREME, points=0)
    RiskWeight.objects.create(factor=Factor.ESCALATION, points=45)
    result = assess_text("扬言跳楼，还要去聚集")
    assert result.reasons == ["聚集或升级苗头“聚集”（+45）"] and result.level == "orange"


def test_category_base_points_are_editable_per_level_one_category():
    from concord.cases.models import Category

    RiskWeight.objects.create(
        factor=Factor.CATEGORY, category=Category.objects.get(code="neighbour"), points=25
    )
    result = assess_text("噪音扰民", category="neighbour-noise")
    assert result.reasons == ["类别基础风险（+25）"] and result.level == "yellow"


def test_bad_input_to_the_suggestion_scores_without_failing():
    assert assess_text("").level == "blue"
    assert assess_text("😀😀😀", category="no-such-code", people_count=0).score == 0
    assert assess_text("x" * 100_000, amount="not money").level == "blue"
    assert assess_text("欠款", amount="NaN", people_count="三十").score == 0
    assert assess_text("欠款", amount="Infinity", people_count=None).score == 0


def test_the_defaults_cover_every_factor_but_the_category():
    assert set(default_weights().factors) == set(Factor.values) - {Factor.CATEGORY}
