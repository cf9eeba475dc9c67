"""联合会商 and 联合接访 services: schedule a 3+X consultation, record its minutes and
decisions, mark a decision done, flag overdue decisions once, and record a joint reception.

Who organises: a dispatcher or the admin, or a handler of the organisation leading the case.
Who sees a consultation: whoever sees its case (cases.scope), and the organisations and people
seated at it or given one of its decisions. Those organisations are granted the case itself
(`grant_access`), so that they can prepare for the meeting and carry out their decisions.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.accounts.models import Role, User
from concord.accounts.permissions import SUPERVISE_ROLES
from concord.cases.choices import OPEN_STATUSES, Action, CaseStatus
from concord.cases.models import Case
from concord.cases.scope import grant_access, visible_cases
from concord.cases.timeline import record_event
from concord.core.dates import local_time
from concord.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from concord.core.limits import ADDRESS_MAX, COMMENT_MAX, DESCRIPTION_MAX, NAME_MAX, checked_text
from concord.mediation.models import Mediator
from concord.notifications.services import Notice, notify_many
from concord.orgs.models import LinkageRole, Organisation, OrgKind

from .models import (
    Consultation,
    Decision,
    JointReception,
    Participant,
    ParticipantRole,
)

log = logging.getLogger(__name__)

ORGANISER_ROLES = frozenset({Role.DISPATCHER, Role.ADMIN})
# The X of 3+X, and who may sit at a joint reception.
DEPARTMENT_KINDS = (OrgKind.DEPARTMENT, OrgKind.MEDIATION_ORG)
# Who may be given a decision: the stationed departments and mediation organisations, and the
# county and town centers (villages and grids act through their town).
RESPONSIBLE_KINDS = (*DEPARTMENT_KINDS, OrgKind.TOWN_CENTER, OrgKind.COUNTY_CENTER)
DEPARTMENTS_MAX = 20
DECISIONS_MAX = 20
AHEAD_MAX = dt.timedelta(days=366)
BATCH = 500
P = ParticipantRole


# ---------------------------------------------------------------- who and what may be chosen


def can_organise(user: User, case: Case) -> bool:
    if not user.is_authenticated:
        return False
    if user.role in ORGANISER_ROLES:
        return True
    return (
        user.role == Role.HANDLER
        and user.organisation_id is not None
        and user.organisation_id == case.lead_org_id
    )


def court_orgs() -> QuerySet[Organisation]:
    return Organisation.objects.filter(active=True, linkage=LinkageRole.COURT).order_by("code")


def judges() -> QuerySet[User]:
    """The court's people who log in: a judge is one of them, or a name."""
    return (
        User.objects.filter(is_active=True, organisation__in=court_orgs())
        .select_related("organisation")
        .order_by("organisation__code", "username")
    )


def mediators() -> QuerySet[Mediator]:
    return Mediator.objects.filter(active=True).select_related("organisation")


def lawyers() -> QuerySet[Mediator]:
    return mediators().filter(is_lawyer=True)


def department_orgs() -> QuerySet[Organisation]:
    """The departments of a 3+X: the court sits there already through its judge."""
    return reception_orgs().exclude(linkage=LinkageRole.COURT)


def reception_orgs() -> QuerySet[Organisation]:
    return Organisation.objects.filter(active=True, kind__in=DEPARTMENT_KINDS).order_by(
        "kind", "code"
    )


def responsible_orgs() -> QuerySet[Organisation]:
    return Organisation.objects.filter(active=True, kind__in=RESPONSIBLE_KINDS).order_by(
        "kind", "code"
    )


# ---------------------------------------------------------------- who sees what


def _seated(user: User) -> Q:
    """Consultations the user or the user's organisation is seated at or given a decision of."""
    seat = Q(user=user) | Q(mediator__user=user)
    if user.organisation_id is None:
        return Q(pk__in=Participant.objects.filter(seat).values("consultation_id"))
    seat |= Q(organisation_id=user.organisation_id)
    given = Decision.objects.filter(organisation_id=user.organisation_id)
    return Q(pk__in=Participant.objects.filter(seat).values("consultation_id")) | Q(
        pk__in=given.values("consultation_id")
    )


