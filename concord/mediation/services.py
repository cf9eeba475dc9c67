"""Writes of the mediation domain: the mediator pool, starting a mediation on a case,
booking its sessions without double-booking a room, and finishing it.

Who may act on a case's mediation: a dispatcher or the admin, a handler or mediator of the
organisation leading the case, and a mediator sitting on that mediation. Scope (may the actor
see the case at all) is checked by the caller through `cases.scope`, as for every door.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.accounts.models import Role, User
from concord.cases.choices import Action, CaseStatus
from concord.cases.models import Case
from concord.cases.timeline import record_event
from concord.core.dates import local_time
from concord.core.errors import Conflict, Forbidden, InvalidInput
from concord.core.limits import COMMENT_MAX, DESCRIPTION_MAX, NAME_MAX
from concord.core.locking import save_edited, save_if_unchanged

from .choices import OUTCOMES, MediationStatus, Specialty
from .models import Mediation, Mediator, Room, Session
from .pool import MEDIATOR_ORG_KINDS

POOL_KEEPERS = frozenset({Role.DISPATCHER, Role.ADMIN})
POOL_READERS = POOL_KEEPERS | {Role.MEDIATOR}
CASE_WIDE = frozenset({Role.DISPATCHER, Role.ADMIN})
LEAD_ORG_ROLES = frozenset({Role.HANDLER, Role.MEDIATOR})
# A mediation needs a case someone is working on: accepted and not yet resolved.
MEDIABLE_STATUSES = frozenset(
    {CaseStatus.ACCEPTED, CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS, CaseStatus.PAUSED}
)
MEDIATORS_MAX = 5
SESSION_MAX = dt.timedelta(hours=8)
PHONE_CHARS = frozenset("0123456789-+ ")


def can_read_pool(user: User) -> bool:
    return user.is_authenticated and user.role in POOL_READERS


def can_keep_pool(user: User) -> bool:
    return user.is_authenticated and user.role in POOL_KEEPERS


def can_mediate(user: User, case: Case, mediation: Mediation | None = None) -> bool:
    """May `user` start, schedule or finish mediation on this (visible) case?"""
    if not user.is_authenticated:
        return False
    if user.role in CASE_WIDE:
        return True
    if user.role in LEAD_ORG_ROLES and user.organisation_id == case.lead_org_id:
        return True
    return (
        mediation is not None
        and user.role == Role.MEDIATOR
        and mediation.mediators.filter(user=user).exists()
    )


def require_can_mediate(user: User, case: Case, mediation: Mediation | None = None) -> None:
    if not can_mediate(user, case, mediation):
        raise Forbidden(_("只有调度员、主办单位的承办人或调解员可以组织调解"))


# ---------------------------------------------------------------- the pool


def save_mediator(mediator: Mediator, *, actor: User, version: int | None = None) -> Mediator:
    """Validate and save a new or edited mediator (dispatcher or admin); an edited one only
    if it is still at `version`, the one the editor was shown (core.locking)."""
    if not can_keep_pool(actor):
        raise Forbidden(_("只有调度员或管理员可以维护调解员库"))
    errors = {}
    mediator.name = (mediator.name or "").strip()
    if not mediator.name:
        errors["name"] = _("请填写姓名")
    elif len(mediator.name) > NAME_MAX:
        errors["name"] = _("姓名不能超过%(max)d字") % {"max": NAME_MAX}
    if mediator.organisation_id is None:
        errors["organisation"] = _("请选择所属调解组织")
    elif mediator.organisation.kind not in MEDIATOR_ORG_KINDS:
        errors["organisation"] = _("调解员应属于专业调解组织、镇街矛调中心或村（居）调解委员会")
    codes = list(dict.fromkeys(mediator.specialties or []))
    if not codes:
        errors["specialties"] = _("请至少选择一个专长领域")
    elif any(code not in Specialty.values for code in codes):
        errors["specialties"] = _("专长领域不在可选范围内")
    mediator.specialties = codes
    phone = (mediator.phone or "").strip()
    digits = sum(ch.isdigit() for ch in phone)
    if phone and (not set(phone) <= PHONE_CHARS or not 7 <= digits <= 15):
        errors["phone"] = _("联系电话格式不正确，应为7至15位数字")
    mediator.phone = phone
    if len(mediator.certificates or "") > COMMENT_MAX:
        errors["certificates"] = _("资质证书不能超过%(max)d字") % {"max": COMMENT_MAX}
    if mediator.user_id is not None:
        taken = Mediator.objects.filter(user_id=mediator.user_id).exclude(pk=mediator.pk)
        if taken.exists():
            errors["user"] = _("该账号已关联其他调解员")
    if errors:
        raise InvalidInput(errors)
    if mediator.pk is None:
        mediator.save()
    else:
        save_edited(mediator, version)
    return mediator


# ---------------------------------------------------------------- a case's mediation


def start_mediation(case: Case, *, actor: User, mediators: Iterable[Mediator | int]) -> Mediation:
    """Open a mediation on the case with one to five active mediators.

    1. check the actor and the case status;
    2. lock the case row, then refuse if a mediation is already open (the partial unique
       index catches the same race on SQLite, where there are no row locks);
    3. create the mediation and attach the mediators."""
    require_can_mediate(actor, case)
    ids = list(dict.fromkeys(m if isinstance(m, int) else m.pk for m in mediators))
    if not ids:
        raise InvalidInput({"mediators": _("请至少选择一名调解员")})
    if len(ids) > MEDIATORS_MAX:
        raise InvalidInput({"mediators": _("一次调解最多%(max)d名调解员") % {"max": MEDIATORS_MAX}})
    chosen = list(Mediator.objects.filter(pk__in=ids, active=True))
    if len(chosen) != len(ids):
        raise InvalidInput({"mediators": _("所选调解员不存在或已停用")})
    if case.status not in MEDIABLE_STATUSES:
        raise Conflict(
            _("事项当前状态为「%(status)s」，不能发起调解")
            % {"status": CaseStatus(case.status).label}
        )
    try:
        with transaction.atomic():
            Case.objects.select_for_update().filter(pk=case.pk).first()
            if case.mediations.filter(status=MediationStatus.OPEN).exists():
                raise Conflict(_("该事项已有进行中的调解"))
            mediation = Mediation.objects.create(
                case=case, started_by=actor, started_at=timezone.now()
            )
            mediation.mediators.set(chosen)
            record_event(
                case,
                actor=actor,
                action=Action.MEDIATION_STARTED,
                comment=_("调解员：%(names)s") % {"names": "、".join(m.name for m in chosen)},
                data={"mediation": mediation.pk},
                at=mediation.started_at,
            )
    except IntegrityError:
        raise Conflict(_("该事项已有进行中的调解")) from None
    return mediation


def schedule_session(
    mediation: Mediation,
    *,
    actor: User,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    room: Room | None = None,
    online_link: str = "",
    attendees: str = "",
) -> Session:
    """Book a sitting in a room or online.

    1. check the actor, that the mediation is open, and the times (future, end after start,
       at most 8 hours) and the place (an active room or an http(s) link);
    2. lock the room row, so two bookings of one room run one after the other;
    3. refuse when a session of an open mediation overlaps in that room, else save.
    Sessions of finished mediations no longer hold their room."""
    require_can_mediate(actor, mediation.case, mediation)
    if not mediation.is_open:
        raise Conflict(_("调解已结束，不能再安排调解"))
    errors = _check_session(starts_at, ends_at, room, online_link, attendees)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        if room is not None:
            Room.objects.select_for_update().filter(pk=room.pk).first()
            clash = (
                Session.objects.filter(
                    room=room,
                    mediation__status=MediationStatus.OPEN,
                    starts_at__lt=ends_at,
                    ends_at__gt=starts_at,
                )
                .order_by("starts_at")
                .first()
            )
            if clash is not None:
                raise Conflict(
                    _("%(room)s在 %(start)s–%(end)s 已被预约，请换一个时间或调解室")
                    % {
                        "room": room.name,
                        "start": local_time(clash.starts_at, "Y-m-d H:i"),
                        "end": local_time(clash.ends_at, "H:i"),
                    },
                    field="room",
                )
        return Session.objects.create(
            mediation=mediation,
            starts_at=starts_at,
            ends_at=ends_at,
            room=room,
            online_link=online_link.strip(),
            attendees=attendees.strip(),
            created_by=actor,
        )


def _check_session(starts_at, ends_at, room, online_link, attendees) -> dict[str, str]:
    errors = {}
    if starts_at is None:
        errors["starts_at"] = _("请填写开始时间")
    elif starts_at < timezone.now():
        errors["starts_at"] = _("开始时间已过，请选择将来的时间")
    if ends_at is None:
        errors["ends_at"] = _("请填写结束时间")
    elif starts_at is not None:
        if ends_at <= starts_at:
            errors["ends_at"] = _("结束时间应晚于开始时间")
        elif ends_at - starts_at > SESSION_MAX:
            errors["ends_at"] = _("一场调解最长8小时")
    link = (online_link or "").strip()
    if room is None and not link:
        errors["room"] = _("请选择调解室或填写线上会议链接")
    if room is not None and not room.active:
        errors["room"] = _("该调解室已停用")
    if link:
        try:
            URLValidator(schemes=["http", "https"])(link)
        except ValidationError:
            errors["online_link"] = _("线上会议链接应为 http(s) 网址")
        if len(link) > 500:
            errors["online_link"] = _("线上会议链接过长")
    if len(attendees or "") > COMMENT_MAX:
        errors["attendees"] = _("参加人员不能超过%(max)d字") % {"max": COMMENT_MAX}
    return errors


def record_session(
    session: Session, *, actor: User, attendees: str, record: str, version: int | None = None
) -> Session:
    """Write who came and what was said at a sitting that has begun (调解记录, kept for the
    mediation file and, for a court referral, the record sent back to the court). The record
    may be corrected while the mediation is open, each time from the `version` the writer
    was shown (core.locking): a correction never overwrites one the writer has not seen."""
    mediation = session.mediation
    require_can_mediate(actor, mediation.case, mediation)
    if not mediation.is_open:
        raise Conflict(_("调解已结束，调解记录不能再修改"))
    if session.starts_at > timezone.now():
        raise Conflict(_("该场调解尚未开始，开始后再填写调解记录"))
    errors = {}
    record, attendees = (record or "").strip(), (attendees or "").strip()
    if not record:
        errors["record"] = _("请填写调解记录")
    elif len(record) > DESCRIPTION_MAX:
        errors["record"] = _("调解记录不能超过%(max)d字") % {"max": DESCRIPTION_MAX}
    if len(attendees) > COMMENT_MAX:
        errors["attendees"] = _("参加人员不能超过%(max)d字") % {"max": COMMENT_MAX}
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        # Finishing at the same moment: the record is written only while the mediation is open.
        if (
            not Mediation.objects.select_for_update()
            .filter(pk=mediation.pk, status=MediationStatus.OPEN)
            .exists()
        ):
            raise Conflict(_("调解已结束，调解记录不能再修改"))
        session.version = save_if_unchanged(
            Session, session.pk, version, record=record, attendees=attendees
        )
    session.record, session.attendees = record, attendees
    return session


def finish_mediation(
    mediation: Mediation, *, actor: User, outcome: str, note: str, rating: int | None = None
) -> Mediation:
    """End an open mediation as succeeded, failed or withdrawn, with a note and an optional
    1–5 rating. Compare-and-set on the status: of two people finishing at once, one wins.

    A failed mediation must be terminated and the parties told of arbitration, administrative
    and judicial routes (人民调解法 art. 26): the note is where the handler records that.
    Success is the hook for the mediation agreement and judicial confirmation (later step)."""
    require_can_mediate(actor, mediation.case, mediation)
    errors = {}
    if outcome not in OUTCOMES:
        errors["outcome"] = _("请选择调解结果：调解成功、调解不成或撤回调解")
    note = (note or "").strip()
    if not note:
        errors["note"] = _("请填写调解结果说明")
    elif len(note) > COMMENT_MAX:
        errors["note"] = _("调解结果说明不能超过%(max)d字") % {"max": COMMENT_MAX}
    whole = isinstance(rating, int) and not isinstance(rating, bool)
    if rating is not None and (not whole or not 1 <= rating <= 5):
        errors["rating"] = _("评分应为1至5分")
    if errors:
        raise InvalidInput(errors)
    now = timezone.now()
    with transaction.atomic():
        changed = Mediation.objects.filter(pk=mediation.pk, status=MediationStatus.OPEN).update(
            status=outcome, ended_at=now, ended_by=actor, outcome_note=note, rating=rating
        )
        if not changed:
            raise Conflict(_("调解已结束，不能重复结束"))
        record_event(
            mediation.case,
            actor=actor,
            action=Action.MEDIATION_ENDED,
            comment=f"{MediationStatus(outcome).label}{'：' + note if note else ''}",
            data={"mediation": mediation.pk, "outcome": outcome},
            at=now,
        )
    mediation.refresh_from_db()
    return mediation
