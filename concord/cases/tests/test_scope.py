"""A user sees their organisation's subtree only, through every door; others' cases are 404."""

import io
import re

import pytest
from openpyxl import load_workbook

from concord.accounts.models import Role, User
from concord.cases.tests.factories import BAIGUAN, CAOE, build_case, organisation


@pytest.fixture
def baiguan_case(county):
    return build_case("in_progress", town=BAIGUAN, description="百官街道某小区物业费纠纷。")


def _exported_codes(response) -> set[str]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}


def test_neighbouring_town_cannot_list_open_export_or_fetch(baiguan_case, api, web):
    caoe_api = api("caoe")
    assert caoe_api.get("/cases").json()["count"] == 0
    assert caoe_api.get(f"/cases/{baiguan_case.pk}").status_code == 404
    acted = caoe_api.post(f"/cases/{baiguan_case.pk}/transitions", {"action": "resolve"})
    assert acted.status_code == 404
    party = baiguan_case.parties.first()
    assert caoe_api.post(f"/cases/{baiguan_case.pk}/parties/{party.pk}/reveal").status_code == 404

    caoe = web("caoe")
    assert baiguan_case.tracking_code not in caoe.get("/cases/").content.decode()
    assert caoe.get(f"/cases/?q={baiguan_case.tracking_code}").context["page"].paginator.count == 0
    assert caoe.get(f"/cases/{baiguan_case.pk}/").status_code == 404
    assert caoe.post(f"/cases/{baiguan_case.pk}/act/resolve").status_code == 404
    assert caoe.post(f"/cases/{baiguan_case.pk}/parties/{party.pk}/reveal").status_code == 404
    assert baiguan_case.tracking_code not in _exported_codes(caoe.get("/cases/export.xlsx"))
    assert baiguan_case.tracking_code not in caoe.get("/").content.decode()


def test_the_404_gives_no_hint_the_case_exists(baiguan_case, api):
    missing = api("caoe").get("/cases/99999999")
    hidden = api("caoe").get(f"/cases/{baiguan_case.pk}")
    assert missing.status_code == hidden.status_code == 404
    assert missing.json() == hidden.json()


def _without_tokens_and_path(page: str, path: str) -> str:
    """The page less its CSRF tokens (masked afresh on every render) and its own address."""
    return re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', "", page).replace(
        path, ""
    )


def test_the_404_page_is_the_same_for_a_hidden_and_a_missing_case(baiguan_case, web):
    caoe = web("caoe")
    missing = caoe.get("/cases/99999999/")
    hidden = caoe.get(f"/cases/{baiguan_case.pk}/")
    assert missing.status_code == hidden.status_code == 404
    page = hidden.content.decode()
    assert _without_tokens_and_path(page, f"/cases/{baiguan_case.pk}/") == (
        _without_tokens_and_path(missing.content.decode(), "/cases/99999999/")
    )
    assert "页面不存在" in page and 'href="/"' in page  # the center's own page, a way back
    assert baiguan_case.tracking_code not in page


def test_own_town_sees_list_detail_and_export(baiguan_case, api, web):
    assert api("baiguan").get(f"/cases/{baiguan_case.pk}").status_code == 200
    assert api("baiguan").get("/cases").json()["count"] == 1
    baiguan = web("baiguan")
    assert baiguan.get(f"/cases/{baiguan_case.pk}/").status_code == 200
    assert baiguan_case.tracking_code in _exported_codes(baiguan.get("/cases/export.xlsx"))


def test_department_sees_only_cases_it_holds_a_task_for(county, api):
    given = build_case("assigned", town=CAOE, handler="hrss")
    build_case("assigned", town=CAOE, handler="caoe")
    listed = api("hrss").get("/cases").json()
    assert [c["id"] for c in listed["items"]] == [given.pk]


def test_county_center_and_leader_see_every_town(county, api):
    build_case("registered", town=BAIGUAN)
    build_case("registered", town=CAOE)
    assert api("dispatcher").get("/cases").json()["count"] == 2
    assert api("leader").get("/cases").json()["count"] == 2


def test_leader_reads_but_takes_no_action(baiguan_case, api, web):
    detail = api("leader").get(f"/cases/{baiguan_case.pk}").json()
    assert detail["available_actions"] == []
    refused = api("leader").post(
        f"/cases/{baiguan_case.pk}/transitions", {"action": "pause", "comment": "x"}
    )
    assert refused.status_code == 403
    assert web("leader").get("/cases/new").status_code == 404


def test_grid_worker_sees_own_village_only(county, api, persona):
    grid = persona("grid")
    in_village = build_case("registered", town=BAIGUAN, division=grid.organisation.division_id)
    build_case("registered", town=CAOE)
    listed = api("grid").get("/cases").json()
    assert [c["id"] for c in listed["items"]] == [in_village.pk]


def test_town_handler_cannot_register_through_api(county, api):
    response = api("baiguan").post(
        "/cases", {"type": "dispute", "channel": "walk_in", "description": "x"}
    )
    assert response.status_code == 403


def test_assisting_organisation_sees_the_case(county, api):
    case = build_case("accepted", town=CAOE)
    justice = organisation("justice")
    api("dispatcher").post(
        f"/cases/{case.pk}/transitions",
        {
            "action": "assign",
            "lead_org": organisation("town-330604002").pk,
            "assisting_orgs": [justice.pk],
        },
    )
    assert api("caoe").get(f"/cases/{case.pk}").status_code == 200
    justice_handler = User.objects.create_user("justice-1", organisation=justice, role=Role.HANDLER)
    assert api(justice_handler).get(f"/cases/{case.pk}").status_code == 200
    assert api(justice_handler).get("/cases").json()["count"] == 1


def test_a_summoned_department_sees_the_case_it_is_called_to(baiguan_case, api, persona):
    from concord.summons.services import summon

    assert api("hrss").get(f"/cases/{baiguan_case.pk}").status_code == 404
    summon(
        baiguan_case,
        actor=persona("dispatcher"),
        organisations=[persona("hrss").organisation],
        reason="欠薪群体到场，请人社到场",
    )
    assert api("hrss").get(f"/cases/{baiguan_case.pk}").status_code == 200
    assert api("court").get(f"/cases/{baiguan_case.pk}").status_code == 404


def test_an_organisation_brought_into_a_case_sees_it_and_only_it(baiguan_case, api, persona):
    from concord.cases.scope import grant_access

    other = build_case("in_progress", town=BAIGUAN, description="百官街道另一起邻里纠纷。")
    procuratorate = organisation("procuratorate")
    grant_access(baiguan_case, [procuratorate], "linkage")
    grant_access(baiguan_case, [procuratorate], "consultation")  # twice: still one grant
    assert baiguan_case.access_grants.count() == 1
    assert api("court").get(f"/cases/{baiguan_case.pk}").status_code == 404
    User.objects.create_user(
        "jcy", password="Concord-demo1", role=Role.HANDLER, organisation=procuratorate
    )
    assert api("jcy").get(f"/cases/{baiguan_case.pk}").status_code == 200
    assert api("jcy").get(f"/cases/{other.pk}").status_code == 404
