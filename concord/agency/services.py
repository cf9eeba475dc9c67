"""信访代办 services: assign (or reassign) an agent to a petition or dispute, log the errands
the agent runs, and finish the agency with a closing note.

Who assigns: a clerk, dispatcher or the admin, or a handler of the organisation leading the
case. The agent is an active staff member of the county center or of the case's town center
(so the agent always sees the case). Only the agent logs errands; the agent or an assigner
finishes.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.accounts.models import Role, User
from concord.cases.choices import OPEN_STATUSES, Action, CaseStatus, CaseType
from concord.cases.models import Case
from concord.cases.scope import visible_cases
from concord.cases.timeline import record_event
from concord.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from concord.core.limits import COMMENT_MAX, NAME_MAX, checked_text
from concord.notifications.services import Notice, notify_many
from concord.orgs.models import OrgKind

from .models import Agency, AgencyStatus, Errand

ASSIGNER_ROLES = frozenset({Role.CLERK, Role.DISPATCHER, Role.ADMIN})
AGENCY_TYPES = frozenset({CaseType.PETITION, CaseType.DISPUTE})


def can_assign(user: User, case: Case) -> bool:
    if not user.is_authenticated:
        return False
    if user.role in ASSIGNER_ROLES:
        return True
    return (
        user.role == Role.HANDLER
        and user.organisation_id is not None
        and user.organisation_id == case.lead_org_id
    )


def can_finish(user: User, agency: Agency) -> bool:
    return user.pk == agency.agent_id or can_assign(user, agency.case)


def eligible_agents(case: Case) -> QuerySet[User]:
    """Staff of the county center and of the case's town center."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(organisation__kind=OrgKind.COUNTY_CENTER)
            | Q(organisation__kind=OrgKind.TOWN_CENTER, organisation__division_id=case.town_id)
        )
        .select_related("organisation")
        .order_by("organisation__kind", "organisation__code", "username")
    )


def visible_agencies(user: User) -> QuerySet[Agency]:
    if not user.is_authenticated:
        return Agency.objects.none()
    return Agency.objects.filter(Q(case__in=visible_cases(user).values("pk")) | Q(agent=user))


def get_visible_agency(user: User, agency_id: int) -> Agency:
    try:
        return visible_agencies(user).select_related("case", "agent").get(pk=agency_id)
    except (Agency.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("信访代办不存在")) from None


def with_last_errand(agencies: QuerySet[Agency]) -> QuerySet[Agency]:
    """Annotate `last_at`, `last_department` and `last_what`: the latest errand, one query."""
    latest = Errand.objects.filter(agency=OuterRef("pk")).order_by("-at", "-pk")
    return agencies.annotate(
        last_at=Subquery(latest.values("at")[:1]),
        last_department=Subquery(latest.values("department")[:1]),
        last_what=Subquery(latest.values("what")[:1]),
    )


def days_since(agency: Agency, last_errand_at: dt.datetime | None, today: dt.date) -> int:
    """Whole days since the last errand (or since the assignment, before any errand)."""
    return (today - timezone.localdate(last_errand_at or agency.assigned_at)).days


def assign(
    case: Case, *, actor: User, agent: int | User | None, note: str = "", reassign: bool = False
) -> Agency:
    """Give the case an agent. With an agent already active, only as a reassignment
    (`reassign`): the old agency ends as 已改派 and both steps go on the timeline."""
    if not can_assign(actor, case):
        raise Forbidden(_("只有窗口受理员、调度员、管理员或主办单位的承办人可以指派代办员"))
    if case.type not in AGENCY_TYPES:
        raise Conflict(_("信访代办只适用于信访件和矛盾纠纷"))
    if case.status not in OPEN_STATUSES:
        raise Conflict(
            _("事项当前状态为「%(status)s」，不能指派代办员")
            % {"status": CaseStatus(case.status).label}
        )
    errors: dict[str, str] = {}
    pk = getattr(agent, "pk", agent)
    chosen = None
    if pk is None or pk == "":
        errors["agent"] = _("请选择代办员")
    elif not isinstance(pk, int) or isinstance(pk, bool):
        errors["agent"] = _("代办员应以账号编号表示")
    else:
        chosen = eligible_agents(case).filter(pk=pk).first()
        if chosen is None:
            errors["agent"] = _("代办员应为区矛调中心或事项所在镇街矛调中心的在岗人员")
    note = checked_text(errors, "note", note, _("代办要求"), COMMENT_MAX, required=False)
    if errors:
        raise InvalidInput(errors)
    now = timezone.now()
    try:
        with transaction.atomic():
            Case.objects.select_for_update().filter(pk=case.pk).first()
            current = case.agencies.filter(status=AgencyStatus.ACTIVE).select_related("agent")
            current = current.first()
            notices = [Notice([chosen], "other", _assigned_title(case), note, case)]
            if current is not None:
                if current.agent_id == chosen.pk:
                    raise Conflict(_("%(name)s已是该事项的代办员") % {"name": current.agent})
                if not reassign:
                    raise Conflict(
                        _("该事项已由%(name)s代办，如需更换请改派") % {"name": current.agent}
                    )
                _end(current, actor, AgencyStatus.REASSIGNED, "", now)
                record_event(
                    case,
                    actor=actor,
                    action=Action.AGENCY,
                    comment=_("改派代办员：%(old)s → %(new)s")
                    % {"old": current.agent, "new": chosen},
                    data={"step": "reassigned", "agency": current.pk, "agent": current.agent_id},
                    at=now,
                )
                title = _("%(code)s 信访代办已改派给%(new)s") % {
                    "code": case.tracking_code,
                    "new": chosen,
                }
                notices.append(Notice([current.agent], "other", title, "", case))
            agency = Agency.objects.create(
                case=case, agent=chosen, assigned_by=actor, assigned_at=now, note=note
            )
            record_event(
                case,
                actor=actor,
                action=Action.AGENCY,
                comment=_("指派代办员：%(name)s") % {"name": chosen}
                + (_("；代办要求：%(note)s") % {"note": note} if note else ""),
                data={"step": "assigned", "agency": agency.pk, "agent": chosen.pk},
                at=now,
            )
            notify_many(notices)
    except IntegrityError:
        raise Conflict(_("该事项已有代办员，请刷新后再试")) from None
    return agency


