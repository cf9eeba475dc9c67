"""风险提示函 and 预警函: written from templates, numbered, sent with a reply deadline in working
days (holidays and make-up days), laid out as Word and PDF, answered once, reminded once."""

import time_machine

from concord.cases.choices import Action
from concord.cases.models import CaseEvent
from concord.cases.tests.factories import CAOE, build_case, organisation
from concord.core.testing import pdf_text, word_text
from concord.notifications.models import Notification
from concord.risk.letters import sweep_overdue_letters
from concord.risk.models import RiskLetter

from .conftest import at
from .test_pages import a_spike

# The Tuesday before 中秋 and 国庆 2026: 10-01..07 off, Saturday 10-10 a make-up working day.
BEFORE_HOLIDAYS = at(2026, 9, 29, 10, 0)


def red_case():
    return build_case("assigned", description="拖欠工资半年，扬言要去跳楼", people_count=3)


def send(api, user="dispatcher", **body):
    return api(user).post("/risk/letters", body)


def test_a_notice_about_a_red_case_goes_to_its_lead_organisation_with_a_working_day_deadline(api):
    case = red_case()
    with time_machine.travel(BEFORE_HOLIDAYS, tick=False):
        response = send(api, kind="notice", case_id=case.pk, target="town-330604001")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"] == "风险提示〔2026〕1号" and body["status"] == "awaiting"
    # 5 working days: 9-30, 10-08, 10-09, 10-10 (make-up Saturday), 10-12; by closing time.
    assert body["reply_due_at"] == "2026-10-12T17:30:00+08:00"
    assert "跳楼" in body["subject"] and "包案责任人" in body["measures"]
    event = CaseEvent.objects.get(case=case, action=Action.RISK_LETTER)
    assert event.data == {"letter": body["id"], "target": organisation("town-330604001").pk}
    told = Notification.objects.get(user__username="baiguan", kind="risk")
    assert "风险提示〔2026〕1号" in told.title and "10月12日" not in told.title
    assert "2026-10-12 17:30" in told.title


def test_a_warning_about_a_spike_goes_to_the_town_center_by_default_numbered_on(api, web):
    warning, _cases = a_spike()
    page = web("dispatcher").get(f"/risk/letters/new?spike={warning.pk}")
    html = page.content.decode()
    assert page.status_code == 200 and "预警函" in html
    assert "百官街道近7日劳动争议/欠薪类事项达8件" in html
    with time_machine.travel(BEFORE_HOLIDAYS, tick=False):
        first = send(api, kind="warning", spike_id=warning.pk, target="town-330604001").json()
        second = send(
            api, kind="warning", spike_id=warning.pk, target="town-330604001", reply_days=4
        ).json()
    assert (first["number"], second["number"]) == ("预警〔2026〕1号", "预警〔2026〕2号")
    # 3 working days by default: 9-30, 10-08, 10-09; a 4th is the make-up Saturday.
    assert first["reply_due_at"] == "2026-10-09T17:30:00+08:00"
    assert second["reply_due_at"] == "2026-10-10T17:30:00+08:00"


def test_the_letter_reads_the_same_in_word_and_pdf(api, web):
    case = red_case()
    letter = send(api, kind="notice", case_id=case.pk, target="town-330604001").json()
    for kind in ("docx", "pdf"):
        response = web("baiguan").get(f"/risk/letters/{letter['id']}/letter.{kind}")
        assert response.status_code == 200
        text = word_text(response.content) if kind == "docx" else pdf_text(response.content)
        for words in ("风险提示函", "风险提示〔2026〕1号", "百官街道", "跳楼", case.tracking_code):
            assert words in text.replace("\n", ""), (kind, words)
    assert web("caoe").get(f"/risk/letters/{letter['id']}/letter.docx").status_code == 404


def test_the_addressee_answers_once_and_the_issuer_is_told(api):
    case = red_case()
    letter = send(api, kind="notice", case_id=case.pk, target="town-330604001").json()
    answered = api("baiguan").post(f"/risk/letters/{letter['id']}/reply", {"reply": "已包案稳控"})
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    assert CaseEvent.objects.filter(case=case, action=Action.RISK_LETTER_REPLY).count() == 1
    told = Notification.objects.filter(user__username="dispatcher", title__contains="已回复")
    assert [n.title for n in told] == ["百官街道矛调中心已回复风险提示〔2026〕1号"]
    again = api("baiguan").post(f"/risk/letters/{letter['id']}/reply", {"reply": "再答"})
    assert again.status_code == 409 and again.json()["detail"] == "该函件已回复"
    assert RiskLetter.objects.get(pk=letter["id"]).reply == "已包案稳控"


def test_only_the_addressee_may_answer(api):
    letter = send(api, kind="notice", case_id=red_case().pk, target="town-330604001").json()
    response = api("dispatcher").post(f"/risk/letters/{letter['id']}/reply", {"reply": "代答"})
    assert (
        response.status_code == 403
        and response.json()["detail"] == "只有收函单位的工作人员可以回复"
    )
    assert (
        api("caoe").post(f"/risk/letters/{letter['id']}/reply", {"reply": "x"}).status_code == 404
    )
    assert RiskLetter.objects.get(pk=letter["id"]).replied_at is None


