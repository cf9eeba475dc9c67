"""网格上报: a grid worker reports an event from the phone; it becomes a grid-channel case in a
village of the worker's town, with its photos, routed by the rules to the village committee.
Bad input shows the form again with the reason beside the field and saves nothing."""

import pytest

from concord.cases import lifecycle
from concord.cases.choices import Action, CaseStatus, Channel
from concord.cases.models import Attachment, Case
from concord.cases.tests.factories import BAIGUAN, CAOE, build_case, first_village
from concord.cases.tests.images import big_png, jpeg, png, text_as_jpeg
from concord.core.errors import Forbidden, InvalidInput
from concord.core.limits import DESCRIPTION_MAX
from concord.geo.models import Division
from concord.orgs.models import Organisation
from concord.routing.grid import EventReport, report_event
from concord.routing.services import preview

URL = "/routing/grid/report"
DESCRIPTION = "龙山社区3幢两户因楼道堆物争吵，情绪激动，需要村里出面调解。"


def village(n: int = 0, town: str = BAIGUAN) -> Division:
    return Division.objects.filter(parent_id=town).order_by("code")[n]


def form(**overrides) -> dict:
    data = {
        "category": "neighbour-passage",
        "description": DESCRIPTION,
        "village": village(2).code,
        "address": "龙山路12号东侧",
        "lat": "30.0328",
        "lng": "120.8712",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def files_in(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_the_grid_worker_gets_the_form_with_the_villages_of_the_town(web):
    answer = web("grid").get(URL)
    assert answer.status_code == 200
    page = answer.content.decode()
    assert 'capture="environment"' in page and 'accept="image/*"' in page and "multiple" in page
    options = answer.context["form"].fields["village"].choices
    assert [code for code, _ in options] == list(
        Division.objects.filter(parent_id=BAIGUAN).order_by("code").values_list("code", flat=True)
    )
    # The grid sits on 龙山社区, so that is where a report starts.
    assert answer.context["form"]["village"].value() == first_village(BAIGUAN).code
    assert f'<option value="{first_village(BAIGUAN).code}" selected>' in page
    assert 'href="/routing/grid/report" class="active"' in page  # the nav item


@pytest.mark.parametrize("username", ["clerk", "dispatcher", "baiguan", "leader", "admin"])
def test_other_roles_do_not_find_the_page(web, username):
    client = web(username)
    assert client.get(URL).status_code == 404
    assert client.post(URL, form()).status_code == 404
    assert "网格上报</a>" not in client.get("/").content.decode()
    assert not Case.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, county):
    answer = client.get(URL)
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]


def test_a_report_becomes_a_grid_case_with_its_photos(web, persona, media):
    client = web("grid")
    answer = client.post(URL, {**form(), "photos": [png("现场.png"), jpeg("门口.jpg")]})
    case = Case.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"{URL}?reported={case.pk}"
    grid = persona("grid")
    assert (case.channel, case.type, case.status) == ("grid", "dispute", CaseStatus.REGISTERED)
    assert case.registered_by == grid and case.registered_org == grid.organisation
    assert case.division == village(2) and case.town_id == BAIGUAN
    assert case.category.code == "neighbour-passage" and case.description == DESCRIPTION
    assert (case.address, case.lat, case.lng) == ("龙山路12号东侧", 30.0328, 120.8712)
    photos = list(case.attachments.order_by("pk"))
    assert [p.original_name for p in photos] == ["现场.png", "门口.jpg"]
    assert [p.content_type for p in photos] == ["image/png", "image/jpeg"]
    assert len(files_in(media)) == 2

    done = client.get(answer["Location"])
    page = done.content.decode()
    assert 'id="reported-code">' + case.tracking_code in page
    assert "继续上报" in page and 'id="grid-form"' not in page
    assert case.tracking_code in done.context["recent"][0].tracking_code
    assert "登记" in page.split('id="my-reports"')[1]
    # The worker can open the case and its photo.
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    assert client.get(f"/cases/{case.pk}/attachments/{photos[0].pk}").status_code == 200


def test_the_accepted_report_is_suggested_to_the_village_committee(web, persona, media):
    web("grid").post(URL, {**form(category=""), "photos": [png()]})
    case = lifecycle.transition(
        Case.objects.get(), actor=persona("clerk"), action=Action.ACCEPT, comment=""
    )
    shown = preview(case)
    assert shown.rule.name == "网格上报：村级办理" and shown.decision.level == "village"
    assert shown.lead == Organisation.objects.get(kind="village_committee", division=village(2))
    page = web("dispatcher").get(f"/cases/{case.pk}/").content.decode()
    assert "网格上报：村级办理" in page and shown.lead.name in page and "现场照片" in page


