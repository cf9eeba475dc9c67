"""The 联合会商 card on the case page, the list page, marking done from it, joint receptions,
and the minutes downloads."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from docx import Document

from concord.cases.models import CaseEvent
from concord.cases.tests.factories import build_case, organisation
from concord.consultations import services
from concord.consultations.models import Consultation, Decision, JointReception

from .conftest import minutes_params

HTMX = {"HX-Request": "true"}
LOCAL = "%Y-%m-%dT%H:%M"


def local(moment) -> str:
    return timezone.localtime(moment).strftime(LOCAL)


def schedule_post(seats, persona) -> dict:
    params = seats()
    return {
        "consult-scheduled_at": local(params["scheduled_at"]),
        "consult-place": params["place"],
        "consult-agenda": params["agenda"],
        "consult-court": str(organisation("court").pk),
        "consult-judge_user": str(persona("court").pk),
        "consult-chief_mediator": str(params["chief_mediator"]),
        "consult-lawyer": str(params["lawyer"]),
        "consult-departments": [str(pk) for pk in params["departments"]],
    }


def test_the_dispatcher_schedules_from_the_case_page(group_case, web, persona, seats):
    client = web("dispatcher")
    page = client.get(f"/cases/{group_case.pk}/").content.decode()
    assert 'id="consultation-form"' in page and 'id="reception-form"' in page
    url = f"/consultations/cases/{group_case.pk}/schedule"
    response = client.post(url, schedule_post(seats, persona), headers=HTMX)
    assert response.status_code == 204 and response["HX-Redirect"] == f"/cases/{group_case.pk}/"
    consultation = Consultation.objects.get()
    page = client.get(f"/cases/{group_case.pk}/").content.decode()
    assert f'data-consultation="{consultation.pk}"' in page and "待召开" in page
    assert f'id="minutes-form-{consultation.pk}"' in page


def test_a_bad_schedule_form_comes_back_with_the_errors(group_case, web, persona, seats):
    data = schedule_post(seats, persona)
    data.update({"consult-agenda": "", "consult-judge_user": "", "consult-lawyer": ""})
    data["consult-scheduled_at"] = local(timezone.now() - dt.timedelta(hours=1))
    url = f"/consultations/cases/{group_case.pk}/schedule"
    response = web("dispatcher").post(url, data, headers=HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert "请填写会商议题" in html and 'id="consultation-form"' in html
    data["consult-agenda"] = "研究方案"
    again = web("dispatcher").post(url, data, headers=HTMX).content.decode()
    assert "会商时间已过" in again and "须有法官参加" in again and "须有法律援助律师" in again
    assert Consultation.objects.count() == 0


def test_minutes_from_the_card_with_decision_rows(scheduled, web, persona):
    seats = [str(p.pk) for p in scheduled.participants.all()]
    due = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    prefix = f"minutes-{scheduled.pk}"
    data = {
        f"{prefix}-held_at": local(timezone.now()),
        f"{prefix}-attended": seats,
        f"{prefix}-minutes": "同意由人社局督促企业支付。",
        f"{prefix}-d0_text": "督促企业支付工资",
        f"{prefix}-d0_organisation": str(organisation("hrss").pk),
        f"{prefix}-d0_due_date": due,
        f"{prefix}-d2_text": "回访工人",  # a row without its organisation and due date
    }
    url = f"/consultations/{scheduled.pk}/minutes"
    refused = web("dispatcher").post(url, data, headers=HTMX)
    html = refused.content.decode()
    assert refused.status_code == 422
    row = html.split('data-row="3"', 1)[1].split("</tr>", 1)[0]
    assert "请选择第2项议定事项的责任单位" in row and "请填写第2项议定事项的完成时限" in row
    assert Decision.objects.count() == 0
    del data[f"{prefix}-d2_text"]
    done = web("dispatcher").post(url, data, headers=HTMX)
    assert done.status_code == 204
    decision = Decision.objects.get()
    assert decision.organisation.code == "hrss" and decision.due_date.isoformat() == due


def test_the_department_sees_and_closes_its_decision_on_its_page(scheduled, web, persona):
    services.record_minutes(scheduled, actor=persona("dispatcher"), **minutes_params(scheduled))
    decision = Decision.objects.get(organisation__code="hrss")
    client = web("hrss")
    page = client.get("/consultations/").content.decode()
    assert "我单位的会商事项" in page and "责令企业于7日内支付拖欠工资" in page
    assert f'action="/consultations/decisions/{decision.pk}/done"' in page
    assert "核对30名工人的工资清单" not in page.split('id="my-decisions"')[1].split("</section>")[0]
    assert scheduled.case.tracking_code in page
    url = f"/consultations/decisions/{decision.pk}/done"
    empty = client.post(url, {"back": "list", f"done-{decision.pk}-note": ""}, headers=HTMX)
    assert empty.status_code == 422 and "请填写办理情况" in empty.content.decode()
    ok = client.post(url, {"back": "list", f"done-{decision.pk}-note": "已支付"}, headers=HTMX)
    assert ok.status_code == 204 and ok["HX-Redirect"] == "/consultations/"
    decision.refresh_from_db()
    assert decision.done_note == "已支付"
    wrong = web("court").post(url, {f"done-{decision.pk}-note": "x"}, headers=HTMX)
    assert wrong.status_code == 422 and "责任单位" in wrong.content.decode()
    assert web("caoe").post(url, {f"done-{decision.pk}-note": "x"}).status_code == 404


def test_the_list_flags_overdue_decisions_for_the_dispatcher(scheduled, web, persona):
    services.record_minutes(scheduled, actor=persona("dispatcher"), **minutes_params(scheduled))
    Decision.objects.filter(organisation__code="hrss").update(
        due_date=timezone.localdate() - dt.timedelta(days=1)
    )
    page = web("dispatcher").get("/consultations/").content.decode()
    overdue = page.split('id="overdue-decisions"', 1)[1].split("</section>", 1)[0]
    assert "责令企业于7日内支付拖欠工资" in overdue and "核对30名工人" not in overdue
    hrss = web("hrss").get("/consultations/").content.decode()
    assert 'data-state="overdue"' in hrss and 'id="overdue-decisions"' not in hrss


def test_minutes_download_as_word_and_pdf(scheduled, web, persona):
    services.record_minutes(scheduled, actor=persona("dispatcher"), **minutes_params(scheduled))
    word = web("hrss").get(f"/consultations/{scheduled.pk}/minutes.docx")
    assert word.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(word.content)).paragraphs)
    assert "责令企业于7日内支付拖欠工资" in text
    pdf = web("dispatcher").get(f"/consultations/{scheduled.pk}/minutes.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert web("dispatcher").get(f"/consultations/{scheduled.pk}/minutes.exe").status_code == 404
    assert web("caoe").get(f"/consultations/{scheduled.pk}/minutes.docx").status_code == 404


def test_no_minutes_before_the_meeting(scheduled, web):
    response = web("dispatcher").get(f"/consultations/{scheduled.pk}/minutes.docx")
    assert response.status_code == 302  # back to the list with the message


# ---------------------------------------------------------------- joint reception


def reception_post(when=None, **overrides) -> dict:
    return {
        "reception-received_at": local(when or timezone.now()),
        "reception-place": "区矛调中心接访大厅",
        "reception-departments": [str(organisation("hrss").pk), str(organisation("court").pk)],
        "reception-record": "30名工人代表反映被拖欠工资，人社局、法院现场答复。",
        "reception-outcome": "企业承诺一周内支付，工人代表同意等待。",
        **overrides,
    }


def test_a_joint_reception_of_a_group_case(group_case, web):
    url = f"/consultations/cases/{group_case.pk}/reception"
    response = web("dispatcher").post(url, reception_post(), headers=HTMX)
    assert response.status_code == 204
    reception = JointReception.objects.get()
    assert {o.code for o in reception.departments.all()} == {"hrss", "court"}
    event = CaseEvent.objects.get(case=group_case, action="consultation")
    assert event.data["kind"] == "joint_reception" and event.data["reception"] == reception.pk
    page = web("dispatcher").get(f"/cases/{group_case.pk}/").content.decode()
    assert "企业承诺一周内支付" in page


def test_a_joint_reception_is_refused_for_four_people(pool, web, persona):
    case = build_case("in_progress", people_count=4)
    page = web("dispatcher").get(f"/cases/{case.pk}/").content.decode()
    assert 'id="reception-not-group"' in page and "本事项涉及4人" in page
    assert 'id="reception-form"' not in page
    url = f"/consultations/cases/{case.pk}/reception"
    response = web("dispatcher").post(url, reception_post(), headers=HTMX)
    assert response.status_code == 422
    assert "联合接访仅适用于涉及5人以上的群体性事项，本事项涉及4人" in response.content.decode()
    assert JointReception.objects.count() == 0
    assert not CaseEvent.objects.filter(case=case, action="consultation").exists()


def test_bad_reception_input_changes_nothing(group_case, persona):
    base = {
        "received_at": timezone.now(),
        "place": "接访大厅",
        "departments": [organisation("hrss").pk],
        "record": "记录",
        "outcome": "结果",
    }
    for overrides, field in [
        ({"departments": []}, "departments"),
        ({"departments": [999999]}, "departments"),
        ({"received_at": timezone.now() + dt.timedelta(hours=2)}, "received_at"),
        ({"received_at": group_case.received_at - dt.timedelta(days=3)}, "received_at"),
        ({"record": ""}, "record"),
        ({"outcome": "果" * 2001}, "outcome"),
        ({"place": ""}, "place"),
    ]:
        with pytest.raises(services.InvalidInput) as caught:
            services.record_reception(
                group_case, actor=persona("dispatcher"), **{**base, **overrides}
            )
        assert field in caught.value.errors
    assert JointReception.objects.count() == 0


def test_the_card_costs_a_bounded_number_of_queries(scheduled, web, persona, seats):
    for _ in range(2):
        services.schedule(scheduled.case, actor=persona("dispatcher"), **seats())
    services.record_minutes(scheduled, actor=persona("dispatcher"), **minutes_params(scheduled))
    client = web("hrss")
    client.get(f"/cases/{scheduled.case_id}/")
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/cases/{scheduled.case_id}/")
    ours = [q for q in queries.captured_queries if "consultations_" in q["sql"]]
    assert len(ours) <= 5, [q["sql"][:120] for q in ours]


def test_open_decisions_come_before_done_ones(scheduled, web, persona):
    today = timezone.localdate()
    rows = [
        {"text": f"第{n}项", "organisation": organisation("hrss").pk, "due_date": today + due}
        for n, due in ((1, dt.timedelta(days=2)), (2, dt.timedelta(days=9)))
    ]
    services.record_minutes(
        scheduled, actor=persona("dispatcher"), **minutes_params(scheduled, decisions=rows)
    )
    first = Decision.objects.get(text="第1项")
    services.mark_done(first, actor=persona("hrss"), note="已办")
    page = web("hrss").get("/consultations/").content.decode()
    mine = page.split('id="my-decisions"', 1)[1].split("</section>", 1)[0]
    assert mine.index("第2项") < mine.index("第1项")