def test_an_unanswered_letter_is_reminded_once_when_overdue(api):
    with time_machine.travel(BEFORE_HOLIDAYS, tick=False):
        send(api, kind="notice", case_id=red_case().pk, target="town-330604001")
    Notification.objects.all().delete()
    assert sweep_overdue_letters(at(2026, 10, 12, 17, 0)) == 0  # not yet
    assert sweep_overdue_letters(at(2026, 10, 12, 17, 31)) == 1
    assert sweep_overdue_letters(at(2026, 10, 13, 9, 0)) == 0  # never twice
    told = Notification.objects.filter(kind="risk", title__contains="逾期未回复")
    assert sorted(n.user.username for n in told) == ["baiguan", "baiguan_leader", "dispatcher"]
    with time_machine.travel(at(2026, 10, 13, 9, 0), tick=False):
        (row,) = api("dispatcher").get("/risk/letters", {"status": "overdue"}).json()
    assert row["status"] == "overdue"


def test_bad_letters_are_refused_with_their_reasons_and_nothing_is_sent(api):
    case = red_case()
    cases = [
        (
            {"kind": "notice", "case_id": case.pk, "target": "town-330604001", "reply_days": 0},
            "reply_days",
        ),
        (
            {"kind": "notice", "case_id": case.pk, "target": "town-330604001", "reply_days": 31},
            "reply_days",
        ),
        ({"kind": "notice", "target": "town-330604001"}, "about"),
        ({"kind": "notice", "case_id": case.pk, "target": "no-such-org"}, "target"),
        (
            {"kind": "notice", "case_id": case.pk, "target": "town-330604001", "subject": "\x07"},
            "subject",
        ),
    ]
    for body, field in cases:
        response = send(api, **body)
        assert response.status_code == 422, body
        assert field in response.json()["errors"], response.json()
    assert send(api, kind="circular", case_id=case.pk, target="x").status_code == 422
    huge = send(
        api, kind="notice", case_id=case.pk, target="town-330604001", subject="险" * 100_000
    )
    assert huge.status_code in (413, 422)
    assert send(api, kind="notice", case_id=999999, target="town-330604001").status_code == 404
    assert RiskLetter.objects.count() == 0


def test_a_town_leader_writes_only_within_the_town_and_clerks_not_at_all(api):
    case = red_case()
    response = send(api, "baiguan_leader", kind="notice", case_id=case.pk, target="town-330604002")
    assert response.status_code == 422
    assert response.json()["errors"]["target"] == "收函单位不在你的辖区内"
    other = build_case(town=CAOE, handler="caoe")
    assert (
        send(
            api, "baiguan_leader", kind="notice", case_id=other.pk, target="town-330604001"
        ).status_code
        == 404
    )
    assert (
        send(api, "clerk", kind="notice", case_id=case.pk, target="town-330604001").status_code
        == 404
    )
    assert RiskLetter.objects.count() == 0


def test_pages_write_list_show_and_answer_a_letter(web):
    case = red_case()
    dispatcher = web("dispatcher")
    detail = dispatcher.get(f"/cases/{case.pk}/").content.decode()
    assert f'href="/risk/letters/new?case={case.pk}"' in detail
    form = dispatcher.get(f"/risk/letters/new?case={case.pk}").content.decode()
    assert 'value="warning" selected' in form  # a red case gets the 预警函 by default
    posted = dispatcher.post(
        f"/risk/letters/new?case={case.pk}",
        {
            "kind": "notice",
            "target": organisation("town-330604001").pk,
            "subject": "欠薪三人情绪激动",
            "measures": "立即包案",
            "reply_days": 2,
        },
    )
    letter = RiskLetter.objects.get()
    assert posted.status_code == 302 and posted["Location"] == f"/risk/letters/{letter.pk}"
    listed = web("baiguan").get("/risk/letters?status=awaiting").content.decode()
    assert f'data-letter="{letter.pk}"' in listed and "待回复" in listed
    page = web("baiguan").get(f"/risk/letters/{letter.pk}").content.decode()
    assert "欠薪三人情绪激动" in page and 'id="reply-form"' in page
    web("baiguan").post(f"/risk/letters/{letter.pk}/reply", {"reply": "已上门"})
    assert "已上门" in web("dispatcher").get(f"/risk/letters/{letter.pk}").content.decode()


def test_a_page_form_with_errors_keeps_what_was_typed(web):
    case = red_case()
    response = web("dispatcher").post(
        f"/risk/letters/new?case={case.pk}",
        {"kind": "notice", "target": "", "subject": "已写的内容", "measures": "", "reply_days": 99},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "请选择收函单位" in html and "请填写工作要求" in html and "已写的内容" in html
    assert RiskLetter.objects.count() == 0


def test_people_without_the_role_have_no_form(web):
    case = red_case()
    assert web("clerk").get(f"/risk/letters/new?case={case.pk}").status_code == 404
    assert web("dispatcher").get("/risk/letters/new").status_code == 404
    assert web("dispatcher").get("/risk/letters/new?case=abc").status_code == 404
