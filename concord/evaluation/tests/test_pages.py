"""The pages: the case card's forms, the citizen's rating page on its signed link, the
visits list, the ranking with its export, and the archive search."""

import datetime as dt
import io

import time_machine
from django.test import Client
from openpyxl import load_workbook

from concord.audit.models import AuditEntry
from concord.cases.models import Case, CaseEvent
from concord.cases.tests.factories import CAOE, build_case
from concord.evaluation.models import FollowUpVisit, Rating, Review
from concord.evaluation.ratings import rating_token

from .conftest import RESOLVED_AT, domestic_dispute

HTMX = {"HX-Request": "true"}


def visit_post(visit, **fields):
    data = {"method": "phone", "stable": "yes", "findings": "电话回访，双方和好。", **fields}
    return {f"visit-{visit.pk}-{k}": v for k, v in data.items()}


def test_the_case_page_shows_the_visits_and_the_grid_records_the_first(web):
    case = domestic_dispute()
    first = FollowUpVisit.objects.get(case=case, number=1)
    grid = web("grid")
    page = grid.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="evaluation"' in page and page.count('data-visit="') >= 3
    assert f'id="visit-form-{first.pk}"' in page
    assert "评价链接" not in page  # the grid does not send the citizen's link
    response = grid.post(f"/evaluation/visits/{first.pk}/record", visit_post(first))
    assert response.status_code == 302 and response.url == f"/cases/{case.pk}/"
    first.refresh_from_db()
    assert first.status == "done" and first.method == "phone" and first.stable is True
    page = grid.get(response.url).content.decode()
    assert "已记录第1次回访" in page and "电话回访，双方和好。" in page


