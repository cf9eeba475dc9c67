"""督办 by hand, and the 督办函 as Word and PDF."""

import io

import pytest
from docx import Document

from concord.cases.models import CaseEvent
from concord.cases.tests.factories import build_case
from concord.deadlines.models import Supervision
from concord.notifications.models import Notification


@pytest.fixture
def assigned(county):
    return build_case("in_progress", description="小区物业长期不维修电梯，业主多次反映未果。")


def test_a_dispatcher_supervises_and_the_lead_is_told(api, assigned):
    answer = api("dispatcher").post(
        f"/cases/{assigned.pk}/supervisions",
        {"reason": "群众反映强烈，请加快办理", "reply_days": 3},
    )
    assert answer.status_code == 201, answer.content
    supervision = Supervision.objects.get(pk=answer.json()["id"])
    assert supervision.target_org == assigned.lead_org and not answer.json()["auto"]
    assert CaseEvent.objects.filter(case=assigned, action="supervise").count() == 1
    assert Notification.objects.filter(user__username="baiguan", kind="supervision").exists()


def test_the_letter_comes_as_word_and_pdf(api, assigned):
    sid = (
        api("dispatcher")
        .post(f"/cases/{assigned.pk}/supervisions", {"reason": "请加快办理", "reply_days": 2})
        .json()["id"]
    )
    word = api("baiguan").get(f"/supervisions/{sid}/letter.docx")
    assert word.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(word.content)).paragraphs)
    assert "督办函" in text and assigned.tracking_code in text and "请加快办理" in text
    pdf = api("dispatcher").get(f"/supervisions/{sid}/letter.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert api("dispatcher").get(f"/supervisions/{sid}/letter.exe").status_code == 404
    assert api("caoe").get(f"/supervisions/{sid}/letter.docx").status_code == 404


@pytest.mark.parametrize(
    ("who", "body", "status", "field"),
    [
        ("dispatcher", {"reason": "", "reply_days": 3}, 422, "reason"),
        ("dispatcher", {"reason": "快", "reply_days": 0}, 422, "reply_days"),
        ("dispatcher", {"reason": "快", "reply_days": 31}, 422, "reply_days"),
        ("dispatcher", {"reason": "快", "reply_days": "soon"}, 422, None),
        ("dispatcher", {"reason": "快" * 3000, "reply_days": 3}, 422, None),
        ("baiguan", {"reason": "快", "reply_days": 3}, 403, None),
    ],
)
def test_bad_supervision_requests_change_nothing(api, assigned, who, body, status, field):
    answer = api(who).post(f"/cases/{assigned.pk}/supervisions", body)
    assert answer.status_code == status, answer.content
    if field:
        assert field in answer.json()["errors"]
    assert not Supervision.objects.exists()


def test_a_case_not_yet_assigned_cannot_be_supervised(api, county):
    case = build_case("accepted")
    answer = api("dispatcher").post(
        f"/cases/{case.pk}/supervisions", {"reason": "快", "reply_days": 3}
    )
    assert answer.status_code == 422 and "case" in answer.json()["errors"]


def test_supervising_from_the_case_page_and_downloading_the_letter(web, assigned):
    page = web("dispatcher").get(f"/cases/{assigned.pk}/").content.decode()
    assert "督办承办单位" in page
    assert "督办承办单位" not in web("baiguan").get(f"/cases/{assigned.pk}/").content.decode()
    bad = web("dispatcher").post(
        f"/deadlines/cases/{assigned.pk}/supervisions",
        {"reason": "请加快", "reply_days": "99999999999"},
        headers={"HX-Request": "true"},
    )
    assert bad.status_code == 422 and "回复期限" in bad.content.decode()
    assert not Supervision.objects.exists()
    done = web("dispatcher").post(
        f"/deadlines/cases/{assigned.pk}/supervisions", {"reason": "请加快", "reply_days": "2"}
    )
    assert done.status_code == 302
    supervision = Supervision.objects.get()
    page = web("baiguan").get(f"/cases/{assigned.pk}/").content.decode()
    assert "请加快" in page and f"/deadlines/supervisions/{supervision.pk}/letter.docx" in page
    word = web("baiguan").get(f"/deadlines/supervisions/{supervision.pk}/letter.docx")
    assert word.status_code == 200 and word["Content-Type"].endswith("document")
    assert (
        web("caoe").get(f"/deadlines/supervisions/{supervision.pk}/letter.pdf").status_code == 404
    )
    assert (
        web("baiguan")
        .post(f"/deadlines/cases/{assigned.pk}/supervisions", {"reason": "x", "reply_days": "2"})
        .status_code
        == 302
    )
    assert Supervision.objects.count() == 1  # a handler may not supervise
