"""Two counties in one database (docs/deploy.md, 一省多县): does a user of one county ever see
a case of the other, through the doors users take (the case list page, the case API list and
detail, the KPIs, the command map)?

The second county is 绍兴市越城区 (330602), loaded from the same national division data as the
demo county, with a county center, a town center and their accounts. Town, village and
department users are isolated by their division subtree or by the cases they hold; county-level
users by their county's range of division codes (cases.scope.in_division), and their figures by
their own county (dashboard.scope.territory).
"""

import pytest

from concord.accounts.models import Role, User
from concord.cases import lifecycle
from concord.cases.choices import CaseStatus
from concord.cases.models import Case
from concord.cases.services import CaseDraft, register_case
from concord.cases.tests.factories import BAIGUAN, CAOE, build_case, first_village, two_parties
from concord.geo.loader import load_county
from concord.geo.models import Division
from concord.orgs.models import Organisation, OrgKind

YUECHENG = "330602"  # 绍兴市越城区


def _located(town: str) -> dict:
    village = first_village(town)
    return {"division": village.code, "lat": village.lat, "lng": village.lng}


@pytest.fixture
def two_counties(county):
    """Cases in both counties: {"A": [...], "B": [...]} of case ids, and the B accounts."""
    home = load_county(YUECHENG)
    town = Division.objects.filter(parent=home).order_by("code").first()
    center = Organisation.objects.create(
        code="b-county-center", name="越城区矛调中心", kind=OrgKind.COUNTY_CENTER, division=home
    )
    town_center = Organisation.objects.create(
        code=f"b-town-{town.code[:9]}",
        name=f"{town.name}矛调中心",
        kind=OrgKind.TOWN_CENTER,
        division=town,
        parent=center,
    )
    people = {
        name: User.objects.create(username=name, role=role, organisation=org)
        for name, role, org in [
            ("b_clerk", Role.CLERK, center),
            ("b_dispatcher", Role.DISPATCHER, center),
            ("b_handler", Role.HANDLER, town_center),
        ]
    }
    b_cases = []
    for n in range(2):
        draft = CaseDraft(
            type="dispute",
            channel="walk_in",
            description=f"越城区邻里纠纷{n}：楼上漏水，协商未果。",
            parties=two_parties(),
            **_located(town.code),
        )
        b_cases.append(register_case(actor=people["b_clerk"], draft=draft))
    case = lifecycle.transition(b_cases[0], actor=people["b_clerk"], action="accept", comment="")
    case = lifecycle.transition(
        case, actor=people["b_dispatcher"], action="assign", comment="", lead_org=town_center.pk
    )
    lifecycle.transition(case, actor=people["b_handler"], action="sign", comment="")
    a_cases = [
        build_case(CaseStatus.IN_PROGRESS, town=BAIGUAN, **_located(BAIGUAN)),
        build_case(CaseStatus.REGISTERED, town=BAIGUAN, **_located(BAIGUAN)),
        build_case(CaseStatus.ACCEPTED, town=CAOE, handler="caoe", **_located(CAOE)),
    ]
    return {
        "A": {c.pk for c in a_cases},
        "B": {c.pk for c in b_cases},
        "codes": dict(Case.objects.values_list("pk", "tracking_code")),
    }


@pytest.mark.parametrize(
    ("username", "home"),
    [
        pytest.param("baiguan", "A", id="baiguan"),  # town handler
        pytest.param("baiguan_leader", "A", id="baiguan_leader"),  # town leader
        pytest.param("grid", "A", id="grid"),  # village grid worker
        pytest.param("b_handler", "B", id="b_handler"),  # the other county's town handler
        pytest.param("clerk", "A", id="clerk"),
        pytest.param("dispatcher", "A", id="dispatcher"),
        pytest.param("leader", "A", id="leader"),
        pytest.param("b_clerk", "B", id="b_clerk"),
    ],
)
def test_a_user_never_sees_the_other_countys_cases(two_counties, api, web, username, home):
    user = User.objects.get(username=username)
    other = two_counties["B" if home == "A" else "A"]
    own = two_counties[home]
    codes = two_counties["codes"]
    client = api(user)

    listed = {item["id"] for item in client.get("/cases", {"page_size": 100}).json()["items"]}
    assert listed & own, "the control: the user sees cases of their own county"
    leaks = []  # every door that shows the other county, not only the first
    if listed & other:
        leaks.append("case API list")
    if any(client.get(f"/cases/{case_id}").status_code != 404 for case_id in other):
        leaks.append("case API detail")
    page = web(username).get("/cases/").content.decode()
    if any(codes[case_id] in page for case_id in other):
        leaks.append("case list page")
    kpis = client.get("/stats/kpis")
    # Roles without statistics get 403, which shows nothing.
    if kpis.status_code == 200 and kpis.json()["volume"]["n"] != len(listed & own):
        leaks.append(f"KPIs (volume {kpis.json()['volume']['n']}, own cases {len(listed & own)})")
    shown = client.get("/stats/map")
    if shown.status_code == 200:
        if {point[0] for point in shown.json()["points"]} & other:
            leaks.append("command map")
        if any(client.get(f"/stats/map/{case_id}").status_code != 404 for case_id in other):
            leaks.append("map panel")
    assert not leaks, "the other county's cases show through: " + "; ".join(leaks)


def test_a_clerk_cannot_register_a_case_in_the_other_county(two_counties, api):
    there = first_village(Division.objects.filter(parent_id=YUECHENG + "000000").first().code)
    before = Case.objects.count()
    body = {
        "type": "dispute",
        "channel": "walk_in",
        "description": "楼上漏水，协商未果。",
        "division": there.code,
    }
    refused = api("clerk").post("/cases", body)
    assert refused.status_code == 422
    assert refused.json()["errors"]["division"] == f"区划代码 {there.code} 不在本县（区）范围内"
    assert Case.objects.count() == before
    assert api("b_clerk").post("/cases", body).status_code == 201
