"""/api/v1/cases/{id}/risk and /api/v1/risk/warnings."""

import pytest

from concord.cases.tests.factories import CAOE, build_case

from .test_pages import a_spike

pytestmark = pytest.mark.urls("concord.risk.tests.api_urls")


def test_a_case_answers_its_level_score_and_reasons(api):
    case = build_case(description="扬言要去跳楼")
    response = api("dispatcher").get(f"/cases/{case.pk}/risk")
    assert response.status_code == 200
    body = response.json()
    assert body["level"] == "red" and body["score"] == 60
    assert body["reasons"] == ["极端言辞“跳楼”（+60）"]


def test_a_case_outside_the_scope_is_not_found(api):
    case = build_case(town=CAOE)
    response = api("baiguan").get(f"/cases/{case.pk}/risk")
    assert response.status_code == 404 and response.json()["detail"] == "事项不存在"
    assert api("dispatcher").get("/cases/999999/risk").status_code == 404


def test_the_open_warnings_of_the_callers_division(api):
    warning, cases = a_spike()
    (row,) = api("dispatcher").get("/risk/warnings").json()
    assert row["id"] == warning.pk and row["town_name"] == "百官街道"
    assert (row["category"], row["count"], row["baseline"]) == ("labour", 8, 1.0)
    assert row["case_ids"] == sorted(c.pk for c in cases)
    assert api("leader").get("/risk/warnings").status_code == 200


def test_staff_without_the_role_get_a_clear_404(api):
    response = api("clerk").get("/risk/warnings")
    assert response.status_code == 404 and response.json()["detail"] == "没有可查看的预警"
