"""Optimistic locking of what people edit in the mediation domain: a mediator's profile (team
page and admin) and a session's record (case card and API). A save from a stale reading comes
back with the message and changes nothing; a current one is saved and counts one version."""

import pytest
import time_machine
from django.db import connection

from concord.core.errors import Conflict
from concord.core.testing import run_at_once
from concord.mediation.models import Mediator, Session
from concord.mediation.services import record_session, save_mediator, start_mediation

from .conftest import at
from .test_sessions import book

STALE = "该记录已被他人修改，请刷新后重试"


def mediator_form(mediator: Mediator, **changes) -> dict:
    return {
        "name": mediator.name,
        "organisation": mediator.organisation_id,
        "phone": mediator.phone,
        "specialties": mediator.specialties,
        "certificates": mediator.certificates,
        "active": "on",
        "version": mediator.version,
        **changes,
    }


def url_of(mediator: Mediator) -> str:
    return f"/mediation/mediators/{mediator.pk}/"


# --- a mediator's profile ------------------------------------------------------------------------


def test_the_edit_page_carries_the_version_and_a_current_save_advances_it(web, medics):
    mediator = medics[0]
    client = web("dispatcher")
    page = client.get(url_of(mediator)).content.decode()
    assert f'name="version" value="{mediator.version}"' in page
    answer = client.post(url_of(mediator), mediator_form(mediator, phone="0575-82111111"))
    assert answer.status_code == 302
    saved = Mediator.objects.get(pk=mediator.pk)
    assert saved.phone == "0575-82111111" and saved.version == mediator.version + 1


def test_a_mediator_saved_from_a_stale_page_is_refused_and_the_other_edit_kept(
    web, persona, medics
):
    mediator = medics[0]
    seen = mediator_form(mediator)  # both dispatchers opened the page at this version
    other = Mediator.objects.get(pk=mediator.pk)
    other.phone = "13800000001"
    save_mediator(other, actor=persona("admin"), version=mediator.version)

    page = web("dispatcher").post(url_of(mediator), {**seen, "name": "改名"})

    assert page.status_code == 422
    assert STALE in page.content.decode()
    now = Mediator.objects.get(pk=mediator.pk)
    assert (now.name, now.phone) == (mediator.name, "13800000001")
    assert now.version == mediator.version + 1


def test_a_mediator_post_without_a_version_is_refused_as_stale(web, medics):
    mediator = medics[0]
    form = mediator_form(mediator, name="改名")
    del form["version"]
    page = web("dispatcher").post(url_of(mediator), form)
    assert page.status_code == 422
    assert STALE in page.content.decode()
    assert Mediator.objects.get(pk=mediator.pk).name == mediator.name


def test_adding_a_mediator_needs_no_version(web, medics):
    form = mediator_form(medics[0], name="新调解员")
    del form["version"]
    assert web("dispatcher").post("/mediation/mediators/new/", form).status_code == 302
    assert Mediator.objects.get(name="新调解员").version == 1


# --- a session's record ---------------------------------------------------------------------------


@pytest.fixture
def session(medical_case, persona, medics):
    mediation = start_mediation(medical_case, actor=persona("dispatcher"), mediators=medics[:2])
    return book(mediation, persona("dispatcher"), online_link="https://meet.example/1")


def record_form(session: Session, record: str, version) -> dict:
    prefix = f"record-{session.pk}"
    return {f"{prefix}-record": record, f"{prefix}-attendees": "", f"{prefix}-version": version}


def test_a_record_saved_from_a_stale_card_comes_back_with_the_message(session, web, persona):
    with time_machine.travel(at(hour=10), tick=False):
        client = web("dispatcher")
        page = client.get(f"/cases/{session.mediation.case_id}/").content.decode()
        assert f'name="record-{session.pk}-version" value="1"' in page
        record_session(session, actor=persona("baiguan"), attendees="", record="承办人记录")

        url = f"/mediation/sessions/{session.pk}/record"
        htmx = {"HX-Request": "true"}
        answer = client.post(url, record_form(session, "调度员记录", 1), headers=htmx)

        assert answer.status_code == 422
        text = answer.content.decode()
        assert STALE in text and "调度员记录" in text  # what was typed is still there
        stored = Session.objects.get(pk=session.pk)
        assert (stored.record, stored.version) == ("承办人记录", 2)

        again = client.post(url, record_form(session, "调度员补充", 2))
        assert again.status_code == 302
        stored.refresh_from_db()
        assert (stored.record, stored.version) == ("调度员补充", 3)


def test_the_api_answers_409_to_a_stale_version_and_saves_a_current_one(session, api, persona):
    path = f"/sessions/{session.pk}/record"
    with time_machine.travel(at(hour=10), tick=False):
        client = api("dispatcher")
        first = client.post(path, {"record": "第一稿", "version": 1})
        assert first.status_code == 200 and first.json()["version"] == 2

        stale = client.post(path, {"record": "旧页面上的修改", "version": 1})
        assert stale.status_code == 409
        assert stale.json() == {"detail": STALE, "code": "stale"}
        assert Session.objects.get(pk=session.pk).record == "第一稿"

        # A client that names no version overwrites, as before versions existed.
        blind = client.post(path, {"record": "不带版本号"})
        assert blind.status_code == 200 and blind.json()["version"] == 3
        listed = client.get(f"/cases/{session.mediation.case_id}/mediations").json()
        assert listed[0]["sessions"][0]["version"] == 3


def test_a_version_out_of_range_is_refused_without_a_server_error(session, api):
    path = f"/sessions/{session.pk}/record"
    with time_machine.travel(at(hour=10), tick=False):
        client = api("dispatcher")
        assert client.post(path, {"record": "x", "version": 0}).status_code == 422
        assert client.post(path, {"record": "x", "version": 2**80}).status_code == 409
    assert Session.objects.get(pk=session.pk).version == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_fifty_writers_of_one_record_from_one_reading_one_wins(county, persona):
    from concord.cases.tests.factories import build_case
    from concord.mediation.defaults import load_defaults

    load_defaults()
    case = build_case("in_progress", category="medical-malpractice")
    mediators = Mediator.objects.filter(organisation__code="medical-mediation")[:1]
    mediation = start_mediation(case, actor=persona("dispatcher"), mediators=mediators)
    session = book(mediation, persona("dispatcher"), online_link="https://meet.example/1")
    dispatcher = persona("dispatcher")

    def write(i: int):
        return lambda: record_session(
            session, actor=dispatcher, attendees="", record=f"第{i}稿", version=1
        )

    with time_machine.travel(at(hour=10), tick=True):
        results = run_at_once(*[write(i) for i in range(50)])

    won = [r for r in results if isinstance(r, Session)]
    assert len(won) == 1
    assert [type(r) for r in results if not isinstance(r, Session)] == [Conflict] * 49
    stored = Session.objects.get(pk=session.pk)
    assert (stored.record, stored.version) == (won[0].record, 2)
