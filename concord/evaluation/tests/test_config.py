"""Configuration: follow-up plans and the assessment weights are validated wherever they
are edited, and the defaults load once."""

import pytest
from django.core.exceptions import ValidationError

from concord.evaluation.defaults import load_defaults
from concord.evaluation.models import AssessmentScheme, FollowUpPlan, offsets_problem


@pytest.mark.parametrize(
    ("offsets", "message"),
    [
        ([], "列表"),
        ("7,30", "列表"),
        ([7, "30"], "列表"),
        ([True], "列表"),
        ([0, 30], "1至365"),
        ([7, 366], "1至365"),
        ([30, 7], "由小到大"),
        ([7, 7], "由小到大"),
        ([1, 2, 3, 4, 5, 6], "最多安排5次"),
    ],
)
def test_bad_visit_days_are_refused(offsets, message):
    assert message in offsets_problem(offsets)
    with pytest.raises(ValidationError, match=message):
        FollowUpPlan(name="x", offsets=offsets).clean()


def test_good_visit_days_pass():
    assert offsets_problem([7, 30, 90]) is None


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({}, "权重应为"),
        ([30, 70], "权重应为"),
        ({"on_time": 50, "speed": 50}, "未知的考核指标：speed"),
        ({"on_time": 120, "reopen": -20}, "不小于0"),
        ({"on_time": "50", "reopen": 50}, "不小于0"),
        ({"on_time": 50, "reopen": 40}, "合计应为100（现为90）"),
    ],
)
def test_bad_weights_are_refused(weights, message):
    with pytest.raises(ValidationError, match=message):
        AssessmentScheme(name="x", weights=weights).clean()


def test_the_admin_refuses_a_bad_plan_and_saves_nothing(web):
    admin = web("admin")
    before = FollowUpPlan.objects.count()
    response = admin.post(
        "/admin/evaluation/followupplan/add/",
        {"name": "坏计划", "offsets": "[90, 7]", "assignee": "grid_first", "active": "on"},
    )
    assert response.status_code == 200 and "回访时间应由小到大" in response.content.decode()
    assert FollowUpPlan.objects.count() == before
    response = admin.post(
        "/admin/evaluation/assessmentscheme/add/",
        {"name": "坏方案", "weights": '{"on_time": 60}', "min_sample": "10", "active": "on"},
    )
    assert "权重合计应为100（现为60）" in response.content.decode()


def test_the_defaults_load_once(county):
    load_defaults()  # the autouse fixture loaded them already
    assert load_defaults() == 0
    assert FollowUpPlan.objects.get(name="婚姻家庭纠纷回访").offsets == [7, 30, 90]
    assert sum(AssessmentScheme.objects.get().weights.values()) == 100


def test_ratings_are_rebuilt_from_a_timeline_written_past_the_signal(persona):
    from concord.cases import lifecycle
    from concord.cases.tests.factories import build_case
    from concord.evaluation.defaults import ratings_from_timeline
    from concord.evaluation.models import Rating

    first = build_case("rated")
    second = build_case("rated")
    lifecycle.transition(second, actor=persona("dispatcher"), action="reopen", comment="重办")
    second = lifecycle.transition(
        second, actor=persona("baiguan"), action="resolve", result="solved", reply="好"
    )
    lifecycle.transition(second, actor=persona("clerk"), action="rate", satisfaction="dissatisfied")
    kept = {(r.case_id, r.round, r.satisfaction) for r in Rating.objects.all()}
    Rating.objects.filter(case=first).delete()
    Rating.objects.filter(case=second, round=1).delete()
    assert ratings_from_timeline() == 2
    assert {(r.case_id, r.round, r.satisfaction) for r in Rating.objects.all()} == kept
    assert ratings_from_timeline() == 0
