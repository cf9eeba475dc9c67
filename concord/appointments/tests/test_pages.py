"""The 预约服务 page (agenda, booking, cancelling, marking) and the card on the case page."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from concord.appointments.models import Appointment
from concord.cases.tests.factories import build_case

from .conftest import local, slot_at

HTMX = {"HX-Request": "true"}


def test_the_week_agenda_shows_free_and_booked_places(frozen, web, tomorrow, legal_aid):
    slot_at(legal_aid, local(9, 9))  # the 调休 Saturday
    client = web("clerk")
    booked = client.post(
        "/appointments/book",
        {
            "desk": "legal-aid",
            "book-slot": tomorrow.pk,
            "book-name": "张阿姨",
            "book-phone": "13857512345",
            "book-topic": "欠薪咨询",
        },
    )
    assert booked.status_code == 302 and "date=2026-05-07&view=day" in booked["Location"]
    week = client.get("/appointments/", {"desk": "legal-aid", "date": "2026-05-06"})
    assert week.status_code == 200
    days = {d.date.day: d for d in week.context["days"]}
    assert list(days) == [4, 5, 6, 7, 8, 9, 10]
    assert not days[5].workday and days[9].workday and len(days[9].slots) == 1
    [nine] = week.context["rows"]  # both slots start at 09:00: one row, seven cells
    assert [slot.pk if slot else None for _day, slot in nine.cells] == [
        None,
        None,
        None,
        tomorrow.pk,
        None,
        days[9].slots[0].pk,
        None,
    ]
    html = week.content.decode()
    assert "张阿姨" in html and 'data-free="1"' in html and "13857512345" not in html
    day = client.get(booked["Location"]).content.decode()
    assert "138****2345" in day and "已约 1/2" in day and "13857512345" not in day


def test_a_booking_refused_comes_back_in_the_form(frozen, web, tomorrow):
    response = web("clerk").post(
        "/appointments/book",
        {
            "desk": "legal-aid",
            "book-slot": tomorrow.pk,
            "book-name": "张阿姨",
            "book-phone": "12345",
            "book-topic": "咨询",
            "book-case": "NOPE0000",
        },
        headers=HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "电话号码应为11位手机号或带区号的固定电话" in html
    assert "查询码不存在或该事项不在您的查看范围内" in html
    assert not Appointment.objects.exists()


def test_a_booking_for_a_case_is_on_the_case_page(frozen, web, tomorrow):
    case = build_case("in_progress")
    client = web("clerk")
    form_page = client.get("/appointments/", {"desk": "legal-aid", "case": case.pk})
    assert form_page.context["booking_form"].initial["case"] == case.tracking_code
    client.post(
        "/appointments/book",
        {
            "desk": "legal-aid",
            "book-slot": tomorrow.pk,
            "book-name": "张阿姨",
            "book-phone": "13857512345",
            "book-topic": "申请法律援助",
            "book-case": case.tracking_code.lower(),
        },
    )
    assert Appointment.objects.get().case == case
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="appointments"' in html and "申请法律援助" in html and "138****2345" in html


def test_cancel_and_mark_from_the_agenda(frozen, web, tomorrow, legal_aid):
    client = web("clerk")
    today = slot_at(legal_aid, local(6, 9))
    keep = Appointment.objects.create(
        slot=today, name="李", phone="13957500001", phone_hash="x1", topic="咨询"
    )
    go = Appointment.objects.create(
        slot=tomorrow, name="王", phone="13957500002", phone_hash="x2", topic="咨询"
    )
    refused = client.post(f"/appointments/{go.pk}/cancel", {"reason": ""}, headers=HTMX)
    assert refused.status_code == 422 and "请填写取消原因" in refused.content.decode()
    assert client.post(f"/appointments/{go.pk}/cancel", {"reason": "改期"}).status_code == 302
    assert client.post(f"/appointments/{keep.pk}/mark", {"attended": "1"}).status_code == 302
    statuses = dict(Appointment.objects.values_list("name", "status"))
    assert statuses == {"李": "attended", "王": "cancelled"}


def test_a_bad_agenda_query_says_so(frozen, web, desks):
    page = web("clerk").get("/appointments/", {"date": "2026-13-40"})
    assert page.status_code == 200 and "日期格式应为 YYYY-MM-DD" in page.content.decode()


def test_a_leader_sees_the_agenda_without_the_form(frozen, web, tomorrow):
    page = web("leader").get("/appointments/")
    assert page.status_code == 200 and page.context["booking_form"] is None


def test_the_agenda_costs_the_same_queries_for_more_bookings(frozen, web, legal_aid):
    client = web("clerk")
    slots = [slot_at(legal_aid, local(7, hour), capacity=3) for hour in (9, 10, 14)]
    numbers = iter(range(100))

    def book(slot):
        n = next(numbers)
        phone = f"139575{n:05d}"
        Appointment.objects.create(
            slot=slot, name="来访人", phone=phone, phone_hash=phone, topic="咨询"
        )

    def queries(view: str) -> int:
        params = {"desk": "legal-aid", "date": "2026-05-07", "view": view}
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/appointments/", params).status_code == 200
        return len(captured)

    book(slots[0])
    few = {view: queries(view) for view in ("day", "week")}
    for slot in slots:
        book(slot)
        book(slot)
    assert {view: queries(view) for view in ("day", "week")} == few
