"""The 分流规则 pages: the rule book with conditions and accuracy, the rule form, enabling,
disabling and deleting, and the inputs they refuse without changing anything."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from concord.cases.models import Category
from concord.cases.tests.factories import build_case
from concord.geo.models import Division
from concord.orgs.models import Organisation
from concord.routing.models import RoutingDecision, RoutingRule

RULES = "/routing/rules/"
DEFAULT = "全区默认：属地办理"
LABOUR = "劳动争议/欠薪：属地主办，人社协办"


def org(code: str) -> Organisation:
    return Organisation.objects.get(code=code)


def songxia() -> Division:
    return Division.objects.get(name="崧厦街道")


def rule(name: str) -> RoutingRule:
    return RoutingRule.objects.get(name=name)


def form_data(**overrides) -> dict:
    """A valid new rule: 崧厦街道 labour disputes go to the court, above the county rule."""
    data = {
        "name": "崧厦劳动争议：法院主办",
        "note": "崧厦街道企业集中，劳动争议先行诉前调解。",
        "case_type": "",
        "category": "labour",
        "division": songxia().code,
        "min_people": "",
        "min_amount": "",
        "level": "town",
        "lead_org": str(org("court").pk),
        "assisting_orgs": [str(org("hrss").pk)],
        "priority": "5",
        "active": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def snapshot() -> list[tuple]:
    return list(
        RoutingRule.objects.order_by("pk").values_list(
            "pk", "name", "active", "priority", "lead_org", "risk_levels", "note"
        )
    )


def decide(rule: RoutingRule, *, overridden: bool, user) -> None:
    case = build_case("accepted")
    RoutingDecision.objects.create(
        case=case,
        rule=rule,
        chosen_lead=org("court"),
        overridden=overridden,
        decided_by=user,
    )


# --- who may see the pages -------------------------------------------------------------------


@pytest.mark.parametrize("username", ["dispatcher", "admin"])
def test_dispatchers_and_the_admin_see_the_rule_book(web, username):
    page = web(username).get(RULES)
    assert page.status_code == 200
    text = page.content.decode()
    assert DEFAULT in text and LABOUR in text
    assert "全区默认规则" in text and "类别属于劳动争议/欠薪" in text


@pytest.mark.parametrize("username", ["clerk", "baiguan", "hrss", "leader"])
def test_other_roles_get_404_on_every_rules_page(web, username):
    client = web(username)
    pk = rule(LABOUR).pk
    assert client.get(RULES).status_code == 404
    assert client.get(f"{RULES}new").status_code == 404
    assert client.get(f"{RULES}{pk}/").status_code == 404
    assert client.post(f"{RULES}{pk}/toggle", {"active": "0"}).status_code == 404
    assert client.post(f"{RULES}{pk}/delete").status_code == 404
    assert rule(LABOUR).active


def test_anonymous_visitors_are_sent_to_log_in(client, county):
    assert client.get(RULES).status_code == 302


# --- the list ---------------------------------------------------------------------------------


def test_the_list_shows_lead_assisting_note_level_and_priority(web):
    text = web("dispatcher").get(RULES).content.decode()
    assert "涉及30人以上的欠薪属群体性事项" in text  # the note, under the name
    assert "上虞区人力资源和社会保障局" in text and '<span class="tag-local">属地</span>' in text
    assert "区县" in text and "乡镇（街道）" in text


def test_the_list_is_ordered_by_category_then_place_then_priority(web):
    labour = Category.objects.get(code="labour")
    RoutingRule.objects.create(
        name="崧厦劳动", category=labour, division=songxia(), level="town", lead_local=True
    )
    RoutingRule.objects.create(
        name="劳动高优先", category=labour, priority=9, level="town", lead_local=True
    )
    names = [r.name for r in web("dispatcher").get(RULES).context["rules"]]
    assert names[0] == DEFAULT  # no category first
    labour_rules = [n for n in names if "劳动" in n or "欠薪" in n]
    assert labour_rules[0] == "劳动高优先"  # county-wide before the town, then by priority
    assert labour_rules[-1] == "崧厦劳动"
    assert names.index("医疗纠纷：区医调委主办") > names.index("崧厦劳动")


def test_accuracy_is_the_share_of_decisions_not_overridden_with_the_count(web, persona):
    dispatcher = persona("dispatcher")
    labour = rule(LABOUR)
    for overridden in (False, False, False, True):
        decide(labour, overridden=overridden, user=dispatcher)
    rows = {r.name: r for r in web("dispatcher").get(RULES).context["rules"]}
    assert rows[LABOUR].accuracy == 75 and rows[LABOUR].decided == 4
    assert rows[DEFAULT].accuracy is None
    text = web("dispatcher").get(RULES).content.decode()
    assert '75% <span class="muted">(4)</span>' in text


def test_the_list_costs_the_same_queries_however_many_rules_and_decisions(web, persona):
    client = web("dispatcher")
    client.get(RULES)  # warm the session and caches

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(RULES).status_code == 200
        return len(queries)

    before = count()
    dispatcher = persona("dispatcher")
    medical = Category.objects.get(code="medical")
    for n in range(6):
        extra = RoutingRule.objects.create(
            name=f"医疗{n}", category=medical, priority=n + 10, level="county", lead_local=True
        )
        extra.assisting_orgs.set([org("health"), org("court")])
        decide(extra, overridden=bool(n % 2), user=dispatcher)
    assert count() == before


def test_filters_by_state_category_and_text(web):
    client = web("dispatcher")
    off = rule("医疗纠纷：区医调委主办")
    off.active = False
    off.save()

    def names(**params) -> set[str]:
        return {r.name for r in client.get(RULES, params).context["rules"]}

    assert off.name not in names(state="on") and DEFAULT in names(state="on")
    assert names(state="off") == {off.name}
    assert off.name in names()
    assert names(category="labour") == {LABOUR, "群体性欠薪（30人以上）：区人力社保局主办"}
    assert names(q="群体性") == {"群体性欠薪（30人以上）：区人力社保局主办"}
    assert names(q="小事不出村") == {DEFAULT}  # the note is searched too


def test_an_unknown_filter_value_shows_no_rules_and_says_why(web):
    page = web("dispatcher").get(RULES, {"category": "no-such", "state": "maybe"})
    assert page.status_code == 200 and page.context["rules"] == []
    assert "form-errors" in page.content.decode()


def test_htmx_filtering_returns_just_the_table(web):
    page = web("dispatcher").get(RULES, {"q": "医疗"}, headers={"HX-Request": "true"})
    text = page.content.decode()
    assert "<table" in text and "<html" not in text and "医疗纠纷：区医调委主办" in text


# --- the form ---------------------------------------------------------------------------------


def test_the_form_offers_grouped_places_and_organisations_and_risk_checkboxes(web):
    text = web("dispatcher").get(f"{RULES}new").content.decode()
    assert '<optgroup label="崧厦街道">' in text and "崧厦街道（全镇街）" in text
    assert '<optgroup label="入驻部门">' in text and '<optgroup label="区县">' in text
    assert 'type="checkbox" name="risk_levels" value="red"' in text


def test_a_dispatcher_creates_a_rule(web):
    client = web("dispatcher")
    response = client.post(f"{RULES}new", form_data(risk_levels=["orange", "red"]))
    assert response.status_code == 302 and response["Location"] == RULES
    created = rule("崧厦劳动争议：法院主办")
    assert created.category.code == "labour" and created.division == songxia()
    assert created.lead_org == org("court") and created.priority == 5
    assert list(created.assisting_orgs.all()) == [org("hrss")]
    assert created.risk_levels == ["red", "orange"]
    listed = client.get(RULES).content.decode()
    assert "发生在崧厦街道" in listed and "已添加规则" in listed


def test_a_local_lead_drops_the_chosen_organisation(web):
    web("dispatcher").post(f"{RULES}new", form_data(lead_local="on"))
    created = rule("崧厦劳动争议：法院主办")
    assert created.lead_local and created.lead_org is None


def test_the_edit_form_shows_the_rule_and_saves_changes(web):
    client = web("admin")
    labour = rule(LABOUR)
    page = client.get(f"{RULES}{labour.pk}/")
    assert page.status_code == 200
    assert page.context["form"].initial["category"] == "labour"
    data = form_data(
        name=labour.name,
        version=str(labour.version),
        note="改：人社局派员驻点",
        division="",
        lead_org="",
        lead_local="on",
        priority="3",
        assisting_orgs=[str(org("hrss").pk), str(org("court").pk)],
    )
    assert client.post(f"{RULES}{labour.pk}/", data).status_code == 302
    labour.refresh_from_db()
    assert labour.note == "改：人社局派员驻点" and labour.priority == 3
    assert set(labour.assisting_orgs.values_list("code", flat=True)) == {"hrss", "court"}


def test_an_unknown_rule_is_404(web):
    client = web("dispatcher")
    assert client.get(f"{RULES}999999/").status_code == 404
    assert client.get(f"{RULES}abc/").status_code == 404
    assert client.post(f"{RULES}abc/toggle", {"active": "0"}).status_code == 404
    assert client.get(f"{RULES}99999999999999999999/").status_code == 404


# --- what the service refuses, shown in the form; nothing changes ------------------------------


def test_a_closed_lead_organisation_is_refused_next_to_the_field(web):
    court = org("court")
    court.active = False
    court.save()
    before = snapshot()
    page = web("dispatcher").post(f"{RULES}new", form_data())
    assert page.status_code == 422
    assert page.context["form"].errors["lead_org"] == ["主办单位不存在或已停用"]
    assert snapshot() == before


def test_editing_a_rule_whose_lead_was_closed_names_it_and_refuses_to_save(web):
    hrss = org("hrss")
    group = rule("群体性欠薪（30人以上）：区人力社保局主办")
    hrss.active = False
    hrss.save()
    client = web("dispatcher")
    page = client.get(f"{RULES}{group.pk}/").content.decode()
    assert "上虞区人力资源和社会保障局（已停用）" in page
    before = snapshot()
    data = form_data(
        name=group.name,
        version=str(group.version),
        division="",
        lead_org=str(hrss.pk),
        assisting_orgs=[],
    )
    response = client.post(f"{RULES}{group.pk}/", {**data, "min_people": "30"})
    assert response.status_code == 422
    assert "主办单位不存在或已停用" in response.content.decode()
    assert snapshot() == before


def test_a_rule_with_the_same_conditions_and_priority_is_a_form_level_conflict(web):
    medical = rule("医疗纠纷：区医调委主办")
    before = snapshot()
    data = form_data(name="另一条医疗", category="medical", division="", priority="0")
    page = web("dispatcher").post(f"{RULES}new", data)
    assert page.status_code == 422
    [error] = page.context["form"].non_field_errors()
    assert error.startswith("优先级：") and medical.name in error
    assert snapshot() == before


def test_disabling_the_last_county_default_in_the_form_is_refused(web):
    default = rule(DEFAULT)
    data = form_data(
        name=DEFAULT,
        version=str(default.version),
        category="",
        division="",
        lead_org="",
        lead_local="on",
        priority="0",
    )
    data.pop("active")
    data["assisting_orgs"] = []
    before = snapshot()
    page = web("dispatcher").post(f"{RULES}{default.pk}/", data)
    assert page.status_code == 422
    assert "启用：必须保留一条启用的全区默认规则" in page.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("priority", "abc", "优先级应为整数"),
        ("priority", "99999999999", None),
        ("min_people", "-1", None),
        ("min_amount", "1e400", None),
        ("risk_levels", ["red", "purple"], None),
        ("note", "理" * 2001, "设立理由不能超过2000字"),
        ("name", "", "请填写规则名称"),
        ("level", "province", None),
        ("category", "no-such", None),
        ("division", "999999999999", None),
        ("lead_org", "abc", None),
        ("assisting_orgs", ["99999999"], None),
    ],
)
def test_malformed_values_show_the_form_with_a_message_and_save_nothing(web, field, value, message):
    before = snapshot()
    page = web("dispatcher").post(f"{RULES}new", form_data(**{field: value}))
    assert page.status_code == 422
    errors = page.context["form"].errors
    assert field in errors
    if message:
        assert message in " ".join(errors[field])
    assert snapshot() == before


def test_a_form_error_keeps_what_was_typed(web):
    page = web("dispatcher").post(f"{RULES}new", form_data(priority="abc"))
    text = page.content.decode()
    assert "崧厦街道企业集中" in text and 'value="abc"' in text


# --- enable, disable, delete ------------------------------------------------------------------


def test_toggling_through_htmx_swaps_the_row(web):
    client = web("dispatcher")
    labour = rule(LABOUR)
    page = client.post(
        f"{RULES}{labour.pk}/toggle", {"active": "0"}, headers={"HX-Request": "true"}
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert text.startswith(f'<tr id="rule-{labour.pk}"') and "已停用" in text
    assert not rule(LABOUR).active
    # Posting the same state again leaves it as it is.
    client.post(f"{RULES}{labour.pk}/toggle", {"active": "0"}, headers={"HX-Request": "true"})
    assert not rule(LABOUR).active
    client.post(f"{RULES}{labour.pk}/toggle", {"active": "1"})
    assert rule(LABOUR).active


def test_disabling_the_last_county_default_is_refused_in_the_row(web):
    default = rule(DEFAULT)
    page = web("dispatcher").post(
        f"{RULES}{default.pk}/toggle", {"active": "0"}, headers={"HX-Request": "true"}
    )
    assert page.status_code == 422
    assert "必须保留一条启用的全区默认规则" in page.content.decode()
    assert rule(DEFAULT).active


def test_enabling_a_twin_of_an_active_rule_is_refused(web):
    twin = RoutingRule.objects.create(
        name="医疗双胞胎",
        category=Category.objects.get(code="medical"),
        level="county",
        lead_local=True,
        active=False,
    )
    page = web("dispatcher").post(f"{RULES}{twin.pk}/toggle", {"active": "1"})
    assert page.status_code == 302
    assert not rule("医疗双胞胎").active


@pytest.mark.parametrize("value", ["", "yes", "2"])
def test_a_toggle_without_a_clear_state_is_400(web, value):
    labour = rule(LABOUR)
    page = web("dispatcher").post(f"{RULES}{labour.pk}/toggle", {"active": value})
    assert page.status_code == 400
    assert rule(LABOUR).active


def test_toggle_and_delete_accept_only_posts(web):
    pk = rule(LABOUR).pk
    client = web("dispatcher")
    assert client.get(f"{RULES}{pk}/toggle").status_code == 405
    assert client.get(f"{RULES}{pk}/delete").status_code == 405


def test_deleting_a_rule_keeps_its_decisions(web, persona):
    labour = rule(LABOUR)
    decide(labour, overridden=False, user=persona("dispatcher"))
    page = web("dispatcher").post(f"{RULES}{labour.pk}/delete", headers={"HX-Request": "true"})
    assert page.status_code == 204 and page["HX-Redirect"] == RULES
    assert not RoutingRule.objects.filter(name=LABOUR).exists()
    assert RoutingDecision.objects.filter(rule=None).count() == 1


def test_the_edit_page_asks_before_deleting(web):
    text = web("dispatcher").get(f"{RULES}{rule(LABOUR).pk}/").content.decode()
    assert "hx-confirm=" in text and "确定删除规则" in text


def test_deleting_the_last_county_default_is_refused(web):
    default = rule(DEFAULT)
    client = web("dispatcher")
    htmx = client.post(f"{RULES}{default.pk}/delete", headers={"HX-Request": "true"})
    assert htmx.status_code == 422 and "必须保留一条启用的全区默认规则" in htmx.content.decode()
    plain = client.post(f"{RULES}{default.pk}/delete", follow=True)
    assert "必须保留一条启用的全区默认规则" in plain.content.decode()
    assert rule(DEFAULT).active


def test_the_pages_speak_english(web):
    client = web("dispatcher")
    client.cookies["django_language"] = "en"
    text = client.get(RULES, headers={"Accept-Language": "en"}).content.decode()
    assert "Routing rules" in text and "Routing accuracy" in text and "New rule" in text
    form = client.get(f"{RULES}new").content.decode()
    assert "Any (whole county)" in form and "Reason for the rule" in form
