"""Routing rules: the most specific wins, the preview says why, the dispatcher may override."""

import pytest

from concord.cases.models import Case, CaseEvent, Category
from concord.cases.tests.factories import BAIGUAN, build_case, first_village
from concord.core.errors import Conflict, InvalidInput
from concord.geo.models import Division
from concord.orgs.models import Organisation
from concord.routing.models import RoutingDecision, RoutingRule
from concord.routing.rules import delete_rule, save_rule
from concord.routing.services import preview


def songxia() -> Division:
    return Division.objects.get(name="崧厦街道")


def town_center(town: Division) -> Organisation:
    return Organisation.objects.get(kind="town_center", division=town)


def org(code: str) -> Organisation:
    return Organisation.objects.get(code=code)


def accepted(**draft) -> Case:
    return build_case("accepted", **draft)


def wage_case(people: int, town: str | None = None) -> Case:
    town = town or songxia().code
    return accepted(
        town=town,
        category="labour-wage-arrears",
        people_count=people,
        description="某建材公司拖欠工人三个月工资，工人集体讨薪。",
    )


def test_a_group_wage_case_goes_to_hrss_at_county_level_with_the_town_assisting(county):
    shown = preview(wage_case(30))
    assert shown.rule.name == "群体性欠薪（30人以上）：区人力社保局主办"
    assert shown.decision.level == "county"
    assert shown.lead == org("hrss")
    assert shown.assisting == [town_center(songxia())]
    assert "涉及30人以上" in shown.reasons and "类别属于劳动争议/欠薪" in shown.reasons
    # The less specific labour rule matched too and is named as the runner-up.
    assert shown.decision.runners_up[0].name == "劳动争议/欠薪：属地主办，人社协办"


def test_a_small_wage_case_stays_in_town_with_hrss_assisting(county):
    shown = preview(wage_case(3))
    assert shown.lead == town_center(songxia()) and shown.assisting == [org("hrss")]


def test_a_case_without_category_falls_to_the_county_default(county):
    shown = preview(accepted())
    assert shown.rule.name == "全区默认：属地办理"
    assert shown.lead == town_center(Division.objects.get(code=BAIGUAN))
    assert shown.reasons == ["全区默认规则"]


def test_a_sub_category_beats_its_parent_and_a_town_beats_the_county(county):
    parent = Category.objects.get(code="labour")
    child = Category.objects.get(code="labour-wage-arrears")
    court = org("court")
    by_child = save_rule(
        RoutingRule(name="欠薪子类", category=child, level="county", lead_org=court)
    )
    assert preview(wage_case(3)).rule == by_child
    town_rule = save_rule(
        RoutingRule(
            name="崧厦欠薪", category=child, division=songxia(), level="town", lead_local=True
        )
    )
    assert preview(wage_case(3)).rule == town_rule
    assert preview(wage_case(3, town=BAIGUAN)).rule == by_child  # other towns: county-wide
    assert parent.pk != child.pk


def test_equal_rules_are_ordered_by_priority_and_a_disabled_rule_is_ignored(county):
    medical = Category.objects.get(code="medical")
    low = save_rule(
        RoutingRule(
            name="医疗A", category=medical, level="county", lead_org=org("court"), priority=1
        )
    )
    high = save_rule(
        RoutingRule(
            name="医疗B", category=medical, level="county", lead_org=org("health"), priority=5
        )
    )
    case = accepted(category="medical-malpractice")
    assert preview(case).rule == high
    high.active = False
    save_rule(high)
    assert preview(case).rule == low


def test_a_rule_pointing_at_a_closed_organisation_is_refused(county):
    gone = org("court")
    gone.active = False
    gone.save()
    with pytest.raises(InvalidInput) as refused:
        save_rule(RoutingRule(name="法院", level="county", lead_org=gone))
    assert "lead_org" in refused.value.errors
    assert not RoutingRule.objects.filter(name="法院").exists()


def test_overlapping_rules_with_equal_priority_are_refused(county):
    medical = Category.objects.get(code="medical")
    with pytest.raises(Conflict) as refused:
        save_rule(RoutingRule(name="重复", category=medical, level="county", lead_org=org("court")))
    assert "医疗纠纷：区医调委主办" in refused.value.message
    assert not RoutingRule.objects.filter(name="重复").exists()


