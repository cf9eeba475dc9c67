"""Booking a legal-aid or counselling slot on the portal, through the appointments' own
booking service: offered only when a desk has free slots; no case linked, no staff booker."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from concord.appointments.defaults import load_defaults
from concord.appointments.models import Appointment, Desk, Slot

from .conftest import PHONE

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 5, 6, 10, 0, tzinfo=SH)  # a Wednesday


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def slot(county, frozen) -> Slot:
    """Thursday 09:00–10:00 at the legal-aid desk, one place."""
    load_defaults()
    start = dt.datetime(2026, 5, 7, 9, 0, tzinfo=SH)
    desk = Desk.objects.get(code="legal-aid")
    return Slot.objects.create(
        desk=desk, starts_at=start, ends_at=start + dt.timedelta(hours=1), capacity=1
    )


def booking(chosen: Slot, **change) -> dict:
    return {
        "slot": chosen.pk,
        "name": "王秀兰",
        "phone": PHONE,
        "topic": "邻居装修噪音，想咨询能否起诉",
        "consent": "on",
        **change,
    }


def test_no_free_slot_no_booking_on_the_home_page(visitor, county, frozen):
    load_defaults()
    assert "预约法律援助/心理咨询" not in visitor.get("/portal/").content.decode()


def test_a_citizen_books_a_free_slot(visitor, slot):
    home = visitor.get("/portal/").content.decode()
    assert "预约法律援助/心理咨询" in home
    desks = visitor.get("/portal/book").content.decode()
    assert "法律援助窗口" in desks
    assert "近期可约 1 个时段" in desks
    assert "近期暂无可预约时段" in desks  # the counselling room has none
    form = visitor.get("/portal/book?desk=legal-aid").content.decode()
    assert "05-07 周四 09:00–10:00（余1）" in form

    answer = visitor.post("/portal/book?desk=legal-aid", booking(slot))
    assert answer.status_code == 302
    assert answer["Location"] == "/portal/booked"
    appointment = Appointment.objects.get()
    assert (appointment.slot, appointment.name, appointment.phone) == (slot, "王秀兰", PHONE)
    assert appointment.booked_by is None
    assert appointment.case is None
    page = visitor.get("/portal/booked").content.decode()
    assert "预约成功" in page
    assert "法律援助窗口 05-07 09:00–10:00" in page
    assert "138****1234" in page
    assert PHONE not in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"consent": ""}, "请阅读并勾选同意个人信息处理说明"),
        ({"phone": "12345"}, "电话号码应为11位手机号或带区号的固定电话"),
        ({"name": "🙂"}, "姓名只能包含文字"),
        ({"topic": ""}, "请填写咨询事由"),
        ({"slot": "999999"}, "该时段已约满、已过去或不存在"),
    ],
    ids=["no consent", "bad phone", "emoji name", "no topic", "unknown slot"],
)
def test_a_bad_booking_is_refused_and_books_nothing(visitor, slot, change, message):
    answer = visitor.post("/portal/book?desk=legal-aid", booking(slot, **change))
    assert answer.status_code == 422
    assert message in answer.content.decode()
    assert not Appointment.objects.exists()


def test_a_full_slot_is_no_longer_offered(visitor, slot):
    visitor.post("/portal/book?desk=legal-aid", booking(slot))
    late = visitor.post("/portal/book?desk=legal-aid", booking(slot, phone="13611112222"))
    assert late.status_code == 422
    assert "该时段已约满、已过去或不存在" in late.content.decode()
    assert Appointment.objects.count() == 1


def test_bookings_count_against_the_hourly_limit(visitor, slot, settings):
    settings.CONCORD = {**settings.CONCORD, "PORTAL_RATE_LIMITS": {"submit": (1, 3600)}}
    assert visitor.post("/portal/book?desk=legal-aid", booking(slot)).status_code == 302
    assert visitor.get("/portal/book?desk=legal-aid").status_code == 429
