"""The 来源渠道 condition: grid reports go to the village's mediation committee, unless a rule
about the category applies, which the ordering puts first."""

import pytest

from concord.cases.choices import Channel
from concord.cases.models import Case
from concord.cases.tests.factories import BAIGUAN, build_case, first_village
from concord.core.errors import Conflict
from concord.geo.models import Division
from concord.orgs.models import Organisation
from concord.routing.models import RoutingRule
from concord.routing.rules import save_rule
from concord.routing.services import preview

GRID_RULE = "网格上报：村级办理"


def village_committee(village: Division) -> Organisation:
    return Organisation.objects.get(kind="village_committee", division=village)


def town_center(code: str) -> Organisation:
    return Organisation.objects.get(kind="town_center", division_id=code)


def grid_case(**draft) -> Case:
    return build_case("accepted", channel=Channel.GRID, **draft)


def test_a_grid_report_in_a_baiguan_village_goes_to_that_village_committee(county):
    village = Division.objects.filter(parent_id=BAIGUAN).order_by("code")[3]
    shown = preview(grid_case(division=village.code, category="neighbour-noise"))
    assert shown.rule.name == GRID_RULE
    assert shown.decision.level == "village" and shown.level_label == "村（社区）"
    assert shown.lead == village_committee(village)
    assert shown.assisting == []
    assert shown.reasons == ["来源渠道为网格上报"]
    assert "就地化解" in shown.rule.note
    # The county default matched too, and lost: the channel is one more condition.
    assert shown.decision.runners_up[0].name == "全区默认：属地办理"


def test_the_same_event_from_the_window_stays_with_the_town(county):
    shown = preview(build_case("accepted", category="neighbour-noise"))
    assert shown.rule.name == "全区默认：属地办理"
    assert shown.lead == town_center(BAIGUAN)


def test_a_category_rule_beats_the_grid_rule(county):
    # Specificity compares the category first, then the place, and only then how many other
    # conditions (the channel among them) a rule sets. "劳动争议/欠薪" names a category and
    # the grid rule does not, so a wage case reported by a grid worker follows the labour rule:
    # the town center leads and the human-resources bureau assists.
    shown = preview(grid_case(category="labour-wage-arrears"))
    assert shown.rule.name == "劳动争议/欠薪：属地主办，人社协办"
    assert shown.decision.level == "town"
    assert shown.lead == town_center(BAIGUAN)
    assert GRID_RULE in [r.name for r in shown.decision.runners_up]


def test_a_grid_report_placed_only_in_a_town_goes_to_the_town_center(county):
    # A village-level rule needs a village; at town level the town center is the local one.
    shown = preview(grid_case(division=BAIGUAN))
    assert shown.rule.name == GRID_RULE and shown.lead == town_center(BAIGUAN)


def test_channel_and_grid_rule_in_a_village_beats_the_plain_grid_rule(county):
    village = first_village(BAIGUAN)
    local = save_rule(
        RoutingRule(
            name="龙山网格：百官中心主办",
            channel=Channel.GRID,
            division=village,
            level="town",
            lead_org=town_center(BAIGUAN),
        )
    )
    assert preview(grid_case()).rule == local


def test_a_rule_differing_only_by_channel_is_not_a_twin_but_an_equal_one_is(county):
    phone = save_rule(
        RoutingRule(name="来电：属地", channel=Channel.PHONE, level="town", lead_local=True)
    )
    assert phone.pk and phone.channel == "phone"
    with pytest.raises(Conflict) as refused:
        save_rule(RoutingRule(name="网格二", channel=Channel.GRID, level="town", lead_local=True))
    assert GRID_RULE in refused.value.message


def test_a_grid_rule_is_not_a_county_default(county):
    assert not RoutingRule.objects.get(name=GRID_RULE).is_default


def test_the_rules_page_sets_and_shows_the_channel(web, county):
    client = web("dispatcher")
    form = client.get("/routing/rules/new")
    assert 'name="channel"' in form.content.decode()
    answer = client.post(
        "/routing/rules/new",
        {
            "name": "来信：县级",
            "channel": "letter",
            "level": "county",
            "lead_local": "on",
            "priority": "0",
            "active": "on",
        },
    )
    assert answer.status_code == 302, answer.content.decode()
    rule = RoutingRule.objects.get(name="来信：县级")
    assert rule.channel == "letter"
    page = client.get("/routing/rules/").content.decode()
    assert "来源渠道为来信" in page and "来源渠道为网格上报" in page
    edit = client.get(f"/routing/rules/{rule.pk}/").content.decode()
    assert '<option value="letter" selected>' in edit