def _assigned_title(case: Case) -> str:
    return _("%(code)s 您被指派为信访代办员：%(title)s") % {
        "code": case.tracking_code,
        "title": case.title,
    }


def _end(agency: Agency, actor: User, status: str, note: str, now: dt.datetime) -> None:
    """Compare-and-set the agency from active to `status`; Conflict when someone was first."""
    changed = Agency.objects.filter(pk=agency.pk, status=AgencyStatus.ACTIVE).update(
        status=status, ended_at=now, ended_by=actor, closing_note=note
    )
    if not changed:
        raise Conflict(_("该代办已结束"))


def log_errand(
    agency: Agency,
    *,
    actor: User,
    department: str,
    what: str,
    result: str,
    next_step: str = "",
    at: dt.datetime | None = None,
) -> Errand:
    """One errand in the log, by the agent, on an active agency. `at` defaults to now; it may
    not be in the future nor before the day the agency began."""
    if actor.pk != agency.agent_id:
        raise Forbidden(_("只有代办员本人可以记录代办情况"))
    if not agency.is_active:
        raise Conflict(
            _("该代办%(status)s，不能再记录代办情况") % {"status": agency.get_status_display()}
        )
    now = timezone.now()
    errors: dict[str, str] = {}
    if at is None:
        at = now
    elif not isinstance(at, dt.datetime):
        errors["at"] = _("办理时间格式不正确")
    else:
        if timezone.is_naive(at):
            at = timezone.make_aware(at)
        if at > now:
            errors["at"] = _("办理时间不能是将来的时间")
        elif timezone.localdate(at) < timezone.localdate(agency.assigned_at):
            errors["at"] = _("办理时间不能早于指派代办的日期")
    department = checked_text(errors, "department", department, _("前往部门"), NAME_MAX)
    what = checked_text(errors, "what", what, _("办理事项"), COMMENT_MAX)
    result = checked_text(errors, "result", result, _("办理结果"), COMMENT_MAX)
    next_step = checked_text(
        errors, "next_step", next_step, _("下一步"), COMMENT_MAX, required=False
    )
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        # Finishing at the same moment: the errand goes in only while the agency is active.
        if (
            not Agency.objects.select_for_update()
            .filter(pk=agency.pk, status=AgencyStatus.ACTIVE)
            .exists()
        ):
            raise Conflict(_("该代办已结束，不能再记录代办情况"))
        return Errand.objects.create(
            agency=agency,
            at=at,
            department=department,
            what=what,
            result=result,
            next_step=next_step,
            recorded_by=actor,
            created_at=now,
        )


def finish(agency: Agency, *, actor: User, note: str) -> Agency:
    """End the agency with a closing note (what was achieved for the citizen)."""
    if not can_finish(actor, agency):
        raise Forbidden(_("只有代办员本人或指派人员可以办结代办"))
    errors: dict[str, str] = {}
    note = checked_text(errors, "note", note, _("办结说明"), COMMENT_MAX)
    if errors:
        raise InvalidInput(errors)
    now = timezone.now()
    with transaction.atomic():
        _end(agency, actor, AgencyStatus.FINISHED, note, now)
        record_event(
            agency.case,
            actor=actor,
            action=Action.AGENCY,
            comment=_("信访代办办结（代办员：%(name)s）：%(note)s")
            % {"name": agency.agent, "note": note},
            data={"step": "finished", "agency": agency.pk, "agent": agency.agent_id},
            at=now,
        )
    agency.refresh_from_db()
    return agency
