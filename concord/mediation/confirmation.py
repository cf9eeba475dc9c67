"""Judicial confirmation (司法确认) of an agreement that took effect: the parties' joint
application within 30 days (人民调解法 art. 33; 民事诉讼法 art. 205), and the court's ruling
(art. 206) within its 30-day review (art. 187).

The window is the deadlines engine's `judicial_window` node, started when the agreement took
effect; an application outside it is refused here, while the sweep only tells the handler
that it lapsed (whether to apply is the parties' choice, so there is no 督办).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.accounts.models import User
from concord.cases.choices import Action
from concord.cases.scope import grant_access
from concord.cases.timeline import record_event
from concord.core.dates import local_time
from concord.core.errors import Conflict, Forbidden, InvalidInput
from concord.core.limits import COMMENT_MAX
from concord.deadlines.calendar import Unit
from concord.deadlines.models import Deadline
from concord.deadlines.workdays import get_calendar
from concord.notifications.choices import Kind
from concord.notifications.services import notify
from concord.orgs.models import LinkageRole, Organisation

from .choices import Ruling
from .models import Agreement, Confirmation
from .services import CASE_WIDE, require_can_mediate

WINDOW_NODE = "judicial_window"
WINDOW_DAYS = 30
RULING_NUMBER_MAX = Confirmation._meta.get_field("ruling_number").max_length


def courts():
    """The organisations that act as a court in the linkage (诉调对接)."""
    return Organisation.objects.filter(linkage=LinkageRole.COURT, active=True).order_by("pk")


def window_due(agreement: Agreement) -> dt.datetime | None:
    """The last moment to apply: the case's `judicial_window` deadline started when this
    agreement took effect, else 30 calendar days by 民事诉讼法 art. 85 (the day of effect not
    counted, a last day on a holiday moved to the next working day)."""
    if agreement.effective_at is None:
        return None
    row = (
        Deadline.objects.filter(
            case_id=agreement.mediation.case_id,
            code=WINDOW_NODE,
            started_at=agreement.effective_at,
        )
        .order_by("-pk")
        .first()
    )
    if row is not None:
        return row.due_at
    due = get_calendar().deadline(
        agreement.effective_at, WINDOW_DAYS, Unit.CALENDAR_DAYS, art85=True
    )
    return due.at


def apply_for_confirmation(
    agreement: Agreement,
    *,
    actor: User,
    applied_on: dt.date | None,
    joint: bool,
    court: Organisation | None = None,
) -> Confirmation:
    """Record the parties' joint application to a court (by default the linkage court).

    1. check the actor, that the agreement took effect and was not applied for already;
    2. check the court, that both parties applied, and the date (not in the future, not
       before the agreement took effect);
    3. refuse an application after the window (Conflict, nothing written);
    4. save, write CONFIRMATION_APPLIED at the application (which meets the window and starts
       the court's review clock), let the court see the case, and tell its users."""
    case = agreement.mediation.case
    require_can_mediate(actor, case, agreement.mediation)
    if not agreement.is_effective:
        raise Conflict(_("调解协议尚未生效，生效后才能申请司法确认"))
    if Confirmation.objects.filter(agreement=agreement).exists():
        raise Conflict(_("该调解协议已申请司法确认"))
    court = court or courts().first()
    errors: dict[str, str] = {}
    if court is None or court.linkage != LinkageRole.COURT or not court.active:
        errors["court"] = _("请选择受理申请的人民法院")
    if joint is not True:
        errors["joint"] = _("司法确认应由双方当事人共同申请（《人民调解法》第三十三条）")
    effective_day = timezone.localdate(agreement.effective_at)
    if applied_on is None:
        errors["applied_on"] = _("请填写申请日期")
    elif applied_on > timezone.localdate():
        errors["applied_on"] = _("申请日期不能晚于今天")
    elif applied_on < effective_day:
        errors["applied_on"] = _("申请日期不能早于调解协议生效日期（%(day)s）") % {
            "day": effective_day.isoformat()
        }
    if errors:
        raise InvalidInput(errors)
    due = window_due(agreement)
    if applied_on > timezone.localdate(due):
        raise Conflict(
            _(
                "已超过司法确认申请期限：调解协议于%(effective)s生效，应于%(due)s前共同申请"
                "（《人民调解法》第三十三条）。当事人可以就履行或内容争议向人民法院起诉。"
            )
            % {"effective": local_time(agreement.effective_at), "due": local_time(due)},
            field="applied_on",
        )
    try:
        with transaction.atomic():
            confirmation = Confirmation.objects.create(
                agreement=agreement,
                court=court,
                applied_on=applied_on,
                joint=True,
                applied_by=actor,
            )
            record_event(
                case,
                actor=actor,
                action=Action.CONFIRMATION_APPLIED,
                comment=_("%(number)s：双方当事人共同向%(court)s申请司法确认")
                % {"number": agreement.number, "court": court.name},
                data={"agreement": agreement.pk, "confirmation": confirmation.pk},
                at=_moment(applied_on),
            )
            grant_access(case, [court], "confirmation")  # the court must see what it rules on
            notify(
                court.members.filter(is_active=True),
                kind=Kind.OTHER,
                title=_("%(code)s 申请司法确认：%(number)s")
                % {"code": case.tracking_code, "number": agreement.number},
                case=case,
            )
    except IntegrityError:
        raise Conflict(_("该调解协议已申请司法确认")) from None
    return confirmation


def can_rule(user: User, confirmation: Confirmation) -> bool:
    """The court applied to records its ruling; a dispatcher or the admin may enter it for
    the court."""
    if not user.is_authenticated:
        return False
    if user.role in CASE_WIDE:
        return True
    return user.organisation_id == confirmation.court_id and (
        user.organisation.linkage == LinkageRole.COURT
    )


def record_ruling(
    confirmation: Confirmation,
    *,
    actor: User,
    ruling: str,
    ruled_on: dt.date | None,
    number: str = "",
    note: str = "",
) -> Confirmation:
    """Record the court's ruling: the agreement is valid (it can be enforced), or the
    application is rejected (the parties may mediate again or sue; a reason is required).
    Compare-and-set: a ruling is recorded once."""
    if not can_rule(actor, confirmation):
        raise Forbidden(_("只有受理申请的人民法院或调度员可以登记司法确认裁定"))
    if confirmation.ruling:
        raise Conflict(_("司法确认已裁定，不能重复登记"))
    errors: dict[str, str] = {}
    if ruling not in Ruling.values:
        errors["ruling"] = _("请选择裁定结果：裁定调解协议有效或裁定驳回申请")
    if ruled_on is None:
        errors["ruled_on"] = _("请填写裁定日期")
    elif ruled_on > timezone.localdate():
        errors["ruled_on"] = _("裁定日期不能晚于今天")
    elif ruled_on < confirmation.applied_on:
        errors["ruled_on"] = _("裁定日期不能早于申请日期（%(day)s）") % {
            "day": confirmation.applied_on.isoformat()
        }
    number = (number or "").strip() if isinstance(number, str) else ""
    note = (note or "").strip() if isinstance(note, str) else ""
    if len(number) > RULING_NUMBER_MAX:
        errors["number"] = _("裁定书文号不能超过%(max)d字") % {"max": RULING_NUMBER_MAX}
    if len(note) > COMMENT_MAX:
        errors["note"] = _("裁定说明不能超过%(max)d字（现为%(length)d字）") % {
            "max": COMMENT_MAX,
            "length": len(note),
        }
    elif ruling == Ruling.REJECTED and not note:
        errors["note"] = _("请填写驳回申请的理由")
    if errors:
        raise InvalidInput(errors)
    agreement = confirmation.agreement
    case = agreement.mediation.case
    with transaction.atomic():
        changed = Confirmation.objects.filter(pk=confirmation.pk, ruling="").update(
            ruling=ruling, ruled_on=ruled_on, ruling_number=number, ruling_note=note, ruled_by=actor
        )
        if not changed:
            raise Conflict(_("司法确认已裁定，不能重复登记"))
        label = Ruling(ruling).label
        text = " ".join(part for part in (number, note) if part)
        record_event(
            case,
            actor=actor,
            action=Action.CONFIRMATION_RULED,
            comment=f"{agreement.number}：{label}{'（' + text + '）' if text else ''}",
            data={"confirmation": confirmation.pk, "ruling": ruling},
            at=_moment(ruled_on),
        )
        if case.lead_org_id:
            notify(
                case.lead_org.members.filter(is_active=True).exclude(pk=actor.pk),
                kind=Kind.OTHER,
                title=_("%(code)s 司法确认：%(ruling)s")
                % {"code": case.tracking_code, "ruling": label},
                case=case,
            )
    confirmation.refresh_from_db()
    return confirmation


def _moment(day: dt.date) -> dt.datetime:
    """When a dated act happened, for the timeline: now if today, else the end of that day
    (after anything else recorded for it, and still inside a period ending that day)."""
    if day == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))