def visible_consultations(user: User) -> QuerySet[Consultation]:
    if not user.is_authenticated:
        return Consultation.objects.none()
    return Consultation.objects.filter(Q(case__in=visible_cases(user).values("pk")) | _seated(user))


def related_consultations(user: User) -> QuerySet[Consultation]:
    """What the /consultations/ page lists: for a supervisor every consultation on the cases
    they see; for others those they are seated at, organised, or on cases their organisation
    leads."""
    if user.role in SUPERVISE_ROLES:
        return visible_consultations(user)
    mine = _seated(user) | Q(organised_by=user)
    if user.organisation_id:
        mine |= Q(case__lead_org_id=user.organisation_id)
    return visible_consultations(user).filter(mine)


def with_details(consultations: QuerySet[Consultation]) -> QuerySet[Consultation]:
    """With what a consultation is shown with: its case, organiser, seats and decisions."""
    return consultations.select_related("case", "organiser_org", "organised_by").prefetch_related(
        Prefetch("participants", Participant.objects.select_related("organisation")),
        Prefetch("decisions", Decision.objects.select_related("organisation").order_by("number")),
    )


def get_visible_consultation(user: User, consultation_id: int) -> Consultation:
    try:
        return (
            visible_consultations(user)
            .select_related("case", "organiser_org", "organised_by")
            .get(pk=consultation_id)
        )
    except (Consultation.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("联合会商不存在")) from None


def get_visible_decision(user: User, decision_id: int) -> Decision:
    decision = (
        Decision.objects.filter(pk=decision_id)
        .select_related("organisation", "case", "consultation__organised_by")
        .first()
        if isinstance(decision_id, int)
        else None
    )
    if (
        decision is None
        or not visible_consultations(user).filter(pk=decision.consultation_id).exists()
    ):
        raise NotFound(_("会商议定事项不存在"))
    return decision


# ---------------------------------------------------------------- checking input


def _pk(value) -> object:
    return getattr(value, "pk", value)


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _aware(moment):
    """A moment as given; a naive one (an API client without a zone) is local time."""
    if isinstance(moment, dt.datetime) and timezone.is_naive(moment):
        return timezone.make_aware(moment)
    return moment


def _orgs(
    errors: dict, field: str, values, allowed: QuerySet[Organisation], limit: int
) -> list[Organisation]:
    """The chosen organisations in the order given, or an error under `field`."""
    ids = [_pk(v) for v in values or []]
    if not ids:
        errors[field] = _("请至少选择一个部门")
        return []
    if len(ids) > limit:
        errors[field] = _("最多选择%(max)d个部门") % {"max": limit}
        return []
    if not all(_is_id(i) for i in ids):
        errors[field] = _("部门应以编号表示")
        return []
    if len(set(ids)) != len(ids):
        errors[field] = _("同一部门不能重复选择")
        return []
    found = allowed.in_bulk(ids)
    missing = [i for i in ids if i not in found]
    if missing:
        errors[field] = _("部门不存在、已停用或不能参加：%(ids)s") % {
            "ids": "、".join(str(i) for i in missing)
        }
        return []
    return [found[i] for i in ids]


def _future(errors: dict, field: str, moment, label: str, now: dt.datetime):
    moment = _aware(moment)
    if moment is None:
        errors[field] = _("请填写%(label)s") % {"label": label}
    elif not isinstance(moment, dt.datetime):
        errors[field] = _("%(label)s格式不正确") % {"label": label}
    elif moment <= now:
        errors[field] = _("%(label)s已过，请选择将来的时间") % {"label": label}
    elif moment - now > AHEAD_MAX:
        errors[field] = _("%(label)s不能晚于一年以后") % {"label": label}
    return moment


