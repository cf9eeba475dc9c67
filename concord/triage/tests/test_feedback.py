import pytest

from concord.cases.models import Category
from concord.cases.tests.factories import build_case
from concord.cases.tests.test_pages import _intake_post
from concord.triage import services
from concord.triage.models import Feedback

pytestmark = pytest.mark.django_db


def test_a_clerks_correction_is_stored(persona):
    case = build_case(category="labour-injury")
    shown = services.shown_codes("labour-wage-arrears,labour-contract,labour-injury")

    feedback = services.record_choice(case=case, suggested=shown, actor=persona("clerk"))

    feedback.refresh_from_db()
    assert feedback.suggested == ["labour-wage-arrears", "labour-contract", "labour-injury"]
    assert feedback.chosen == "labour-injury"
    assert (feedback.top1, feedback.top3) == (False, True)
    assert feedback.created_by == persona("clerk")


def test_feedback_is_kept_once_and_only_when_something_was_shown(persona):
    case = build_case(category="family-marriage")

    assert services.record_choice(case=case, suggested=[], actor=None) is None
    services.record_choice(case=case, suggested=["family-marriage"], actor=None)
    services.record_choice(case=case, suggested=["neighbour-noise"], actor=None)

    assert list(Feedback.objects.values_list("suggested", "top1")) == [(["family-marriage"], True)]


def test_shown_codes_keep_known_categories_only(county):
    assert services.shown_codes("family, nonsense ,labour,,x,y") == ["family", "labour"]
    assert services.shown_codes("") == []


def _feedback(chosen: str, suggested: list[str]) -> None:
    case = build_case(category=chosen)
    services.record_choice(case=case, suggested=suggested, actor=None)


def test_accuracy_page_shows_top1_and_top3_per_category(web):
    _feedback("labour-injury", ["labour-injury", "labour-contract", "family"])
    _feedback("labour-injury", ["labour-contract", "labour-injury", "family"])
    _feedback("family-marriage", ["neighbour-noise", "labour", "family"])

    page = web("dispatcher").get("/triage/accuracy")

    assert page.status_code == 200
    html = page.content.decode()
    assert "工伤待遇" in html and "婚姻纠纷" in html
    per, overall = services.accuracy()
    injury = next(a for a in per if a.code == "labour-injury")
    assert (injury.total, injury.top1, injury.top3) == (2, 1, 2)
    assert (overall.total, overall.top1, overall.top3) == (3, 1, 2)
    assert 'data-code="labour-injury"' in html


@pytest.mark.parametrize("who", ["clerk", "baiguan", "leader"])
def test_accuracy_page_is_for_dispatchers_and_admins(web, who):
    assert web(who).get("/triage/accuracy").status_code == 404
    assert web("admin").get("/triage/accuracy").status_code == 200


def test_intake_box_shows_three_to_pick(web, county):
    response = web("clerk").post(
        "/triage/suggestions", {"title": "", "description": "楼上半夜噪音扰民"}
    )

    html = response.content.decode()
    assert html.count("data-pick-category") == 3
    assert 'name="triage_shown" value="neighbour,' in html


def test_intake_box_hints_while_the_text_is_empty(web, county):
    response = web("clerk").post("/triage/suggestions", {"description": "🙂"})

    assert response.status_code == 200
    assert "没有可识别的文字" in response.content.decode()
    assert web("clerk").post("/triage/suggestions", {"description": " "}).content.strip() == b""
    assert web("leader").post("/triage/suggestions", {"description": "x"}).status_code == 404


def test_category_names_follow_the_database(county):
    Category.objects.filter(code="labour").update(name="劳动纠纷")
    services.forget_loaded()

    assert services.suggest("拖欠工资")["categories"][0]["name"] == "劳动纠纷"


def test_registering_through_the_intake_form_keeps_the_clerks_choice(web):
    """The suggestion box posts `triage_shown` with the form; the clerk chose another code."""
    data = _intake_post(category="neighbour-boundary", triage_shown="land-homestead,neighbour")

    response = web("clerk").post("/cases/new", data)

    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.chosen, feedback.suggested) == (
        "neighbour-boundary",
        ["land-homestead", "neighbour"],
    )
    assert (feedback.top1, feedback.top3) == (False, False)
