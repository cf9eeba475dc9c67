"""The mediation API: the pool, and a case's mediation from start to finish."""

from concord.mediation.models import Mediation, Session

from .conftest import at


def test_the_pool_filters_by_specialty_and_active(pool, api, medics):
    client = api("dispatcher")
    response = client.get("/mediators", {"specialty": "medical"})
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 4
    assert all("medical" in r["specialties"] for r in rows)
    assert {"workload", "success_rate", "avg_rating", "organisation_name"} <= set(rows[0])
    medics[0].active = False
    medics[0].save()
    inactive = client.get("/mediators", {"active": "false"}).json()
    assert [r["id"] for r in inactive] == [medics[0].pk]
    assert client.get("/mediators", {"specialty": "astrology"}).status_code == 422


def test_a_mediation_from_start_to_finish(medical_case, api, medics, room):
    client = api("baiguan")  # the town center leads the case
    url = f"/cases/{medical_case.pk}/mediations"
    response = client.post(url, {"mediators": [medics[0].pk, medics[1].pk]})
    assert response.status_code == 201, response.json()
    mediation = response.json()
    assert mediation["status"] == "open"
    assert {m["id"] for m in mediation["mediators"]} == {medics[0].pk, medics[1].pk}
    assert client.post(url, {"mediators": [medics[2].pk]}).status_code == 409

    sessions = f"/mediations/{mediation['id']}/sessions"
    slot = {"starts_at": at(hour=9).isoformat(), "ends_at": at(hour=11).isoformat()}
    response = client.post(sessions, {**slot, "room": room.pk, "attendees": "双方当事人"})
    assert response.status_code == 201, response.json()
    assert response.json()["room_name"] == "第一调解室"
    again = client.post(sessions, {**slot, "room": room.pk})
    assert again.status_code == 409
    assert again.json()["field"] == "room" and "已被预约" in again.json()["detail"]
    nowhere = client.post(sessions, slot)
    assert nowhere.status_code == 422
    assert nowhere.json()["errors"]["room"] == "请选择调解室或填写线上会议链接"

    finish = f"/mediations/{mediation['id']}/finish"
    response = client.post(finish, {"outcome": "failed", "note": "分歧较大，已告知诉讼途径。"})
    assert response.status_code == 200
    assert response.json()["status"] == "failed" and response.json()["ended_at"]
    listed = client.get(url).json()
    assert [m["status"] for m in listed] == ["failed"]
    assert len(listed[0]["sessions"]) == 1


def test_a_bad_outcome_is_refused(medical_case, api, medics):
    client = api("dispatcher")
    started = client.post(f"/cases/{medical_case.pk}/mediations", {"mediators": [medics[0].pk]})
    response = client.post(
        f"/mediations/{started.json()['id']}/finish", {"outcome": "open", "note": "x"}
    )
    assert response.status_code == 422
    assert "outcome" in response.json()["errors"]
    assert Mediation.objects.get().status == "open"


def test_caoe_gets_404_for_a_baiguan_mediation(medical_case, api, medics, room):
    started = api("dispatcher").post(
        f"/cases/{medical_case.pk}/mediations", {"mediators": [medics[0].pk]}
    )
    mediation_id = started.json()["id"]
    caoe = api("caoe")
    assert caoe.get(f"/cases/{medical_case.pk}/mediations").status_code == 404
    assert caoe.post(f"/cases/{medical_case.pk}/mediations", {"mediators": [1]}).status_code == 404
    slot = {"starts_at": at().isoformat(), "ends_at": at(hour=10).isoformat(), "room": room.pk}
    assert caoe.post(f"/mediations/{mediation_id}/sessions", slot).status_code == 404
    finish = {"outcome": "failed", "note": "x"}
    assert caoe.post(f"/mediations/{mediation_id}/finish", finish).status_code == 404
    assert api("dispatcher").post("/mediations/999999/finish", finish).status_code == 404
    assert not Session.objects.exists()


def test_a_clerk_may_see_but_not_start_a_mediation(medical_case, api, medics):
    client = api("clerk")
    assert client.get(f"/cases/{medical_case.pk}/mediations").json() == []
    response = client.post(f"/cases/{medical_case.pk}/mediations", {"mediators": [medics[0].pk]})
    assert response.status_code == 403