def _past(errors: dict, field: str, moment, label: str, now: dt.datetime, earliest: dt.datetime):
    moment = _aware(moment)
    if moment is None:
        errors[field] = _("请填写%(label)s") % {"label": label}
    elif not isinstance(moment, dt.datetime):
        errors[field] = _("%(label)s格式不正确") % {"label": label}
    elif moment > now:
        errors[field] = _("%(label)s不能是将来的时间") % {"label": label}
    elif moment < earliest:
        errors[field] = _("%(label)s不能早于%(when)s") % {
            "label": label,
            "when": local_time(earliest),
        }
    return moment


def _place(errors: dict, place, link) -> tuple[str, str]:
    place = checked_text(errors, "place", place, _("会商地点"), ADDRESS_MAX, required=False)
    link = checked_text(errors, "online_link", link, _("线上会议链接"), 500, required=False)
    if link and "online_link" not in errors:
        try:
            URLValidator(schemes=["http", "https"])(link)
        except ValidationError:
            errors["online_link"] = _("线上会议链接应为 http(s) 网址")
    if not place and not link and "place" not in errors and "online_link" not in errors:
        errors["place"] = _("请填写会商地点或线上会议链接")
    return place, link


def _require_open(case: Case, what: str) -> None:
    if case.status not in OPEN_STATUSES:
        raise Conflict(
            _("事项当前状态为「%(status)s」，不能%(what)s")
            % {"status": CaseStatus(case.status).label, "what": what}
        )


# ---------------------------------------------------------------- scheduling a 3+X


def schedule(
    case: Case,
    *,
    actor: User,
    scheduled_at: dt.datetime | None,
    agenda: str,
    place: str = "",
    online_link: str = "",
    court: int | Organisation | None = None,
    judge_user: int | User | None = None,
    judge_name: str = "",
    chief_mediator: int | Mediator | None = None,
    lawyer: int | Mediator | None = None,
    lawyer_name: str = "",
    departments: Iterable[int | Organisation] = (),
) -> Consultation:
    """Call a 3+X joint consultation on an open case.

    1. Only an organiser (dispatcher, admin, or a handler of the lead organisation).
    2. A future time (within a year), a place or an online link, an agenda; the judge (a court
       user, or a name with the court), the chief mediator and the legal-aid lawyer (mediators
       of the pool, the lawyer one marked as a lawyer or a name), and at least one department.
    3. The consultation and its seats in one transaction with the timeline event; the people
       and departments seated are notified."""
    if not can_organise(actor, case):
        raise Forbidden(_("只有调度员、管理员或主办单位的承办人可以组织联合会商"))
    if actor.organisation_id is None:
        raise Forbidden(_("没有所属组织的账号不能组织联合会商"))
    _require_open(case, _("组织联合会商"))
    now = timezone.now()
    errors: dict[str, str] = {}
    scheduled_at = _future(errors, "scheduled_at", scheduled_at, _("会商时间"), now)
    place, online_link = _place(errors, place, online_link)
    agenda = checked_text(errors, "agenda", agenda, _("会商议题"), COMMENT_MAX)
    seats = _three(errors, court, judge_user, judge_name, chief_mediator, lawyer, lawyer_name)
    orgs = _orgs(errors, "departments", departments, department_orgs(), DEPARTMENTS_MAX)
    if errors:
        if "departments" in errors:
            _explain_court(errors, departments)
        raise InvalidInput(errors)
    seats += [Participant(role=P.DEPARTMENT, organisation=org, name=org.name) for org in orgs]
    with transaction.atomic():
        consultation = Consultation.objects.create(
            case=case,
            organised_by=actor,
            organiser_org_id=actor.organisation_id,
            created_at=now,
            scheduled_at=scheduled_at,
            place=place,
            online_link=online_link,
            agenda=agenda,
        )
        for seat in seats:
            seat.consultation = consultation
        Participant.objects.bulk_create(seats)
        grant_access(case, {s.organisation for s in seats if s.organisation_id}, "consultation")
        where = place or _("线上会议")
        record_event(
            case,
            actor=actor,
            action=Action.CONSULTATION,
            comment=_("安排3+X联合会商：%(when)s，%(where)s；议题：%(agenda)s；参加：%(who)s")
            % {
                "when": local_time(scheduled_at),
                "where": where,
                "agenda": agenda,
                "who": "、".join(s.name for s in seats),
            },
            data={
                "kind": "joint_consultation",
                "step": "scheduled",
                "consultation": consultation.pk,
                "departments": [o.pk for o in orgs],
            },
            at=now,
        )
        title = _("%(code)s 联合会商通知：%(when)s，%(where)s") % {
            "code": case.tracking_code,
            "when": local_time(scheduled_at, "m-d H:i"),
            "where": where,
        }
        body = _("议题：%(agenda)s") % {"agenda": agenda}
        if online_link:
            body += "\n" + _("线上会议链接：%(link)s") % {"link": online_link}
        notify_many([Notice(_people_of(seats), "other", title, body, case)])
    return consultation


