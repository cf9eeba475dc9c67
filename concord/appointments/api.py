"""预约服务 over the API: the free places of the desks' slots, booking, cancelling. Phones
leave masked. A case to link must be in the caller's scope (else 404)."""

import datetime as dt
from datetime import datetime

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from concord.cases.scope import get_visible_case
from concord.core.dates import local_midnight
from concord.core.errors import InvalidInput
from concord.core.limits import COMMENT_MAX, NAME_MAX

from . import services

router = Router()
DAYS_DEFAULT, DAYS_MAX = 14, 62


class SlotFilters(Schema):
    desk: str | None = Field(None, max_length=32, description="服务窗口编码，如 legal-aid")
    from_: str | None = Field(None, alias="from", max_length=32, description="YYYY-MM-DD，默认今天")
    to: str | None = Field(None, max_length=32, description="YYYY-MM-DD（含当天），默认两周")


class SlotOut(Schema):
    id: int
    desk: str = Field(alias="desk.code")
    desk_name: str = Field(alias="desk.name")
    starts_at: datetime
    ends_at: datetime
    capacity: int
    booked: int = Field(alias="taken")
    free: int
    staff_name: str

    @staticmethod
    def resolve_free(obj) -> int:
        return obj.capacity - obj.taken


def _day(value: str | None, field: str, default: dt.date) -> dt.date:
    if not value:
        return default
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput({field: _("日期格式应为 YYYY-MM-DD")}) from None


@router.get("/appointment-slots", response=list[SlotOut])
def free_slots(request: HttpRequest, filters: Query[SlotFilters]):
    """Slots with a free place, not yet begun, in a period of at most 62 days."""
    today = timezone.localdate()
    start = _day(filters.from_, "from", today)
    end = _day(filters.to, "to", start + dt.timedelta(days=DAYS_DEFAULT - 1))
    if end < start:
        raise InvalidInput({"to": _("截止日期不能早于起始日期")})
    if (end - start).days >= DAYS_MAX:
        raise InvalidInput({"to": _("一次最多查询%(n)d天") % {"n": DAYS_MAX}})
    desk = None
    if filters.desk:
        desk = services.active_desks().filter(code=filters.desk).first()
        if desk is None:
            raise InvalidInput({"desk": _("服务窗口不存在或已停用")})
    slots = services.bookable(desk).filter(
        starts_at__gte=local_midnight(start),
        starts_at__lt=local_midnight(end + dt.timedelta(days=1)),
    )
    return list(slots)


class AppointmentIn(Schema):
    slot: int = Field(description="预约时段编号")
    name: str = Field(max_length=NAME_MAX)
    phone: str = Field(max_length=20, description="11位手机号或带区号的固定电话")
    topic: str = Field(max_length=services.TOPIC_MAX)
    case: int | None = Field(None, description="关联事项编号（可不填）")


class CancelIn(Schema):
    reason: str = Field(max_length=COMMENT_MAX)


class AppointmentOut(Schema):
    id: int
    slot: int = Field(alias="slot_id")
    desk: str = Field(alias="slot.desk.code")
    starts_at: datetime = Field(alias="slot.starts_at")
    ends_at: datetime = Field(alias="slot.ends_at")
    name: str
    phone: str = Field(alias="phone_masked", description="脱敏显示")
    topic: str
    case: int | None = Field(alias="case_id")
    status: str
    booked_at: datetime
    cancel_reason: str


@router.post("/appointments", response={201: AppointmentOut})
def book(request: HttpRequest, payload: AppointmentIn):
    """Book one place in a slot for a person (staff: clerk, dispatcher, handler, admin)."""
    case = get_visible_case(request.auth, payload.case) if payload.case is not None else None
    appointment = services.book(
        actor=request.auth,
        slot=payload.slot,
        name=payload.name,
        phone=payload.phone,
        topic=payload.topic,
        case=case,
    )
    return Status(201, appointment)


@router.post("/appointments/{appointment_id}/cancel", response=AppointmentOut)
def cancel(request: HttpRequest, appointment_id: int, payload: CancelIn):
    """Cancel a booking before its slot begins; the place is free again."""
    appointment = services.get_appointment(appointment_id)
    return services.cancel(appointment, actor=request.auth, reason=payload.reason)
