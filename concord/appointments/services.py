"""预约服务 services: book a place in a slot (staff now, the citizens' portal later), cancel,
mark attended or no-show, and the sweep that reminds everyone the day before.

Booking is safe against a race for the last place: the slot row is locked while its places are
counted (like `mediation.services.schedule_session` locks the room), so two bookings of one
slot run one after the other.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.accounts.models import Role, User
from concord.cases.choices import Action
from concord.cases.models import Case
from concord.cases.timeline import record_event
from concord.core.crypto import keyed_hash
from concord.core.dates import local_midnight, local_time
from concord.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from concord.core.limits import COMMENT_MAX, NAME_MAX, has_control_characters
from concord.core.pii import phone_problem
from concord.notifications.choices import OutboxChannel
from concord.notifications.models import OutboxMessage
from concord.notifications.services import Notice, notify_many

from .choices import HOLDING, AppointmentStatus
from .models import Appointment, Desk, Slot

log = logging.getLogger(__name__)

BOOK_ROLES = frozenset({Role.CLERK, Role.DISPATCHER, Role.HANDLER, Role.ADMIN})
# Who may cancel or mark any appointment (besides the desk's own staff and the booker).
FRONT_DESK_ROLES = frozenset({Role.CLERK, Role.DISPATCHER, Role.ADMIN})
TOPIC_MAX = 200
# Reminders go out in the daytime of the day before, never as a text in the night.
REMIND_FROM, REMIND_UNTIL = dt.time(8, 0), dt.time(21, 0)
BATCH = 500
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def can_book(user: User) -> bool:
    return user.is_authenticated and user.role in BOOK_ROLES


def can_handle(user: User, appointment: Appointment) -> bool:
    """Cancel or mark: the front desk, the desk's own staff, and whoever booked it."""
    if not user.is_authenticated:
        return False
    desk_org = appointment.slot.desk.organisation_id
    return (
        user.role in FRONT_DESK_ROLES
        or user.organisation_id == desk_org
        or appointment.booked_by_id == user.pk
    )


def active_desks() -> QuerySet[Desk]:
    return Desk.objects.filter(active=True).select_related("organisation")


def with_places(slots: QuerySet[Slot]) -> QuerySet[Slot]:
    """Slots with `taken` (places held) and `free`."""
    return slots.annotate(
        taken=Count("appointments", filter=Q(appointments__status__in=HOLDING))
    ).order_by("starts_at", "desk_id")


def bookable(desk: Desk | None = None) -> QuerySet[Slot]:
    """Slots not yet begun with a free place, of an active desk (or of every active one)."""
    slots = Slot.objects.filter(desk__active=True, starts_at__gt=timezone.now())
    if desk is not None:
        slots = slots.filter(desk=desk)
    return with_places(slots.select_related("desk")).filter(taken__lt=F("capacity"))


def get_appointment(appointment_id) -> Appointment:
    try:
        return Appointment.objects.select_related("slot__desk", "case").get(pk=appointment_id)
    except (Appointment.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("预约不存在")) from None