def _explain_court(errors: dict, departments) -> None:
    """A court named among the departments is refused by name, not as unknown."""
    ids = {_pk(d) for d in departments or [] if _is_id(_pk(d))}
    courts = [o.name for o in court_orgs() if o.pk in ids]
    if courts:
        errors["departments"] = _("%(court)s已由法官参加会商，不必再列为部门") % {
            "court": "、".join(courts)
        }


def _three(errors, court, judge_user, judge_name, chief_mediator, lawyer, lawyer_name):
    """The judge, the chief mediator and the lawyer as unsaved seats (errors when missing)."""
    seats = []
    judge = _judge(errors, court, judge_user, judge_name)
    if judge:
        seats.append(judge)
    chief = _find(mediators(), chief_mediator)
    if not _given(chief_mediator):
        errors["chief_mediator"] = _("3+X联合会商须有首席调解员参加，请选择首席调解员")
    elif chief is None:
        errors["chief_mediator"] = _("所选首席调解员不存在或已停用")
    else:
        seats.append(_mediator_seat(P.CHIEF_MEDIATOR, chief))
    name = checked_text(errors, "lawyer_name", lawyer_name, _("律师姓名"), NAME_MAX, required=False)
    if _given(lawyer):
        found = _find(lawyers(), lawyer)
        if found is None:
            errors["lawyer"] = _("所选律师不存在、已停用或不是执业律师")
        elif chief is not None and found.pk == chief.pk:
            errors["lawyer"] = _("首席调解员与法律援助律师应为两人")
        else:
            seats.append(_mediator_seat(P.LAWYER, found))
    elif name:
        seats.append(Participant(role=P.LAWYER, name=name))
    elif "lawyer_name" not in errors:
        errors["lawyer"] = _("3+X联合会商须有法律援助律师参加，请选择或填写律师")
    return seats


def _judge(errors, court, judge_user, judge_name) -> Participant | None:
    name = checked_text(errors, "judge_name", judge_name, _("法官姓名"), NAME_MAX, required=False)
    chosen_court = _find(court_orgs(), court)
    if _given(court) and chosen_court is None:
        errors["court"] = _("所选法院不存在或不是法院")
        return None
    if _given(judge_user):
        user = _find(judges(), judge_user)
        if user is None:
            errors["judge_user"] = _("所选法官不存在、已停用或不属于法院")
            return None
        if chosen_court is not None and chosen_court.pk != user.organisation_id:
            errors["judge_user"] = _("所选法官不属于%(court)s") % {"court": chosen_court.name}
            return None
        return Participant(role=P.JUDGE, organisation=user.organisation, user=user, name=str(user))
    if not name:
        if "judge_name" not in errors:
            errors["judge_user"] = _("3+X联合会商须有法官参加，请选择或填写法官")
        return None
    if chosen_court is None:
        only = list(court_orgs()[:2])
        if len(only) != 1:
            errors["court"] = _("请选择法官所在法院")
            return None
        chosen_court = only[0]
    return Participant(role=P.JUDGE, organisation=chosen_court, name=name)


def _given(value) -> bool:
    return value is not None and value != ""


