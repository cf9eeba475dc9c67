from io import StringIO

import pytest
from django.core.management import call_command

from concord.cases.choices import CaseStatus
from concord.cases.models import Category
from concord.cases.tests.factories import CaseFactory, build_case
from concord.core.limits import DESCRIPTION_MAX
from concord.triage import services
from concord.triage.models import TriageModel
from concord.triage.samples import HANDWRITTEN

pytestmark = [pytest.mark.django_db, pytest.mark.urls("concord.triage.tests.urls")]

WAGES = "包工头拖欠我们十几个人的工资，快过年了要回家"


def codes(answer: dict) -> list[str]:
    return [c["code"] for c in answer["categories"]]


def test_cold_start_rules_answer_without_a_model(api):
    response = api("clerk").post("/triage/suggest", {"text": WAGES})

    assert response.status_code == 200, response.content
    body = response.json()
    assert codes(body)[0] == "labour"
    assert body["categories"][0]["name"] == "劳动争议/欠薪"
    assert len(body["categories"]) >= 3
    assert body["similar"] == []  # nothing registered yet
    assert body["risk"]["level"] in ("red", "orange", "yellow", "blue")
    assert not TriageModel.objects.exists()


def test_the_suggestion_tells_the_risk_and_the_same_matter_seen_before(api):
    earlier = build_case(description="工人在大楼顶上扬言跳楼，讨要被拖欠的工资三万元。")
    earlier_text = "工人在大楼顶上扬言跳楼，讨要被拖欠的工资三万元。"
    body = api("clerk").post("/triage/suggest", {"text": earlier_text}).json()
    assert body["risk"]["level"] == "red"
    assert any("跳楼" in reason for reason in body["risk"]["reasons"])
    assert [s["tracking_code"] for s in body["similar"]] == [earlier.tracking_code]
    assert any("诉求内容相似" in reason for reason in body["similar"][0]["reasons"])


def test_cold_start_still_offers_three_when_no_keyword_matches(county):
    answer = services.suggest("张三李四王五")

    assert len(answer["categories"]) == 3
    assert all(c["score"] == 0 for c in answer["categories"])


def test_suggestion_improves_after_training_on_closed_cases(closed_cases):
    """Rules know level-1 families only; the model learnt the sub-categories the center uses."""

    def hits() -> int:
        services.forget_loaded()
        return sum(code in codes(services.suggest(text))[:1] for code, text in HANDWRITTEN)

    before = hits()
    closed_cases(8)
    assert services.train_from_cases() is not None
    after = hits()

    assert before == 0  # the rules never name a sub-category
    assert after >= len(HANDWRITTEN) // 2, after


def test_categories_added_by_import_are_learnt(closed_cases):
    tea = Category.objects.create(code="tea-garden", name="茶园承包", sort_order=99)
    text = "茶园承包到期后对方不肯交还茶山，采茶季节双方争执"
    services.forget_loaded()
    assert "tea-garden" not in codes(services.suggest(text))

    closed_cases(2, codes={"labour-wage-arrears", "family-marriage", "land-forest"})
    for variant in ("茶园承包合同到期，茶山不还", "采茶季节茶园被人占着", "茶园承包费一直没付"):
        for _ in range(4):
            CaseFactory(status=CaseStatus.RESOLVED, category=tea, title="", description=variant)
    row = services.train_from_cases()

    assert row.counts["tea-garden"] == 12
    assert codes(services.suggest(text))[0] == "tea-garden"


def test_open_and_merged_cases_are_not_training_data(closed_cases):
    closed_cases(1, codes={"family-marriage", "labour-wage-arrears"})
    labour = Category.objects.get(code="labour-injury")
    survivor = CaseFactory(status=CaseStatus.ARCHIVED, category=labour, description="工伤")
    CaseFactory(status=CaseStatus.IN_PROGRESS, category=labour, description="工伤未处理")
    CaseFactory(
        status=CaseStatus.ARCHIVED, category=labour, description="重复", merged_into=survivor
    )

    texts, labels = services.training_set()

    assert labels.count("labour-injury") == 1


def test_too_few_closed_cases_keep_the_rules(closed_cases):
    closed_cases(1, codes={"family-marriage"})

    assert services.train_from_cases() is None
    assert codes(services.suggest(WAGES))[0] == "labour"


def test_a_newer_model_is_picked_up_by_the_running_process(closed_cases, settings):
    closed_cases(5, codes={"labour-wage-arrears", "family-marriage"})
    assert services.train_from_cases() is not None
    first = services.loaded().model_id
    closed_cases(5, codes={"labour-injury"})
    newer = services.train_from_cases()

    assert services.loaded().model_id == newer.id != first
    assert TriageModel.objects.count() == 2  # the one in use and the one before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "请填写诉求内容"),
        ("   \n ", "请填写诉求内容"),
        (None, "请填写诉求内容"),
        ("欠薪" * 51_200, f"诉求内容不能超过{DESCRIPTION_MAX}字"),
        ("😡😡😭🙏", "没有可识别的文字"),
        ("！！？？……", "没有可识别的文字"),
        ("拖欠\x00工资", "控制字符"),
    ],
)
def test_bad_text_is_refused_with_a_clear_message(api, text, message):
    response = api("clerk").post("/triage/suggest", {"text": text})

    assert response.status_code == 422
    assert message in response.json()["errors"]["text"]


def test_a_missing_or_non_text_field_is_refused(api):
    assert api("clerk").post("/triage/suggest", {}).status_code == 422
    assert api("clerk").post("/triage/suggest", {"text": ["a"]}).status_code == 422


def test_suggest_needs_a_login(api):
    assert api(None).post("/triage/suggest", {"text": WAGES}).status_code == 401


def test_train_triage_command_reports_what_it_did(closed_cases):
    out = StringIO()
    call_command("train_triage", stdout=out)
    assert "太少" in out.getvalue()

    closed_cases(3)
    out = StringIO()
    call_command("train_triage", stdout=out)

    row = TriageModel.objects.get()
    assert f"已训练：{row.sample_size} 件事项" in out.getvalue()
    assert len(row.counts) >= 40


def test_a_model_that_cannot_be_read_falls_back_to_the_rules(county):
    TriageModel.objects.create(sample_size=1, data=b"not a model")

    assert codes(services.suggest(WAGES))[0] == "labour"
