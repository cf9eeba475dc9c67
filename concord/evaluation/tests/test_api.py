"""评价回访与考核 over the API: staff ratings, the review decision, visits, the assessment;
scope-checked, and bad input refused with a clear 4xx that changes nothing."""

import time_machine

from concord.cases.models import Case
from concord.evaluation.models import FollowUpVisit, Rating, Review

from .conftest import at, domestic_dispute


def test_staff_record_a_rating_and_read_it_back(api):
    case = domestic_dispute()
    created = api("clerk").post(
        f"/cases/{case.pk}/ratings", {"satisfaction": "dissatisfied", "comment": "未落实"}
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["round"], body["channel"], body["satisfaction"]) == (1, "phone", "dissatisfied")
    assert body["review"]["status"] == "open"
    listed = api("dispatcher").get(f"/cases/{case.pk}/ratings").json()
    assert [r["id"] for r in listed] == [body["id"]]


def test_rating_refusals_are_clear_and_change_nothing(api):
    case = domestic_dispute()
    clerk = api("clerk")
    bad = clerk.post(f"/cases/{case.pk}/ratings", {"satisfaction": "great", "channel": "portal"})
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"satisfaction", "channel"}
    long = clerk.post(
        f"/cases/{case.pk}/ratings", {"satisfaction": "satisfied", "comment": "很" * 2001}
    )
    assert long.status_code == 422
    assert clerk.post(f"/cases/{case.pk}/ratings", raw=b"{not json").status_code == 400
    assert clerk.post(f"/cases/{case.pk}/ratings", {"satisfaction": "satisfied"}).status_code == 201
    again = clerk.post(f"/cases/{case.pk}/ratings", {"satisfaction": "satisfied"})
    assert again.status_code == 409 and "同一轮只能评价一次" in again.json()["detail"]
    assert (
        api("caoe").post(f"/cases/{case.pk}/ratings", {"satisfaction": "satisfied"}).status_code
        == 404
    )
    assert Rating.objects.filter(case=case).count() == 1


def test_rating_a_case_that_is_not_resolved_is_a_conflict(api):
    case = domestic_dispute("in_progress")
    response = api("clerk").post(f"/cases/{case.pk}/ratings", {"satisfaction": "satisfied"})
    assert response.status_code == 409 and "不能评价" in response.json()["detail"]
    assert not Rating.objects.filter(case=case).exists()


def test_the_review_is_decided_once_by_a_dispatcher(api):
    case = domestic_dispute()
    api("clerk").post(f"/cases/{case.pk}/ratings", {"satisfaction": "dissatisfied"})
    review = Review.objects.get(case=case)
    url = f"/reviews/{review.pk}/decision"
    assert api("clerk").post(url, {"decision": "close", "explanation": "已解释"}).status_code == 403
    bad = api("dispatcher").post(url, {"decision": "ignore", "explanation": ""})
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"decision", "explanation"}
    decided = api("dispatcher").post(url, {"decision": "close", "explanation": "已当面解释"})
    assert decided.status_code == 200 and decided.json()["decision"] == "close"
    again = api("dispatcher").post(url, {"decision": "reopen", "explanation": "再办"})
    assert again.status_code == 409
    assert (
        api("dispatcher")
        .post("/reviews/999999/decision", {"decision": "close", "explanation": "x"})
        .status_code
        == 404
    )
    assert Case.objects.get(pk=case.pk).status == "rated"


def test_visits_are_listed_and_recorded_by_the_grid(api):
    case = domestic_dispute()
    listed = api("grid").get(f"/cases/{case.pk}/visits").json()
    assert [(v["number"], v["status"]) for v in listed] == [
        (1, "planned"),
        (2, "planned"),
        (3, "planned"),
    ]
    first = listed[0]["id"]
    assert (
        api("caoe")
        .post(f"/visits/{first}", {"method": "visit", "findings": "好", "stable": True})
        .status_code
        == 404
    )
    bad = api("grid").post(f"/visits/{first}", {"method": "fax", "findings": "", "stable": True})
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"method", "findings"}
    assert (
        api("grid").post(f"/visits/{first}", {"method": "visit", "findings": "好"}).status_code
        == 422
    )
    with time_machine.travel(at(2026, 9, 20, 9, 0), tick=False):
        done = api("grid").post(
            f"/visits/{first}", {"method": "visit", "findings": "和睦", "stable": True}
        )
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert (
        api("grid")
        .post(f"/visits/{first}", {"method": "visit", "findings": "又去", "stable": True})
        .status_code
        == 409
    )


def test_a_visit_on_an_archived_case_is_refused(api, persona):
    from concord.cases import lifecycle

    case = domestic_dispute()
    lifecycle.transition(case, actor=persona("dispatcher"), action="archive")
    visit = FollowUpVisit.objects.filter(case=case).first()
    response = api("grid").post(
        f"/visits/{visit.pk}", {"method": "visit", "findings": "好", "stable": True}
    )
    assert (
        response.status_code == 409
        and "事项已归档，只能查阅，不能回访" in response.json()["detail"]
    )
    visit.refresh_from_db()
    assert visit.status == "cancelled"


def test_the_assessment_for_supervisors(api):
    domestic_dispute()
    result = api("leader").get("/assessment", {"month": "2026-09", "by": "town"})
    assert result.status_code == 200
    body = result.json()
    assert body["month"] == "2026-09-01" and sum(body["weights"].values()) == 100
    row = next(r for r in body["rows"] if r["name"] == "百官街道")
    assert {k["kpi"] for k in row["kpis"]} == {
        "on_time",
        "satisfaction",
        "resolution",
        "reopen",
        "summons",
        "ping_pong",
    }
    assert api("grid").get("/assessment").status_code == 403
    assert api("dispatcher").get("/assessment", {"month": "2026-13"}).status_code == 422
    assert api("dispatcher").get("/assessment", {"by": "village"}).status_code == 422