def book(
    *,
    slot: Slot | int,
    name: str,
    phone: str,
    topic: str,
    actor: User | None,
    case: Case | None = None,
) -> Appointment:
    """Book one place in `slot` for a person.

    1. `actor` is the staff member booking (clerk, dispatcher, handler, admin), or None for a
       citizen booking on the portal, who has proved the phone is theirs there and cannot link
       a case. A `case` is one the caller has already found in the actor's scope.
    2. Name, phone (11-digit mobile or landline with area code) and topic are checked.
    3. With the slot row locked: the desk active, the slot not begun, a free place, and this
       phone not already holding a place in it.
    4. On a case, an 预约服务 entry on its timeline.
    """
    if actor is not None and not can_book(actor):
        raise Forbidden(_("只有窗口受理员、调度员、承办人或管理员可以代为预约"))
    if actor is None and case is not None:
        raise Forbidden(_("群众自助预约不能关联事项"))
    errors: dict[str, str] = {}
    name = _text(name, "name", _("来访人姓名"), NAME_MAX, errors)
    topic = _text(topic, "topic", _("咨询事由"), TOPIC_MAX, errors)
    phone = "".join((phone or "").split()) if isinstance(phone, str) else ""
    if not phone:
        errors["phone"] = _("请填写联系电话")
    elif problem := phone_problem(phone):
        errors["phone"] = problem
    if errors:
        raise InvalidInput(errors)
    slot_id = slot.pk if isinstance(slot, Slot) else slot
    try:
        with transaction.atomic():
            locked = Slot.objects.select_for_update().select_related("desk").filter(pk=slot_id)
            slot = locked.first() if _is_id(slot_id) else None
            _check_slot(slot)
            taken = slot.appointments.filter(status__in=HOLDING)
            if taken.count() >= slot.capacity:
                raise Conflict(
                    _("该时段已约满（共%(n)d个名额），请选择其他时段") % {"n": slot.capacity},
                    field="slot",
                )
            phone_hash = keyed_hash(phone)
            if taken.filter(phone_hash=phone_hash).exists():
                raise Conflict(_("该电话号码已预约这个时段"), field="phone")
            appointment = Appointment.objects.create(
                slot=slot,
                name=name,
                phone=phone,
                phone_hash=phone_hash,
                topic=topic,
                case=case,
                booked_by=actor,
            )
            if case is not None:
                record_event(
                    case,
                    actor=actor,
                    action=Action.APPOINTMENT,
                    comment=_("预约%(slot)s：%(topic)s") % {"slot": describe(slot), "topic": topic},
                    data={
                        "appointment": appointment.pk,
                        "desk": slot.desk.code,
                        "starts_at": slot.starts_at.isoformat(),
                    },
                )
    except IntegrityError:
        # The same phone booked the same slot in the same instant: the constraint held.
        raise Conflict(_("该电话号码已预约这个时段"), field="phone") from None
    return appointment


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_slot(slot: Slot | None) -> None:
    if slot is None or not slot.desk.active:
        raise InvalidInput({"slot": _("预约时段不存在或窗口已停用")})
    if slot.starts_at <= timezone.now():
        raise InvalidInput({"slot": _("该时段已开始或已过去，不能预约")})


def _text(value, field: str, label: str, limit: int, errors: dict[str, str]) -> str:
    value = value.strip() if isinstance(value, str) else ""
    if not value:
        errors[field] = _("请填写%(label)s") % {"label": label}
    elif len(value) > limit:
        errors[field] = _("%(label)s不能超过%(max)d字") % {"label": label, "max": limit}
    elif has_control_characters(value):
        errors[field] = _("%(label)s含有不可见的控制字符") % {"label": label}
    return value


def describe(slot: Slot) -> str:
    """法律援助窗口 05-06 09:00–10:00."""
    start, end = local_time(slot.starts_at, "m-d H:i"), local_time(slot.ends_at, "H:i")
    return f"{slot.desk.name} {start}–{end}"


def cancel(appointment: Appointment, *, actor: User | None, reason: str) -> Appointment:
    """Cancel a booking before its slot begins, with a reason; the place is free again.
    `actor` None is the citizen on the portal."""
    if actor is not None and not can_handle(actor, appointment):
        raise Forbidden(_("只有窗口人员、服务窗口所属单位或预约经办人可以取消预约"))
    errors: dict[str, str] = {}
    reason = _text(reason, "reason", _("取消原因"), COMMENT_MAX, errors)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        appointment = _locked(appointment)
        if appointment.status != AppointmentStatus.BOOKED:
            raise Conflict(
                _("预约%(status)s，不能取消") % {"status": appointment.get_status_display()}
            )
        if appointment.slot.starts_at <= timezone.now():
            raise Conflict(_("时段已开始，不能取消；请登记到场或未到"))
        appointment.status = AppointmentStatus.CANCELLED
        appointment.cancelled_at, appointment.cancelled_by = timezone.now(), actor
        appointment.cancel_reason = reason
        appointment.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"])
        if appointment.case_id:
            record_event(
                appointment.case,
                actor=actor,
                action=Action.APPOINTMENT,
                comment=_("取消预约%(slot)s：%(reason)s")
                % {"slot": describe(appointment.slot), "reason": reason},
                data={"appointment": appointment.pk, "cancelled": True},
            )
    return appointment