def test_the_last_county_default_cannot_go(county):
    default = RoutingRule.objects.get(name="全区默认：属地办理")
    with pytest.raises(Conflict):
        delete_rule(default)
    default.active = False
    with pytest.raises(Conflict):
        save_rule(default)
    assert RoutingRule.objects.get(pk=default.pk).active


def test_the_api_previews_and_routes_with_an_override_recorded(api, county):
    case = wage_case(30)
    shown = api("dispatcher").post(f"/cases/{case.pk}/route/preview")
    assert shown.status_code == 200, shown.content
    body = shown.json()
    assert body["lead_org"]["name"] == "上虞区人力资源和社会保障局" and body["level"] == "county"
    routed = api("dispatcher").post(f"/cases/{case.pk}/route", {})
    assert routed.status_code == 200 and routed.json()["status"] == "assigned"
    assert routed.json()["lead_org"] == org("hrss").pk
    decision = RoutingDecision.objects.get(case=case)
    assert not decision.overridden and decision.rule.name.startswith("群体性欠薪")
    other = wage_case(30)
    overridden = api("dispatcher").post(
        f"/cases/{other.pk}/route", {"lead_org": town_center(songxia()).pk, "assisting_orgs": []}
    )
    assert overridden.status_code == 200
    assert RoutingDecision.objects.get(case=other).overridden


def test_routing_is_refused_for_a_closed_case_and_for_others(api, county):
    closed = build_case("resolved")
    answer = api("dispatcher").post(f"/cases/{closed.pk}/route", {})
    assert answer.status_code == 409 and "已办结" in answer.json()["detail"]
    assert not RoutingDecision.objects.exists()
    assert CaseEvent.objects.filter(case=closed, action="assign").count() == 1
    case = accepted()
    assert api("baiguan").post(f"/cases/{case.pk}/route/preview").status_code in (403, 404)
    assert api("caoe").post(f"/cases/{case.pk}/route/preview").status_code == 404
    bad = api("dispatcher").post(f"/cases/{case.pk}/route", {"lead_org": "hrss"})
    assert bad.status_code == 422
    unknown = api("dispatcher").post(f"/cases/{case.pk}/route", {"lead_org": 999999})
    assert unknown.status_code == 422 and "lead_org" in unknown.json()["errors"]
    assert Case.objects.get(pk=case.pk).status == "accepted"
    assert first_village(BAIGUAN)


def test_the_case_page_suggests_and_an_assignment_there_is_recorded(web, county):
    case = wage_case(30)
    page = web("dispatcher").get(f"/cases/{case.pk}/").content.decode()
    assert "群体性欠薪（30人以上）：区人力社保局主办" in page and "涉及30人以上" in page
    hrss = org("hrss")
    assert f'<option value="{hrss.pk}" selected>' in page
    answer = web("dispatcher").post(
        f"/cases/{case.pk}/act/assign", {"lead_org": hrss.pk, "assisting_orgs": []}
    )
    assert answer.status_code == 302
    decision = RoutingDecision.objects.get(case=case)
    assert decision.chosen_lead == hrss and decision.chosen_assisting == []
    assert decision.overridden  # the town's assisting share was dropped


def test_rule_changes_are_audited_and_silly_values_refused(county, persona):
    from concord.audit.models import AuditEntry

    dispatcher = persona("dispatcher")
    rule = save_rule(
        RoutingRule(name="审计", level="county", lead_org=org("court"), priority=3),
        actor=dispatcher,
    )
    rule.priority = 4
    save_rule(rule, actor=dispatcher)
    entries = AuditEntry.objects.filter(object_type="routingrule", object_id=str(rule.pk))
    assert [(e.detail["before"] or {}).get("priority") for e in entries.order_by("pk")] == [None, 3]
    newest = entries.order_by("pk").last()
    assert newest.actor == dispatcher and newest.detail["after"]["priority"] == 4
    for bad in ({"min_people": 0}, {"priority": 10_001}):
        with pytest.raises(InvalidInput) as refused:
            save_rule(RoutingRule(name="坏", level="town", lead_local=True, **bad))
        assert set(bad) <= set(refused.value.errors)
    delete_rule(rule, actor=dispatcher)
    assert entries.order_by("pk").last().detail["after"] is None