def _find(queryset: QuerySet, value):
    """The row `value` (an id or an instance) names in `queryset`, or None."""
    pk = _pk(value)
    return queryset.filter(pk=pk).first() if _is_id(pk) else None


def _mediator_seat(role: str, mediator: Mediator) -> Participant:
    return Participant(
        role=role, organisation=mediator.organisation, mediator=mediator, name=mediator.name
    )


def _people_of(seats: Iterable[Participant]) -> list[User]:
    """Who to tell about a meeting: a seated user, a mediator's login, or for a department or
    a court named without its judge's account, the organisation's active people."""
    people: list[User] = []
    orgs = []
    for seat in seats:
        if seat.user_id:
            people.append(seat.user)
        elif seat.mediator_id:
            if seat.mediator.user_id:
                people.append(seat.mediator.user)
        elif seat.organisation_id:
            orgs.append(seat.organisation_id)
    if orgs:
        people += list(User.objects.filter(organisation_id__in=orgs, is_active=True))
    return people


# ---------------------------------------------------------------- minutes and decisions


def can_record_minutes(user: User, consultation: Consultation) -> bool:
    return can_organise(user, consultation.case) or user.pk == consultation.organised_by_id


def record_minutes(
    consultation: Consultation,
    *,
    actor: User,
    held_at: dt.datetime | None,
    minutes: str,
    attended: Iterable[int | Participant],
    decisions: Iterable[dict] = (),
) -> Consultation:
    """After the meeting: when it was held, who came, the minutes, and the decisions — each a
    task for an organisation with a due date. Once per consultation (compare-and-set on
    `held_at`); the responsible organisations are notified of their decisions."""
    if not can_record_minutes(actor, consultation):
        raise Forbidden(_("只有会商组织人、调度员、管理员或主办单位的承办人可以录入会商纪要"))
    if consultation.held_at:
        raise Conflict(_("会商纪要已录入，不能重复录入"))
    now = timezone.now()
    today = timezone.localdate(now)
    errors: dict[str, str] = {}
    # Forms give minutes: a meeting held the minute it was called is not "before" it.
    called = consultation.created_at.replace(second=0, microsecond=0)
    held_at = _past(errors, "held_at", held_at, _("召开时间"), now, called)
    minutes = checked_text(errors, "minutes", minutes, _("会商纪要"), DESCRIPTION_MAX)
    seats = {p.pk: p for p in consultation.participants.all()}
    came = [_pk(a) for a in attended or []]
    if not came:
        errors["attended"] = _("请勾选到会人员")
    elif not all(_is_id(i) and i in seats for i in came):
        errors["attended"] = _("到会人员应为本次会商的参会人员")
    rows = _decisions(errors, list(decisions or []), today)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        changed = Consultation.objects.filter(pk=consultation.pk, held_at=None).update(
            held_at=held_at, minutes=minutes, minutes_by=actor, minutes_at=now
        )
        if not changed:
            raise Conflict(_("会商纪要已录入，不能重复录入"))
        consultation.participants.filter(pk__in=came).update(attended=True)
        consultation.participants.exclude(pk__in=came).update(attended=False)
        for row in rows:
            row.consultation, row.case_id = consultation, consultation.case_id
        Decision.objects.bulk_create(rows)
        case = consultation.case
        grant_access(case, {d.organisation for d in rows}, "consultation")
        lines = [f"{d.number}. {d.text}（{d.organisation}，{d.due_date:%Y-%m-%d}）" for d in rows]
        record_event(
            case,
            actor=actor,
            action=Action.CONSULTATION,
            comment=_("3+X联合会商纪要：%(minutes)s") % {"minutes": minutes}
            + ("\n" + _("议定事项：") + "\n" + "\n".join(lines) if lines else ""),
            data={
                "kind": "joint_consultation",
                "step": "minutes",
                "consultation": consultation.pk,
                "decisions": len(rows),
            },
            at=now,
        )
        notify_many(_decision_notices(case, rows))
    consultation.refresh_from_db()
    return consultation


