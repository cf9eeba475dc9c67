"""回访: the follow-up plan a resolved case gets, the visits planned with one 回访 clock each,
recording a visit (a relapse opens a linked case), and archiving after the last one.

The visits follow the case: planned when it is resolved, cancelled when it is reopened or
archived first (`receivers`). Each visit's clock is a `follow_up` deadline started by the
FOLLOW_UP_PLANNED event with the plan's periods, and stopped by the visit's own FOLLOW_UP.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from concord.accounts.models import Role, User
from concord.accounts.permissions import can_register
from concord.cases import lifecycle
from concord.cases.choices import Action, CaseStatus, Channel
from concord.cases.models import Case, CaseEvent
from concord.cases.scope import visible_cases
from concord.cases.services import CaseDraft, PartyDraft, register_case
from concord.cases.timeline import record_event
from concord.core.errors import Conflict, Forbidden, InvalidInput
from concord.core.limits import DESCRIPTION_MAX, TITLE_MAX
from concord.deadlines.calendar import Unit
from concord.deadlines.models import Deadline
from concord.deadlines.services import cancel
from concord.deadlines.workdays import get_calendar
from concord.notifications.services import notify
from concord.orgs.models import Organisation, OrgKind

from .choices import Assignee, ReviewStatus, VisitMethod, VisitStatus
from .models import FollowUpPlan, FollowUpVisit

NODE = "follow_up"
FINDINGS_MAX = 1000
# Center staff may record any visit, as the lifecycle lets them follow up any case.
CENTER_ROLES = lifecycle.CENTER_STAFF
CLOSED_FOR_VISITS = frozenset({CaseStatus.RESOLVED, CaseStatus.RATED})


def plan_for(case: Case) -> FollowUpPlan | None:
    """The most specific active plan for the case: its own category 4, the parent category
    2, group matters 1 (a plan may name both); equal ones go to the plan created first."""
    best: tuple[int, FollowUpPlan] | None = None
    category = case.category
    for plan in FollowUpPlan.objects.filter(active=True).order_by("pk"):
        score = 0
        if plan.category_id:
            if category is None:
                continue
            if plan.category_id == category.pk:
                score += 4
            elif plan.category_id == category.parent_id:
                score += 2
            else:
                continue
        if plan.group_only:
            if not case.is_group_matter:
                continue
            score += 1
        if best is None or score > best[0]:
            best = (score, plan)
    return best[1] if best else None


def assignee_for(case: Case, plan: FollowUpPlan) -> Organisation | None:
    """Who goes back: the grid of the case's village when the plan says so and there is one,
    else the lead organisation."""
    if plan.assignee == Assignee.GRID_FIRST:
        grid = (
            Organisation.objects.filter(
                kind=OrgKind.GRID, division_id=case.division_id, active=True
            )
            .order_by("code")
            .first()
        )
        if grid is not None:
            return grid
    return case.lead_org


def plan_visits(case: Case, resolved: CaseEvent) -> None:
    """At resolution: record FOLLOW_UP_PLANNED with the plan's periods (the deadlines engine
    starts one 回访 clock per period), one visit per period linked to its clock, and tell the
    organisation that will go."""
    this_round = case.follow_up_visits.filter(round=case.reopen_count)
    if case.status != CaseStatus.RESOLVED or this_round.exists():
        return  # the event sent again (a retried job): this round has its visits
    plan = plan_for(case)
    organisation = assignee_for(case, plan) if plan else None
    if organisation is None:
        return
    at = resolved.created_at
    days = "、".join(str(d) for d in plan.offsets)
    record_event(
        case,
        actor=None,
        action=Action.FOLLOW_UP_PLANNED,
        comment=_("按「%(plan)s」于办结后第%(days)s日回访，由%(org)s负责")
        % {"plan": plan.name, "days": days, "org": organisation.name},
        data={"periods": plan.offsets, "plan": plan.pk, "organisation": organisation.pk},
        at=at,
    )
    clocks = {
        d.amount: d
        for d in Deadline.objects.filter(case=case, code=NODE, started_at=at, met_at=None)
    }
    calendar = None
    visits = []
    for number, offset in enumerate(plan.offsets, 1):
        deadline = clocks.get(offset)
        if deadline is None:  # the admin switched the 回访 node off: the visit keeps a date
            calendar = calendar or get_calendar()
            due = calendar.deadline(at, offset, Unit.CALENDAR_DAYS).at
        visits.append(
            FollowUpVisit(
                case=case,
                round=case.reopen_count,
                number=number,
                plan=plan,
                organisation=organisation,
                deadline=deadline,
                due_at=deadline.due_at if deadline else due,
            )
        )
    FollowUpVisit.objects.bulk_create(visits)
    dates = "、".join(
        _("第%(number)d次%(date)s前")
        % {"number": v.number, "date": date_format(timezone.localtime(v.due_at), "Y-m-d")}
        for v in visits
    )
    notify(
        User.objects.staff_of(organisation),
        kind="other",
        title=_("%(code)s 已办结，请按期回访：%(dates)s")
        % {"code": case.tracking_code, "dates": dates},
        case=case,
    )


def can_record(visit: FollowUpVisit, user: User) -> bool:
    """Whether the user may record this visit: the assigned organisation or center staff."""
    return (
        user.is_authenticated
        and visit.status == VisitStatus.PLANNED
        and (user.organisation_id == visit.organisation_id or user.role in CENTER_ROLES)
    )


def record_visit(
    visit: FollowUpVisit, *, actor: User, method: str, findings: str, stable
) -> FollowUpVisit:
    """Record one planned visit (any of them, in any order).

    1. Method 上门/电话, findings, and whether the dispute is stable; only the assigned
       organisation or center staff.
    2. The lifecycle's `follow_up`, naming the visit's clock so that only it stops; an
       archived case is refused by the lifecycle as read-only.
    3. A relapse (not stable) registers a new case with the same parties, category and
       place, whose parent is this case.
    4. After the last visit of the round, a resolved or rated case is archived.
    """
    if actor.organisation_id != visit.organisation_id and actor.role not in CENTER_ROLES:
        raise Forbidden(
            _("只有回访单位（%(org)s）或中心工作人员可以记录这次回访")
            % {"org": visit.organisation.name}
        )
    findings = (findings or "").strip()
    errors = {}
    if method not in VisitMethod.values:
        errors["method"] = _("请选择回访方式：上门或电话")
    if not findings:
        errors["findings"] = _("请填写回访情况")
    elif len(findings) > FINDINGS_MAX:
        errors["findings"] = _("回访情况不能超过%(max)d字") % {"max": FINDINGS_MAX}
    if not isinstance(stable, bool):
        errors["stable"] = _("请选择纠纷是否稳定")
    if errors:
        raise InvalidInput(errors)
    if not stable and not can_register(actor):
        raise Forbidden(
            _("发现反复须登记新事项，您的角色不能登记事项：请由网格员或中心工作人员记录这次回访")
        )
    with transaction.atomic():
        # The case before the visit, in the order a transition's own effects lock them.
        case = Case.objects.select_for_update().get(pk=visit.case_id)
        visit = FollowUpVisit.objects.select_for_update().get(pk=visit.pk)
        if case.status == CaseStatus.ARCHIVED:
            raise lifecycle.refusal(case, actor, Action.FOLLOW_UP)
        if visit.status != VisitStatus.PLANNED:
            raise Conflict(
                _("第%(number)d次回访%(status)s，不能再记录")
                % {"number": visit.number, "status": visit.get_status_display()},
                code="visit_closed",
            )
        relapse = None if stable else register_relapse(case, actor=actor, findings=findings)
        lifecycle.transition(
            case,
            actor=actor,
            action=Action.FOLLOW_UP,
            comment=_visit_comment(visit, method, findings, relapse),
            deadline=visit.deadline_id,
            visit=visit.pk,
        )
        visit.status = VisitStatus.DONE
        visit.method, visit.findings, visit.stable = method, findings, stable
        visit.done_by, visit.done_at, visit.relapse = actor, timezone.now(), relapse
        # Not the whole row: the event's listener has tied it to the event (`follow_up`).
        visit.save(
            update_fields=[
                "status",
                "method",
                "findings",
                "stable",
                "done_by",
                "done_at",
                "relapse",
            ]
        )
        archive_if_done(case)
    return visit


def _visit_comment(visit: FollowUpVisit, method: str, findings: str, relapse: Case | None):
    how = VisitMethod(method).label
    if relapse is None:
        return _("第%(number)d次回访（%(how)s，情况稳定）：%(findings)s") % {
            "number": visit.number,
            "how": how,
            "findings": findings,
        }
    return _("第%(number)d次回访（%(how)s，发现反复，已登记新事项%(code)s）：%(findings)s") % {
        "number": visit.number,
        "how": how,
        "code": relapse.tracking_code,
        "findings": findings,
    }


def register_relapse(case: Case, *, actor: User, findings: str) -> Case:
    """A relapse found on a visit: a new case with the same parties, category and place,
    registered by the visitor, whose parent is the case visited."""
    category = case.category.code if case.category and case.category.active else ""
    parties = [
        PartyDraft(p.role, p.name, p.id_number, p.phone, p.address) for p in case.parties.all()
    ]
    draft = CaseDraft(
        type=case.type,
        channel=Channel.GRID if actor.role == Role.GRID else Channel.OTHER,
        title=(_("回访发现反复：") + case.title)[:TITLE_MAX],
        description=(_("回访发现反复：") + findings)[:DESCRIPTION_MAX],
        category=category,
        division=case.division_id,
        address=case.address,
        people_count=case.people_count,
        risk_level=case.risk_level,
        parties=parties,
    )
    relapse = register_case(actor=actor, draft=draft)
    Case.objects.filter(pk=relapse.pk).update(parent=case)
    relapse.parent = case
    return relapse


def archive_if_done(case: Case) -> None:
    """Archive a resolved or rated case whose visits of this round are all done, unless a
    dissatisfied rating still waits for its review (archiving would forbid the reopen)."""
    case = Case.objects.get(pk=case.pk)
    if case.status not in CLOSED_FOR_VISITS:
        return
    visits = case.follow_up_visits.filter(round=case.reopen_count)
    if not visits.filter(status=VisitStatus.DONE).exists():
        return
    if visits.filter(status=VisitStatus.PLANNED).exists():
        return
    if case.reviews.filter(status=ReviewStatus.OPEN).exists():
        return
    lifecycle.transition(
        case, actor=None, action=Action.ARCHIVE, comment=_("最后一次回访已完成，自动归档")
    )


def cancel_planned(case: Case, event: CaseEvent) -> None:
    """Reopened or archived before its visits: the planned ones (a reopen: those of the
    rounds before it) are cancelled and their clocks removed, so that nothing stays overdue;
    a reopened case plans anew when it is resolved again."""
    planned = FollowUpVisit.objects.filter(case=case, status=VisitStatus.PLANNED)
    if event.action == Action.REOPEN:
        planned = planned.filter(round__lt=case.reopen_count)
    clocks = [pk for pk in planned.values_list("deadline_id", flat=True) if pk]
    planned.update(status=VisitStatus.CANCELLED)
    cancel(Deadline.objects.filter(pk__in=clocks))


def link_follow_up(case: Case, event: CaseEvent) -> None:
    """Tie each `follow_up` event to its visit. One that names no visit (the generic action,
    another system through the transitions API) counts for the planned visit due first, as
    the deadlines engine met that visit's clock; archiving is left to whoever took it."""
    if FollowUpVisit.objects.filter(follow_up=event).exists():
        return  # the event sent again (a retried job)
    named = (event.data or {}).get("visit")
    if named is not None:
        FollowUpVisit.objects.filter(pk=named, case=case).update(follow_up=event)
        return
    visit = (
        FollowUpVisit.objects.filter(case=case, status=VisitStatus.PLANNED)
        .order_by(Coalesce("deadline__due_at", "due_at"), "number")
        .first()
    )
    if visit is None:
        return
    FollowUpVisit.objects.filter(pk=visit.pk).update(
        status=VisitStatus.DONE,
        findings=event.comment,
        done_by=event.actor,
        done_at=event.created_at,
        follow_up=event,
    )


def visits_to_do(user: User) -> QuerySet[FollowUpVisit]:
    """Planned visits the user's organisation owes (center staff: every one in their
    scope), due first."""
    visits = FollowUpVisit.objects.filter(
        status=VisitStatus.PLANNED, case__in=visible_cases(user).values("pk")
    )
    if user.role not in CENTER_ROLES:
        visits = visits.filter(organisation_id=user.organisation_id)
    return visits.select_related("case", "organisation", "deadline").order_by(
        Coalesce("deadline__due_at", "due_at"), "pk"
    )
