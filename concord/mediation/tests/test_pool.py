"""The mediator pool: demo data, workload and outcomes, suggestions, and the team page."""

from concord.cases.tests.factories import build_case
from concord.mediation.choices import MediationStatus
from concord.mediation.defaults import load_defaults
from concord.mediation.models import Mediation, Mediator, Room
from concord.mediation.pool import success_rate, suggest_mediators, with_record
from concord.mediation.services import finish_mediation, start_mediation


def test_demo_pool_spreads_30_mediators_over_the_12_mediation_organisations(pool, persona):
    assert Mediator.objects.count() == 31  # 30 drawn, plus the demo account `mediator`
    assert Mediator.objects.values("organisation").distinct().count() == 12
    assert Mediator.objects.filter(is_lawyer=True).count() >= 5
    for m in Mediator.objects.filter(organisation__code="medical-mediation"):
        assert m.specialties == ["medical"]
    linked = Mediator.objects.get(user=persona("mediator"))
    assert linked.name == "吴秀英"
    assert linked.organisation.code == "medical-mediation"
    center = Room.objects.filter(organisation__code="county-center")
    assert center.filter(kind="mediation").count() == 3
    assert center.filter(kind="lawyer").count() == 2
    assert Room.objects.filter(organisation__kind="town_center").count() == 20


def test_loading_the_demo_pool_twice_changes_nothing(pool):
    before = sorted(Mediator.objects.values_list("organisation_id", "name"))
    load_defaults()
    assert sorted(Mediator.objects.values_list("organisation_id", "name")) == before
    assert Room.objects.count() == 25


def test_a_medical_dispute_is_suggested_medical_mediators_first(medical_case):
    suggestions = suggest_mediators(medical_case)
    assert len(suggestions) == 5
    medical = [s for s in suggestions if s.matches]
    assert len(medical) == 4  # the committee's three and the demo account
    assert suggestions[:4] == medical
    assert all("medical" in s.mediator.specialties for s in medical)
    assert "专长对口：医疗" in medical[0].reasons
    assert "在办调解 0 件" in medical[0].reasons
    assert "医疗专长" in suggestions[4].reasons[0]


def test_the_busiest_specialist_is_suggested_last_among_specialists(medical_case, persona):
    busy = suggest_mediators(medical_case)[0].mediator
    start_mediation(build_case("in_progress"), actor=persona("dispatcher"), mediators=[busy])
    ranked = [s.mediator for s in suggest_mediators(medical_case) if s.matches]
    assert ranked[-1] == busy
    assert "在办调解 1 件" in suggest_mediators(medical_case, limit=20)[3].reasons


def test_with_equal_workload_the_higher_success_rate_comes_first(medical_case, persona, medics):
    dispatcher = persona("dispatcher")
    winner, loser = medics[1], medics[0]
    for mediator, outcome in [(winner, "succeeded"), (loser, "failed")]:
        mediation = start_mediation(
            build_case("in_progress"), actor=dispatcher, mediators=[mediator]
        )
        finish_mediation(mediation, actor=dispatcher, outcome=outcome, note="结束", rating=4)
    ranked = [s.mediator for s in suggest_mediators(medical_case) if s.matches]
    assert ranked.index(winner) < ranked.index(loser)
    record = with_record(Mediator.objects.filter(pk=winner.pk)).get()
    assert (record.workload, record.succeeded, success_rate(record)) == (0, 1, 1.0)
    assert record.avg_rating == 4


def test_inactive_mediators_are_never_suggested(medical_case, medics):
    Mediator.objects.filter(pk=medics[0].pk).update(active=False)
    assert medics[0] not in [s.mediator for s in suggest_mediators(medical_case, limit=50)]


def test_a_case_without_category_gets_general_mediators(pool):
    case = build_case("in_progress")  # no category
    suggestions = suggest_mediators(case)
    assert suggestions[0].matches and "other" in suggestions[0].mediator.specialties


# ---------------------------------------------------------------- the team page


def test_the_dispatcher_sees_the_team_with_workload_and_success_rate(pool, web, persona, medics):
    mediation = start_mediation(
        build_case("in_progress"), actor=persona("dispatcher"), mediators=[medics[0]]
    )
    assert mediation.status == MediationStatus.OPEN
    response = web("dispatcher").get("/mediation/mediators/?specialty=medical")
    assert response.status_code == 200
    html = response.content.decode()
    assert medics[0].name in html and "新增调解员" in html
    assert "上虞区劳动争议人民调解委员会" not in html


def test_a_mediator_reads_the_team_but_cannot_edit_it(pool, web, medics):
    client = web("mediator")
    assert client.get("/mediation/mediators/").status_code == 200
    assert "新增调解员" not in client.get("/mediation/mediators/").content.decode()
    assert client.get("/mediation/mediators/new/").status_code == 404
    assert client.get(f"/mediation/mediators/{medics[0].pk}/").status_code == 404


def test_other_roles_do_not_see_the_team_page(pool, web):
    assert web("clerk").get("/mediation/mediators/").status_code == 404
    assert web("baiguan").get("/mediation/mediators/").status_code == 404


def test_adding_a_mediator_checks_specialties_and_phone(pool, web, persona):
    client = web("dispatcher")
    org = persona("mediator").organisation
    form = {"name": "林海", "organisation": org.pk, "phone": "12ab", "active": "on"}
    response = client.post("/mediation/mediators/new/", form)
    assert response.status_code == 422
    html = response.content.decode()
    assert "请至少选择一个专长领域" in html
    assert not Mediator.objects.filter(name="林海").exists()

    form["specialties"] = ["medical", "labour"]
    response = client.post("/mediation/mediators/new/", form)
    assert response.status_code == 422
    assert "联系电话格式不正确" in response.content.decode()

    form["phone"] = "138-5751-0000"
    response = client.post("/mediation/mediators/new/", form, follow=True)
    assert "已添加调解员「林海」" in response.content.decode()
    added = Mediator.objects.get(name="林海")
    assert added.specialties == ["medical", "labour"] and added.active


def test_a_mediator_belongs_to_a_mediation_organisation(pool, web, persona):
    form = {
        "name": "林海",
        "organisation": persona("hrss").organisation.pk,  # a department
        "specialties": ["labour"],
    }
    response = web("dispatcher").post("/mediation/mediators/new/", form)
    assert response.status_code == 422
    assert not Mediator.objects.filter(name="林海").exists()


def test_editing_a_mediator_can_retire_them(pool, web, medics):
    m = medics[0]
    form = {
        "name": m.name,
        "organisation": m.organisation_id,
        "specialties": ["medical"],
        "version": m.version,
    }
    response = web("dispatcher").post(f"/mediation/mediators/{m.pk}/", form)
    assert response.status_code == 302
    m.refresh_from_db()
    assert not m.active
    assert Mediation.objects.count() == 0