def _decisions(errors: dict, rows: list, today: dt.date) -> list[Decision]:
    if len(rows) > DECISIONS_MAX:
        errors["decisions"] = _("议定事项最多%(max)d项") % {"max": DECISIONS_MAX}
        return []
    ids = [_pk(r.get("organisation")) for r in rows if isinstance(r, dict)]
    allowed = responsible_orgs().in_bulk([i for i in ids if _is_id(i)])
    decisions = []
    for i, row in enumerate(rows):
        key = f"decisions[{i}]"
        if not isinstance(row, dict):
            errors[key] = _("议定事项格式不正确")
            continue
        label = _("第%(n)d项议定事项") % {"n": i + 1}
        text = checked_text(errors, f"{key}.text", row.get("text"), label, COMMENT_MAX)
        org_id = _pk(row.get("organisation"))
        org = allowed.get(org_id) if _is_id(org_id) else None
        if not _given(org_id):
            errors[f"{key}.organisation"] = _("请选择%(label)s的责任单位") % {"label": label}
        elif org is None:
            errors[f"{key}.organisation"] = _("%(label)s的责任单位不存在或已停用") % {
                "label": label
            }
        due = row.get("due_date")
        if not _given(due):
            errors[f"{key}.due_date"] = _("请填写%(label)s的完成时限") % {"label": label}
        elif not isinstance(due, dt.date) or isinstance(due, dt.datetime):
            errors[f"{key}.due_date"] = _("%(label)s的完成时限应为日期") % {"label": label}
        elif due < today:
            errors[f"{key}.due_date"] = _("%(label)s的完成时限已过") % {"label": label}
        elif due - today > AHEAD_MAX:
            errors[f"{key}.due_date"] = _("%(label)s的完成时限不能晚于一年以后") % {"label": label}
        decisions.append(Decision(number=i + 1, text=text, organisation=org, due_date=due))
    return decisions


def _decision_notices(case: Case, rows: list[Decision]) -> list[Notice]:
    by_org: dict[int, list[User]] = {}
    for user in User.objects.filter(
        organisation_id__in={d.organisation_id for d in rows}, is_active=True
    ):
        by_org.setdefault(user.organisation_id, []).append(user)
    return [
        Notice(
            by_org.get(d.organisation_id, []),
            "other",
            _("%(code)s 会商议定事项：请于%(due)s前完成")
            % {
                "code": case.tracking_code,
                "due": f"{d.due_date:%Y-%m-%d}",
            },
            d.text,
            case,
        )
        for d in rows
    ]


def mark_done(decision: Decision, *, actor: User, note: str) -> Decision:
    """The responsible organisation reports a decision carried out, with what it did."""
    if actor.organisation_id is None or actor.organisation_id != decision.organisation_id:
        raise Forbidden(_("只有责任单位的人员可以办结会商议定事项"))
    errors: dict[str, str] = {}
    note = checked_text(errors, "note", note, _("办理情况"), COMMENT_MAX)
    if errors:
        raise InvalidInput(errors)
    now = timezone.now()
    with transaction.atomic():
        changed = Decision.objects.filter(pk=decision.pk, done_at=None).update(
            done_at=now, done_by=actor, done_note=note
        )
        if not changed:
            raise Conflict(_("该议定事项已办结"))
        decision.refresh_from_db()
        organiser = decision.consultation.organised_by
        title = _("%(code)s 会商议定事项已完成：%(org)s") % {
            "code": decision.case.tracking_code,
            "org": decision.organisation.name,
        }
        body = f"{decision.text}\n{note}"
        notify_many([Notice([organiser], "other", title, body, decision.case)])
    return decision