def test_a_report_without_position_or_photos_is_fine(web, media):
    answer = web("grid").post(URL, form(lat="", lng="", address="", category=""))
    assert answer.status_code == 302
    case = Case.objects.get()
    assert case.lat is None and case.category is None and not case.attachments.exists()


# (what is wrong, form changes, photos to send, field blamed, message); photos are made per run
# because an upload is read once.
BAD = [
    ("no-description", {"description": ""}, list, "description", "请填写事件描述"),
    ("renamed-text", {}, lambda: [text_as_jpeg()], "photos", "不是JPEG、PNG或WebP"),
    ("six-megabytes", {}, lambda: [big_png()], "photos", "超过5MB"),
    ("four-photos", {}, lambda: [png(), png(), png(), png()], "photos", "最多上传3张"),
    ("lat-without-lng", {"lng": ""}, list, "lat", "经度和纬度须同时提供"),
    ("lat-is-text", {"lat": "north"}, list, "lat", "定位数据无效"),
    ("outside-china", {"lat": "48.85", "lng": "2.35"}, list, "lat", "不在我国境内"),
    (
        "huge-description",
        {"description": "吵" * (DESCRIPTION_MAX + 1)},
        list,
        "description",
        f"不能超过{DESCRIPTION_MAX}字",
    ),
]


@pytest.mark.parametrize(
    ("changes", "photos", "field", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD]
)
def test_bad_input_shows_the_form_again_and_saves_nothing(
    web, media, changes, photos, field, message
):
    answer = web("grid").post(URL, {**form(**changes), "photos": photos()})
    assert answer.status_code == 422
    errors = answer.context["form"].errors
    assert field in errors and message in " ".join(errors[field]), errors
    assert "未上报：请修改下方标红的内容" in answer.content.decode()
    assert not Case.objects.exists() and not Attachment.objects.exists()
    assert files_in(media) == []


def test_a_village_outside_the_town_is_refused(web, media):
    answer = web("grid").post(URL, {**form(village=village(0, CAOE).code), "photos": [png()]})
    assert answer.status_code == 422
    assert "请选择本镇街的村（社区）" in answer.context["form"].errors["village"]
    assert not Case.objects.exists() and files_in(media) == []


def test_the_photos_are_asked_for_again_after_a_refusal(web, media):
    page = web("grid").post(URL, {**form(description=""), "photos": [png()]}).content.decode()
    assert "照片尚未保存：改正后请重新选择照片" in page


def test_a_refusal_by_registration_keeps_no_photo(persona, media):
    # The description is checked by register_case, after the photos passed: nothing stays.
    with pytest.raises(InvalidInput) as refused:
        report_event(
            actor=persona("grid"),
            report=EventReport(description=" ", village=village(1).code),
            photos=[png()],
        )
    assert "description" in refused.value.errors
    assert not Case.objects.exists() and files_in(media) == []


def test_a_failure_while_storing_photos_registers_nothing(persona, media, monkeypatch):
    saved = Attachment.save

    def fail_second(self, *args, **kwargs):
        if Attachment.objects.exists():
            raise OSError("disk full")
        saved(self, *args, **kwargs)

    monkeypatch.setattr(Attachment, "save", fail_second)
    with pytest.raises(OSError):
        report_event(
            actor=persona("grid"),
            report=EventReport(description=DESCRIPTION, village=village(1).code),
            photos=[png(), png()],
        )
    assert not Case.objects.exists() and files_in(media) == []


def test_only_a_grid_worker_reports(persona, media):
    with pytest.raises(Forbidden):
        report_event(
            actor=persona("clerk"),
            report=EventReport(description=DESCRIPTION, village=village(1).code),
        )


def test_the_list_shows_only_the_workers_own_grid_reports(web, persona, media):
    build_case(division=first_village(BAIGUAN).code, channel=Channel.GRID)  # by the clerk
    web("grid").post(URL, form(description="村口道路占用纠纷"))
    recent = web("grid").get(URL).context["recent"]
    assert [c.description for c in recent] == ["村口道路占用纠纷"]


def test_the_page_reads_in_english(web):
    client = web("grid")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(URL).content.decode()
    assert "Grid worker report" in page and "Locate" in page and "My reports" in page
