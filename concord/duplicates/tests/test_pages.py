"""The case page's card: similar cases with reasons, merging and undoing from the page."""

from django.template import Context, Template
from django.test import RequestFactory

from concord.cases.models import Case
from concord.cases.tests.factories import CAOE, build_case

WAGES = "工地包工头拖欠木工工资三万八千元，多次讨要未果"


def card(case: Case, user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load duplicates_cards %}{% duplicates_card case %}")
    return template.render(Context({"case": case, "user": user, "request": request}))


def test_the_card_shows_similar_cases_with_their_reasons(persona):
    first = build_case(description=WAGES)
    second = build_case(description=WAGES)
    html = card(second, persona("clerk"))
    assert first.tracking_code in html and "诉求内容相似 1.00" in html
    assert "合并到该事项" in html
    assert "合并到该事项" not in card(second, persona("leader"))


def test_a_case_without_similar_cases_shows_no_card(persona):
    assert "duplicates" not in card(build_case(description=WAGES), persona("clerk"))


def test_merging_and_undoing_from_the_page(web):
    first = build_case(description=WAGES)
    second = build_case(description=WAGES)
    dispatcher = web("dispatcher")
    answer = dispatcher.post(f"/duplicates/cases/{second.pk}/merge", {"into": first.pk})
    assert answer.status_code == 302
    assert Case.objects.get(pk=second.pk).merged_into_id == first.pk
    page = dispatcher.get(f"/cases/{second.pk}/", follow=True)
    assert f"已将本事项并入 {first.tracking_code}" in page.content.decode()
    answer = dispatcher.post(
        f"/duplicates/cases/{second.pk}/unmerge", headers={"HX-Request": "true"}
    )
    assert answer.status_code == 204
    assert Case.objects.get(pk=second.pk).merged_into_id is None


def test_a_refused_merge_from_the_page_says_why(web):
    case = build_case()
    other = build_case(town=CAOE, handler="caoe")
    answer = web("dispatcher").post(
        f"/duplicates/cases/{case.pk}/merge", {"into": case.pk}, headers={"HX-Request": "true"}
    )
    assert answer.status_code == 422
    assert "不能将事项合并到其自身" in answer.content.decode()
    answer = web("dispatcher").post(
        f"/duplicates/cases/{case.pk}/merge", {"into": "abc"}, headers={"HX-Request": "true"}
    )
    assert answer.status_code == 422 and "请指定要并入的事项编号" in answer.content.decode()
    assert (
        web("baiguan").post(f"/duplicates/cases/{other.pk}/merge", {"into": case.pk}).status_code
        == 404
    )