def mark(appointment: Appointment, *, actor: User, attended: bool) -> Appointment:
    """Record that the person came (已到) or did not (未到), from the slot's day on."""
    if not can_handle(actor, appointment):
        raise Forbidden(_("只有窗口人员、服务窗口所属单位或预约经办人可以登记到场"))
    with transaction.atomic():
        appointment = _locked(appointment)
        if appointment.status != AppointmentStatus.BOOKED:
            raise Conflict(
                _("预约%(status)s，不能再登记") % {"status": appointment.get_status_display()}
            )
        if timezone.localtime(appointment.slot.starts_at).date() > timezone.localdate():
            raise Conflict(_("预约日期未到，不能登记到场情况"))
        appointment.status = AppointmentStatus.ATTENDED if attended else AppointmentStatus.NO_SHOW
        appointment.marked_at, appointment.marked_by = timezone.now(), actor
        appointment.save(update_fields=["status", "marked_at", "marked_by"])
    return appointment


def _locked(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("slot__desk", "case")
        .get(pk=appointment.pk)
    )


def sweep_reminders(now: dt.datetime | None = None) -> int:
    """Remind, once, each booking of tomorrow: the desk's staff and the staff member who
    booked it get a notice, the person an SMS (mobiles only) through the outbox.

    Runs in the daytime (08:00–21:00) of the day before. Rows are claimed with SKIP LOCKED and
    a compare-and-set on `reminded_at`, in the transaction that writes the notices: two sweeps
    at once, or one run twice, remind nobody twice. Returns how many were reminded."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if not REMIND_FROM <= local.time() < REMIND_UNTIL:
        return 0
    tomorrow = local.date() + dt.timedelta(days=1)
    due = Appointment.objects.filter(
        status=AppointmentStatus.BOOKED,
        reminded_at=None,
        slot__starts_at__gte=local_midnight(tomorrow),
        slot__starts_at__lt=local_midnight(tomorrow + dt.timedelta(days=1)),
    )
    reminded = 0
    staff: dict[int, list[User]] = {}
    while True:
        with transaction.atomic():
            ids = list(
                due.order_by("pk")
                .select_for_update(skip_locked=True, of=("self",))
                .values_list("pk", flat=True)[:BATCH]
            )
            if ids:
                Appointment.objects.filter(pk__in=ids, reminded_at=None).update(reminded_at=now)
            claimed = list(
                Appointment.objects.filter(pk__in=ids, reminded_at=now).select_related(
                    "slot__desk", "booked_by", "case"
                )
            )
            notify_many(_reminder(a, _desk_staff(staff, a.slot.desk)) for a in claimed)
            OutboxMessage.objects.bulk_create(
                OutboxMessage(
                    channel=OutboxChannel.SMS,
                    recipient=a.phone,
                    body=_text_message(a),
                    next_attempt_at=now,
                    created_at=now,
                )
                for a in claimed
                if _MOBILE.match(a.phone)
            )
        reminded += len(claimed)
        if len(ids) < BATCH:
            break
    if reminded:
        log.info("appointment reminders at %s: %d", now.isoformat(), reminded)
    return reminded


def _desk_staff(cache: dict[int, list[User]], desk: Desk) -> list[User]:
    if desk.pk not in cache:
        staff = User.objects.staff_of(desk.organisation_id)
        cache[desk.pk] = list(staff)
    return cache[desk.pk]


def _reminder(appointment: Appointment, desk_staff: list[User]) -> Notice:
    users = [*desk_staff, *([appointment.booked_by] if appointment.booked_by else [])]
    title = _("预约提醒：明天 %(slot)s，%(name)s") % {
        "slot": describe(appointment.slot),
        "name": appointment.name,
    }
    body = _("联系电话：%(phone)s；事由：%(topic)s") % {
        "phone": appointment.phone_masked,
        "topic": appointment.topic,
    }
    return Notice(users, "other", title, body, case=appointment.case)


def _text_message(appointment: Appointment) -> str:
    slot = appointment.slot
    text = _("%(name)s您好，您已预约%(slot)s") % {"name": appointment.name, "slot": describe(slot)}
    if slot.desk.place:
        text += _("，地点：%(place)s") % {"place": slot.desk.place}
    return text + _("。请准时前往；如不能前来，请提前告知。")
