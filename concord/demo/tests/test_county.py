"""The demo county's reference data: organisations, categories and the SPEC §11 accounts."""

import re

import pytest
from django.test import Client

from concord.accounts.models import Role, User
from concord.accounts.permissions import staff_flags
from concord.cases.models import Category
from concord.deadlines.models import DeadlinePolicy
from concord.demo.county import (
    CATEGORIES,
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    GRID_ORG_CODE,
    category_codes,
    is_loaded,
    load_reference_data,
)
from concord.evaluation.models import FollowUpPlan
from concord.geo.models import Division
from concord.orgs.models import Organisation, OrgKind
from concord.routing.models import RoutingRule

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    counts = {kind: Organisation.objects.filter(kind=kind).count() for kind in OrgKind.values}
    counts["divisions"] = Division.objects.count()
    counts["categories"] = Category.objects.count()
    counts["users"] = User.objects.count()
    return counts


def test_organisation_counts():
    load_reference_data()
    assert Organisation.objects.filter(kind=OrgKind.DEPARTMENT).count() >= 15
    assert Organisation.objects.filter(kind=OrgKind.MEDIATION_ORG).count() == 12
    assert Organisation.objects.filter(kind=OrgKind.TOWN_CENTER).count() == 20
    assert Organisation.objects.filter(kind=OrgKind.VILLAGE_COMMITTEE).count() == 364
    assert Organisation.objects.filter(kind=OrgKind.GRID).count() == 1
    assert Organisation.objects.filter(kind=OrgKind.COUNTY_CENTER).count() == 1
    assert Organisation.objects.filter(kind=OrgKind.LEADERSHIP).count() == 1


def test_organisation_tree_and_names():
    load_reference_data()
    center = Organisation.objects.get(code="county-center")
    assert (center.name, center.division_id, center.parent_id) == (
        "上虞区矛调中心",
        "330604000000",
        None,
    )
    assert Organisation.objects.get(code="court").name == "上虞区人民法院"
    assert Organisation.objects.get(code="hrss").name == "上虞区人力资源和社会保障局"
    medical = Organisation.objects.get(code="medical-mediation")
    assert medical.name == "上虞区医疗纠纷人民调解委员会" and medical.parent == center

    town = Organisation.objects.get(code="town-330604001")
    assert (town.name, town.kind, town.division_id, town.parent) == (
        "百官街道矛调中心",
        OrgKind.TOWN_CENTER,
        "330604001000",
        center,
    )
    committee = Organisation.objects.get(code="village-330604001001")
    assert committee.name == "龙山社区人民调解委员会" and committee.parent == town
    grid = Organisation.objects.get(code=GRID_ORG_CODE)
    assert (grid.name, grid.kind, grid.division_id, grid.parent) == (
        "龙山社区第一网格",
        OrgKind.GRID,
        "330604001001",
        committee,
    )
    # Village committees: short names, on their village, under their town's center.
    for org in Organisation.objects.filter(kind=OrgKind.VILLAGE_COMMITTEE).select_related("parent"):
        assert re.fullmatch(r".+(村|社区)人民调解委员会", org.name), org.name
        assert "委会" not in org.name.removesuffix("人民调解委员会")
        assert org.parent.code == f"town-{org.division_id[:9]}"
    # Every organisation has a 上虞 landline.
    assert not Organisation.objects.exclude(phone__regex=r"^0575-82\d{6}$").exists()


def test_categories():
    load_reference_data()
    parents = Category.objects.filter(parent=None)
    assert [c.code for c in parents.order_by("sort_order")] == [c[0] for c in CATEGORIES]
    assert len(CATEGORIES) == 15
    labour = Category.objects.get(code="labour")
    assert labour.name == "劳动争议/欠薪"
    assert Category.objects.get(code="labour-wage-arrears").parent == labour
    for parent in parents:
        assert 2 <= parent.children.count() <= 4, parent.code
        for child in parent.children.all():
            assert child.code.startswith(parent.code + "-")
            assert child.sort_order > parent.sort_order
    assert Category.objects.count() == len(category_codes())


@pytest.mark.parametrize(("username", "role", "org_code", "full_name"), DEMO_ACCOUNTS)
def test_demo_account_logs_in_with_the_demo_password(username, role, org_code, full_name):
    load_reference_data()
    assert Client().login(username=username, password=DEMO_PASSWORD)
    user = User.objects.select_related("organisation").get(username=username)
    assert (user.role, user.organisation.code, user.full_name) == (role, org_code, full_name)
    assert (user.is_staff, user.is_superuser) == staff_flags(role)


def test_demo_accounts_match_spec():
    load_reference_data()
    orgs = dict(User.objects.values_list("username", "organisation__name"))
    assert orgs["clerk"] == "上虞区矛调中心"
    assert orgs["leader"] == "中共绍兴市上虞区委政法委员会"
    assert orgs["baiguan"] == "百官街道矛调中心"
    assert orgs["caoe"] == "曹娥街道矛调中心"
    assert orgs["hrss"] == "上虞区人力资源和社会保障局"
    assert orgs["court"] == "上虞区人民法院"
    assert orgs["mediator"] == "上虞区医疗纠纷人民调解委员会"
    grid = User.objects.get(username="grid")
    assert grid.organisation.division.parent_id == "330604001000"


def test_reload_is_idempotent_and_keeps_changed_passwords():
    load_reference_data()
    before = _counts()
    clerk = User.objects.get(username="clerk")
    clerk.set_password("a-new-secret-123")
    clerk.role = Role.HANDLER
    clerk.save()
    Organisation.objects.filter(code="court").update(name="改名")
    load_reference_data(force=True)
    load_reference_data(force=True)
    assert _counts() == before
    clerk.refresh_from_db()
    assert clerk.role == Role.CLERK and clerk.check_password("a-new-secret-123")
    assert Organisation.objects.get(code="court").name == "上虞区人民法院"


def test_loaded_data_makes_reload_a_cheap_no_op(django_assert_max_num_queries):
    load_reference_data()
    assert is_loaded()
    with django_assert_max_num_queries(8):
        county = load_reference_data()
    assert county.code == "330604000000"


def test_loads_into_an_empty_database():
    # Bottom-up: the foreign keys protect parents.
    FollowUpPlan.objects.all().delete()
    DeadlinePolicy.objects.all().delete()
    RoutingRule.objects.all().delete()
    User.objects.all().delete()
    for kind in (OrgKind.GRID, OrgKind.VILLAGE_COMMITTEE):
        Organisation.objects.filter(kind=kind).delete()
    Organisation.objects.exclude(parent=None).delete()
    Organisation.objects.all().delete()
    Category.objects.exclude(parent=None).delete()
    Category.objects.all().delete()
    for level in ("village", "town", "county"):
        Division.objects.filter(level=level).delete()
    assert not is_loaded()
    load_reference_data()
    assert is_loaded()
    assert DeadlinePolicy.objects.filter(category__code="labour").exists()
    assert RoutingRule.objects.filter(lead_org__code="hrss").exists()
    assert FollowUpPlan.objects.filter(category__code="family").exists()
    assert Client().login(username="grid", password=DEMO_PASSWORD)