def test_a_bad_visit_form_comes_back_with_its_errors_and_changes_nothing(web):
    case = domestic_dispute()
    first = FollowUpVisit.objects.get(case=case, number=1)
    response = web("grid").post(
        f"/evaluation/visits/{first.pk}/record",
        visit_post(first, method="fax", findings=""),
        headers=HTMX,
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "请填写回访情况" in body and "回访方式" in body
    first.refresh_from_db()
    assert first.status == "planned"


def test_a_town_outside_the_case_cannot_reach_its_visits(web):
    case = domestic_dispute()
    first = FollowUpVisit.objects.get(case=case, number=1)
    assert (
        web("caoe").post(f"/evaluation/visits/{first.pk}/record", visit_post(first)).status_code
        == 404
    )
    assert web("caoe").get(f"/cases/{case.pk}/").status_code == 404


def test_staff_record_a_phone_rating_once(web):
    case = domestic_dispute()
    clerk = web("clerk")
    page = clerk.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="staff-rating-form"' in page and 'id="rating-link-url"' in page
    data = {"rating-satisfaction": "satisfied", "rating-channel": "phone", "rating-comment": "满意"}
    response = clerk.post(f"/evaluation/cases/{case.pk}/rating", data, follow=True)
    assert "已记录群众评价：满意" in response.content.decode()
    again = clerk.post(f"/evaluation/cases/{case.pk}/rating", data, headers=HTMX)
    assert again.status_code == 422 and "同一轮只能评价一次" in again.content.decode()
    assert Rating.objects.filter(case=case).count() == 1


def test_a_citizen_rates_on_the_link_once(county):
    case = domestic_dispute()
    url = f"/evaluation/rate/{rating_token(case)}"
    citizen = Client()
    page = citizen.get(url).content.decode()
    assert "办理结果评价" in page and case.tracking_code in page and 'value="dissatisfied"' in page
    assert citizen.post(url, {"satisfaction": "great"}).status_code == 422
    response = citizen.post(url, {"satisfaction": "dissatisfied", "comment": "没有落实"})
    assert response.status_code == 302
    done = citizen.get(url).content.decode()
    assert "感谢您的评价" in done and "不满意" in done
    again = citizen.post(url, {"satisfaction": "satisfied"})
    assert again.status_code == 409 and "不能重复评价" in again.content.decode()
    rating = Rating.objects.get(case=case)
    assert (rating.satisfaction, rating.channel, rating.comment) == (
        "dissatisfied",
        "portal",
        "没有落实",
    )


def test_a_tampered_or_expired_link_changes_nothing(county):
    case = domestic_dispute()
    with time_machine.travel(RESOLVED_AT, tick=False):
        token = rating_token(case)
    citizen = Client()
    tampered = citizen.post(f"/evaluation/rate/{token}x", {"satisfaction": "satisfied"})
    assert tampered.status_code == 404 and "评价链接无效" in tampered.content.decode()
    with time_machine.travel(RESOLVED_AT + dt.timedelta(days=31)):
        expired = citizen.post(f"/evaluation/rate/{token}", {"satisfaction": "satisfied"})
    assert expired.status_code == 409 and "评价链接已过期" in expired.content.decode()
    assert not Rating.objects.filter(case=case).exists()


def test_the_link_of_a_case_not_yet_resolved_says_so(county):
    case = build_case("in_progress")
    page = Client().get(f"/evaluation/rate/{rating_token(case)}").content.decode()
    assert "暂不能评价" in page and 'value="satisfied"' not in page


def test_the_dispatcher_reopens_from_the_review_on_the_case_page(web, county):
    case = domestic_dispute()
    Client().post(f"/evaluation/rate/{rating_token(case)}", {"satisfaction": "dissatisfied"})
    review = Review.objects.get(case=case)
    assert 'id="review-form"' not in web("clerk").get(f"/cases/{case.pk}/").content.decode()
    dispatcher = web("dispatcher")
    assert 'id="review-form"' in dispatcher.get(f"/cases/{case.pk}/").content.decode()
    empty = dispatcher.post(f"/evaluation/reviews/{review.pk}/decision", {}, headers=HTMX)
    assert empty.status_code == 422 and "请选择处理决定" in empty.content.decode()
    data = {"review-decision": "reopen", "review-explanation": "协议未履行"}
    response = dispatcher.post(f"/evaluation/reviews/{review.pk}/decision", data, follow=True)
    assert "已处理不满意复核：重新办理" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "in_progress" and case.reopen_count == 1
    again = dispatcher.post(f"/evaluation/reviews/{review.pk}/decision", data, follow=True)
    assert "不能再次处理" in again.content.decode()
    assert CaseEvent.objects.filter(case=case, action="reopen").count() == 1


def test_a_relapse_is_linked_on_both_case_pages(web):
    case = domestic_dispute()
    first = FollowUpVisit.objects.get(case=case, number=1)
    grid = web("grid")
    grid.post(f"/evaluation/visits/{first.pk}/record", visit_post(first, stable="no"))
    relapse = Case.objects.get(parent=case)
    original = grid.get(f"/cases/{case.pk}/").content.decode()
    assert f'href="/cases/{relapse.pk}/" class="relapse-link">{relapse.tracking_code}' in original
    linked = grid.get(f"/cases/{relapse.pk}/").content.decode()
    assert 'id="relapse-of"' in linked and case.tracking_code in linked


def test_the_grid_lists_the_visits_it_owes(web):
    case = domestic_dispute()
    mine = web("grid").get("/evaluation/visits/").content.decode()
    assert mine.count(f'data-case="{case.tracking_code}"') == 3
    assert (
        f'data-case="{case.tracking_code}"'
        not in web("caoe").get("/evaluation/visits/").content.decode()
    )


def test_the_ranking_is_for_supervisors_and_exports_to_xlsx(web):
    domestic_dispute(when=RESOLVED_AT)
    dispatcher = web("dispatcher")
    page = dispatcher.get("/evaluation/ranking/?month=2026-09&by=org").content.decode()
    assert 'id="ranking"' in page and "百官街道矛调中心" in page
    assert web("grid").get("/evaluation/ranking/").status_code == 404
    bad = dispatcher.get("/evaluation/ranking/?month=2026-13")
    assert bad.status_code == 400 and "月份应为" in bad.content.decode()
    export = dispatcher.get("/evaluation/ranking.xlsx?month=2026-09&by=town")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet.cell(1, 2).value == "乡镇（街道）" and sheet.cell(2, 2).value == "百官街道"
    assert AuditEntry.objects.filter(action="export", detail__report="assessment").exists()
    assert dispatcher.get("/evaluation/ranking.xlsx?by=x").status_code == 400


def test_the_archive_search_finds_archived_cases_in_scope_only(web):
    archived = build_case("archived", description="邻居违章搭建遮挡采光，多次协商未果。")
    build_case("rated", description="邻居违章搭建遮挡采光，仍在评价。")
    elsewhere = build_case("archived", town=CAOE, handler="caoe")
    baiguan = web("baiguan")
    page = baiguan.get("/cases/archive/?q=违章搭建").content.decode()
    assert archived.tracking_code in page and "仍在评价" not in page
    assert elsewhere.tracking_code not in page and "归档查询" in page
    assert "status=archived" in page  # the export and the pages keep to the archive
    everything = web("clerk").get("/cases/archive/").content.decode()
    assert archived.tracking_code in everything and elsewhere.tracking_code in everything