def sweep_overdue_decisions(now: dt.datetime | None = None) -> int:
    """Flag each decision still open after its due date, once: claim rows (SKIP LOCKED), set
    `overdue_notified_at` by compare-and-set, and notify the responsible organisation, the
    organiser and the county center's supervisors in the same transaction."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = Decision.objects.filter(done_at=None, overdue_notified_at=None, due_date__lt=today)
    center = list(
        User.objects.filter(
            is_active=True, organisation__kind=OrgKind.COUNTY_CENTER, role__in=SUPERVISE_ROLES
        )
    )
    flagged = 0
    while True:
        with transaction.atomic():
            ids = list(
                due.order_by("due_date", "pk")
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)[:BATCH]
            )
            if ids:
                Decision.objects.filter(pk__in=ids, overdue_notified_at=None).update(
                    overdue_notified_at=now
                )
            claimed = list(
                Decision.objects.filter(pk__in=ids, overdue_notified_at=now).select_related(
                    "organisation", "case", "consultation__organised_by"
                )
            )
            members: dict[int, list[User]] = {}
            for user in User.objects.filter(
                organisation_id__in={d.organisation_id for d in claimed}, is_active=True
            ):
                members.setdefault(user.organisation_id, []).append(user)
            notify_many(_overdue(d, members.get(d.organisation_id, []), center) for d in claimed)
        flagged += len(claimed)
        if len(ids) < BATCH:
            break
    if flagged:
        log.info("consultation decisions sweep at %s: %d overdue", now.isoformat(), flagged)
    return flagged


def _overdue(decision: Decision, members: list[User], center: list[User]) -> Notice:
    title = _("%(code)s 会商议定事项逾期：%(org)s未在%(due)s前完成") % {
        "code": decision.case.tracking_code,
        "org": decision.organisation.name,
        "due": f"{decision.due_date:%Y-%m-%d}",
    }
    people = [*members, decision.consultation.organised_by, *center]
    return Notice(people, "deadline_breached", title, decision.text, decision.case)


# ---------------------------------------------------------------- joint reception


def record_reception(
    case: Case,
    *,
    actor: User,
    received_at: dt.datetime | None,
    place: str,
    departments: Iterable[int | Organisation],
    record: str,
    outcome: str,
) -> JointReception:
    """联合接访 of a group matter (at least `GROUP_MATTER_PEOPLE` people): the departments
    present, when and where, the record and the outcome, written once it has taken place."""
    if not can_organise(actor, case):
        raise Forbidden(_("只有调度员、管理员或主办单位的承办人可以记录联合接访"))
    if actor.organisation_id is None:
        raise Forbidden(_("没有所属组织的账号不能记录联合接访"))
    least = settings.CONCORD["GROUP_MATTER_PEOPLE"]
    if case.people_count < least:
        raise Conflict(
            _("联合接访仅适用于涉及%(least)d人以上的群体性事项，本事项涉及%(count)d人")
            % {"least": least, "count": case.people_count},
            field="people_count",
        )
    _require_open(case, _("记录联合接访"))
    now = timezone.now()
    errors: dict[str, str] = {}
    earliest = timezone.make_aware(
        dt.datetime.combine(timezone.localdate(case.received_at), dt.time.min)
    )
    received_at = _past(errors, "received_at", received_at, _("接访时间"), now, earliest)
    place = checked_text(errors, "place", place, _("接访地点"), ADDRESS_MAX)
    orgs = _orgs(errors, "departments", departments, reception_orgs(), DEPARTMENTS_MAX)
    record = checked_text(errors, "record", record, _("接访记录"), DESCRIPTION_MAX)
    outcome = checked_text(errors, "outcome", outcome, _("接访结果"), COMMENT_MAX)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        reception = JointReception.objects.create(
            case=case,
            received_at=received_at,
            place=place,
            record=record,
            outcome=outcome,
            recorded_by=actor,
            recorder_org_id=actor.organisation_id,
            created_at=now,
        )
        reception.departments.set(orgs)
        record_event(
            case,
            actor=actor,
            action=Action.CONSULTATION,
            comment=_("联合接访：%(when)s，%(place)s；参加部门：%(orgs)s；结果：%(outcome)s")
            % {
                "when": local_time(received_at),
                "place": place,
                "orgs": "、".join(o.name for o in orgs),
                "outcome": outcome,
            },
            data={
                "kind": "joint_reception",
                "reception": reception.pk,
                "departments": [o.pk for o in orgs],
                "people": case.people_count,
            },
            at=now,
        )
    return reception
