"""The closed loop 受理 → 流转 → 办理 → 评价 → 回访: the one state machine of a case.

`transition()` is the only code that changes `Case.status`. Each call is one transaction:
check the rule, compare-and-set the case row on (status, version) so that of two people acting
at once exactly one wins, apply the action's effects on tasks, and write the timeline event.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, ngettext, pgettext

from concord.accounts.models import Role, User
from concord.core.errors import Conflict, Forbidden, InvalidInput, ServiceError
from concord.core.limits import COMMENT_MAX
from concord.geo.models import DivisionLevel
from concord.orgs.models import Organisation, OrgKind

from .choices import (
    ACTIVE_TASK_STATUSES,
    Action,
    CaseStatus,
    Result,
    Satisfaction,
    TaskRole,
    TaskStatus,
)
from .models import Case, CaseEvent, Task
from .signals import event_recorded

S = CaseStatus
CENTER_STAFF = frozenset({Role.CLERK, Role.DISPATCHER, Role.ADMIN})
HANDLERS = frozenset({Role.HANDLER, Role.MEDIATOR})


@dataclass(frozen=True)
class Rule:
    sources: frozenset[str]
    roles: frozenset[str]
    # Which task the actor's organisation must hold: None (no task needed), "lead" or "any".
    task: str | None = None
    task_statuses: frozenset[str] = ACTIVE_TASK_STATUSES
    needs_comment: bool = False


RULES: dict[str, Rule] = {
    Action.ACCEPT: Rule(frozenset({S.REGISTERED}), CENTER_STAFF),
    Action.REFUSE: Rule(frozenset({S.REGISTERED}), CENTER_STAFF, needs_comment=True),
    Action.REFER: Rule(frozenset({S.REGISTERED, S.ACCEPTED}), CENTER_STAFF, needs_comment=True),
    Action.ASSIGN: Rule(frozenset({S.ACCEPTED}), frozenset({Role.DISPATCHER, Role.ADMIN})),
    Action.SIGN: Rule(
        frozenset({S.ASSIGNED, S.IN_PROGRESS, S.PAUSED}),
        HANDLERS,
        task="any",
        task_statuses=frozenset({TaskStatus.PENDING}),
    ),
    Action.ANSWER: Rule(
        frozenset({S.ASSIGNED, S.IN_PROGRESS, S.PAUSED}),
        HANDLERS,
        task="assist",
        task_statuses=frozenset({TaskStatus.SIGNED}),
        needs_comment=True,
    ),
    Action.RETURN: Rule(
        frozenset({S.ASSIGNED, S.IN_PROGRESS}), HANDLERS, task="any", needs_comment=True
    ),
    Action.PAUSE: Rule(
        frozenset({S.IN_PROGRESS}),
        HANDLERS,
        task="lead",
        task_statuses=frozenset({TaskStatus.SIGNED}),
        needs_comment=True,
    ),
    Action.RESUME: Rule(
        frozenset({S.PAUSED}), HANDLERS, task="lead", task_statuses=frozenset({TaskStatus.SIGNED})
    ),
    Action.RESOLVE: Rule(
        frozenset({S.IN_PROGRESS}),
        HANDLERS,
        task="lead",
        task_statuses=frozenset({TaskStatus.SIGNED}),
    ),
    Action.RATE: Rule(frozenset({S.RESOLVED}), CENTER_STAFF),
    Action.FOLLOW_UP: Rule(
        frozenset({S.RESOLVED, S.RATED}),
        CENTER_STAFF | frozenset({Role.GRID}) | HANDLERS,
        needs_comment=True,
    ),
    Action.ARCHIVE: Rule(
        frozenset({S.RATED, S.RESOLVED, S.REFUSED, S.REFERRED}),
        frozenset({Role.DISPATCHER, Role.ADMIN}),
    ),
    Action.REOPEN: Rule(
        frozenset({S.RESOLVED, S.RATED}),
        frozenset({Role.DISPATCHER, Role.ADMIN}),
        needs_comment=True,
    ),
    # Only after signing: before that, "not ours" is a return, not an escalation.
    Action.ESCALATE: Rule(
        frozenset({S.IN_PROGRESS}),
        HANDLERS,
        task="lead",
        task_statuses=frozenset({TaskStatus.SIGNED}),
        needs_comment=True,
    ),
    Action.DELEGATE: Rule(
        frozenset({S.ASSIGNED, S.IN_PROGRESS}),
        frozenset({Role.DISPATCHER, Role.ADMIN}),
        needs_comment=True,
    ),
}


@dataclass
class Step:
    """What one action does beyond the status: computed before the compare-and-set."""

    to_status: str
    changes: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)
    after: Callable[[Case], None] | None = None


def actor_task(case: Case, user: User | None, rule: Rule) -> Task | None:
    """The task of the actor's organisation that this rule acts on, if any."""
    if rule.task is None or user is None or user.organisation_id is None:
        return None
    tasks = case.tasks.filter(organisation_id=user.organisation_id, status__in=rule.task_statuses)
    if rule.task in (TaskRole.LEAD, TaskRole.ASSIST):
        tasks = tasks.filter(role=rule.task)
    return tasks.order_by("role").first()


def refusal(case: Case, user: User | None, action: str) -> ServiceError | None:
    """Why `user` may not take `action` on `case` now, or None when they may. No user is the
    system or a citizen through a verified link (see `transition`): only the state counts,
    for actions that need no task."""
    rule = RULES.get(action)
    if rule is None:
        names = _list(RULES)
        return InvalidInput(
            {
                "action": gettext("未知操作「%(action)s」，可用操作：%(names)s")
                % {"action": action, "names": names}
            }
        )
    label = Action(action).label
    if case.merged_into_id:
        return Conflict(
            gettext("该事项已并入其他事项，请在该事项中办理，不能%(action)s") % {"action": label},
            code="merged",
        )
    if case.status == S.ARCHIVED:
        return Conflict(
            gettext("事项已归档，只能查阅，不能%(action)s") % {"action": label},
            code="illegal_transition",
        )
    if case.status not in rule.sources:
        if user is None:
            return Conflict(
                gettext("事项当前状态为「%(status)s」，不能%(action)s")
                % {"status": case.status_choice.label, "action": label},
                code="illegal_transition",
            )
        allowed = _list(Action(a).label for a in available_actions(case, user)) or pgettext(
            "no actions available", "无"
        )
        return Conflict(
            gettext("事项当前状态为「%(status)s」，不能%(action)s。您现在可执行的操作：%(allowed)s")
            % {"status": case.status_choice.label, "action": label, "allowed": allowed},
            code="illegal_transition",
        )
    if user is None:
        if rule.task:
            return Forbidden(gettext("%(action)s须由承办单位人员办理") % {"action": label})
        return None
    if user.role not in rule.roles:
        return Forbidden(
            gettext("%(role)s不能%(action)s") % {"role": Role(user.role).label, "action": label}
        )
    if (
        action == Action.FOLLOW_UP
        and user.role in HANDLERS
        and case.lead_org_id != user.organisation_id
    ):
        return Forbidden(gettext("只有主办单位可以%(action)s") % {"action": label})
    if rule.task and actor_task(case, user, rule) is None:
        return Forbidden(gettext("本单位在该事项中没有可%(action)s的工单") % {"action": label})
    return None


def available_actions(case: Case, user: User) -> list[str]:
    """The actions this user may take on this case now, in lifecycle order."""
    return [
        action
        for action, rule in RULES.items()
        if case.status in rule.sources and refusal(case, user, action) is None
    ]


def transition(
    case: Case,
    *,
    actor: User | None,
    action: str,
    comment: str = "",
    version: int | None = None,
    **params,
) -> Case:
    """Take one lifecycle action on a case and return the case as it now stands.

    1. Lock the case row and read it afresh. If it moved since the caller looked (or differs
       from the `version` the caller names) and the action no longer fits, answer a conflict
       that names the current state.
    2. Refuse an unknown action, a state that does not allow it, a role that may not take it,
       or an organisation without the task it needs; refuse missing or bad parameters.
    3. Compare-and-set the row on status and version (the guard where rows cannot be locked),
       apply the action's effects on tasks and write the timeline event: one transaction.

    `actor=None` is the system (archiving after the last follow-up visit) or a citizen acting
    through a link the caller has verified (the signed rating link): the role and task checks
    are skipped and the event has no actor. Pages and the API always pass the signed-in user;
    never pass None on a user's behalf.
    """
    comment = (comment or "").strip()
    with transaction.atomic():
        current = Case.objects.select_for_update().filter(pk=case.pk).first()
        if current is None:
            raise Conflict(gettext("该事项已不存在"))
        moved = current.version != case.version
        if version is not None and version != current.version:
            raise _moved(current)
        if problem := refusal(current, actor, action):
            raise _moved(current) if moved and not isinstance(problem, InvalidInput) else problem
        rule = RULES[action]
        if rule.needs_comment and not comment:
            raise InvalidInput(
                {
                    "comment": gettext("%(action)s须填写说明或理由")
                    % {"action": Action(action).label}
                }
            )
        if len(comment) > COMMENT_MAX:
            raise InvalidInput(
                {
                    "comment": ngettext(
                        "说明不能超过%(limit)d字", "说明不能超过%(limit)d字", COMMENT_MAX
                    )
                    % {"limit": COMMENT_MAX}
                }
            )
        now = timezone.now()
        params = {**params, "comment": comment}
        step = STEPS[action](current, actor, actor_task(current, actor, rule), now, params)
        updated = Case.objects.filter(
            pk=current.pk, status=current.status, version=current.version
        ).update(status=step.to_status, version=F("version") + 1, updated_at=now, **step.changes)
        if not updated:
            raise _moved(Case.objects.get(pk=current.pk))
        if step.after:
            step.after(current)
        event = CaseEvent.objects.create(
            case=current,
            created_at=now,
            actor=actor,
            actor_org_id=actor.organisation_id if actor else None,
            action=action,
            from_status=current.status,
            to_status=step.to_status,
            comment=comment,
            data=step.data,
        )
        current.refresh_from_db()
        event_recorded.send(sender=Case, case=current, event=event)
    return current


def _moved(current: Case) -> Conflict:
    return Conflict(
        gettext("该事项刚被他人处理（当前状态：%(status)s），请刷新后再试")
        % {"status": current.status_choice.label},
        code="conflict",
    )


def _list(items) -> str:
    """Items joined for a message, the way the language writes a list (、 in Chinese)."""
    return pgettext("list separator", "、").join(str(item) for item in items)


# Each step function: (case, actor, the actor's task or None, now, params) -> Step.


def _accept(case, actor, task, now, params) -> Step:
    return Step(S.ACCEPTED, {"accepted_at": now})


def _close(to_status: str):
    def step(case, actor, task, now, params) -> Step:
        return Step(to_status, {"closed_at": now})

    return step


def _assign(case, actor, task, now, params) -> Step:
    lead, assisting = _organisations(params.get("lead_org"), params.get("assisting_orgs") or [])

    def create_tasks(case: Case) -> None:
        Task.objects.bulk_create(
            [Task(case=case, organisation=lead, role=TaskRole.LEAD, assigned_at=now)]
            + [
                Task(case=case, organisation=o, role=TaskRole.ASSIST, assigned_at=now)
                for o in assisting
            ]
        )

    return Step(
        S.ASSIGNED,
        {"lead_org": lead, "handling_level": lead.level, "assigned_at": now},
        {"lead_org": lead.pk, "assisting_orgs": [o.pk for o in assisting]},
        create_tasks,
    )


def _organisations(lead_id, assisting_ids) -> tuple[Organisation, list[Organisation]]:
    errors = {}
    if not isinstance(assisting_ids, list) or not all(isinstance(i, int) for i in assisting_ids):
        raise InvalidInput({"assisting_orgs": gettext("协办单位应为组织编号列表")})
    lead = None
    if not isinstance(lead_id, int):
        errors["lead_org"] = gettext("请选择主办单位")
    else:
        lead = (
            Organisation.objects.select_related("division").filter(pk=lead_id, active=True).first()
        )
        if lead is None:
            errors["lead_org"] = gettext("主办单位 %(id)s 不存在或已停用") % {"id": lead_id}
    found = {o.pk: o for o in Organisation.objects.filter(pk__in=assisting_ids, active=True)}
    if missing := [i for i in assisting_ids if i not in found]:
        errors["assisting_orgs"] = gettext("协办单位不存在或已停用：%(ids)s") % {"ids": missing}
    elif lead_id in found or len(set(assisting_ids)) != len(assisting_ids):
        errors["assisting_orgs"] = gettext("协办单位不能重复，也不能与主办单位相同")
    if errors:
        raise InvalidInput(errors)
    return lead, [found[i] for i in assisting_ids]


def _sign(case, actor, task, now, params) -> Step:
    def sign_task(case: Case) -> None:
        _update_task(
            task, TaskStatus.PENDING, status=TaskStatus.SIGNED, signed_at=now, signed_by=actor
        )

    is_lead = task.role == TaskRole.LEAD
    to_status = S.IN_PROGRESS if is_lead and case.status == S.ASSIGNED else case.status
    return Step(to_status, data={"task": task.pk, "role": task.role}, after=sign_task)


def _answer(case, actor, task, now, params) -> Step:
    def answer_task(case: Case) -> None:
        _update_task(
            task,
            TaskStatus.SIGNED,
            status=TaskStatus.ANSWERED,
            answered_at=now,
            answer=params["comment"],
        )

    return Step(case.status, data={"task": task.pk}, after=answer_task)


def _return(case, actor, task, now, params) -> Step:
    """A task sent back as "not ours": a returned lead task sends the case back to dispatch."""

    def return_task(case: Case) -> None:
        _update_task(
            task,
            task.status,
            status=TaskStatus.RETURNED,
            returned_at=now,
            return_reason=params["comment"],
        )
        if task.role == TaskRole.LEAD:
            # The assisting shares go with the lead: dispatch starts afresh.
            case.tasks.filter(status__in=ACTIVE_TASK_STATUSES).update(status=TaskStatus.CANCELLED)

    changes = {"hop_count": F("hop_count") + 1}
    to_status = case.status
    if task.role == TaskRole.LEAD:
        to_status = S.ACCEPTED
        changes |= {"lead_org": None, "handling_level": ""}
    data = {"task": task.pk, "role": task.role, "organisation": task.organisation_id}
    return Step(to_status, changes, data, return_task)


def _pause(case, actor, task, now, params) -> Step:
    return Step(S.PAUSED)


def _resume(case, actor, task, now, params) -> Step:
    return Step(S.IN_PROGRESS)


def _resolve(case, actor, task, now, params) -> Step:
    result = params.get("result")
    reply = (params.get("reply") or "").strip()
    errors = {}
    if result not in Result.values:
        errors["result"] = gettext("请选择办理结果：%(choices)s") % {
            "choices": _list(Result.labels)
        }
    if not reply:
        errors["reply"] = gettext("请填写答复内容")
    elif len(reply) > COMMENT_MAX:
        errors["reply"] = ngettext(
            "答复内容不能超过%(limit)d字", "答复内容不能超过%(limit)d字", COMMENT_MAX
        ) % {"limit": COMMENT_MAX}
    if errors:
        raise InvalidInput(errors)

    def close_tasks(case: Case) -> None:
        _update_task(task, TaskStatus.SIGNED, status=TaskStatus.DONE)
        case.tasks.filter(status__in=ACTIVE_TASK_STATUSES).update(status=TaskStatus.DONE)

    changes = {"result": result, "reply": reply, "resolved_at": now}
    return Step(S.RESOLVED, changes, {"result": result}, close_tasks)


def _rate(case, actor, task, now, params) -> Step:
    satisfaction = params.get("satisfaction")
    if satisfaction not in Satisfaction.values:
        raise InvalidInput(
            {
                "satisfaction": gettext("请选择满意度：%(choices)s")
                % {"choices": _list(Satisfaction.labels)}
            }
        )
    changes = {
        "satisfaction": satisfaction,
        "rating_comment": (params.get("comment") or "").strip(),
    }
    data = {"satisfaction": satisfaction}
    # How the rating was taken (a citizen's link, a phone call), for the evaluation records.
    if channel := params.get("channel"):
        if not isinstance(channel, str) or not channel.isidentifier() or len(channel) > 16:
            raise InvalidInput({"channel": gettext("评价渠道无效")})
        data["channel"] = channel
    return Step(S.RATED, changes, data)


def _follow_up(case, actor, task, now, params) -> Step:
    """A follow-up visit: when the caller names the planned visit and its 回访 clock, the
    event carries them, so that only that clock stops (deadlines.services.track)."""
    data = {}
    for name in ("deadline", "visit"):
        value = params.get(name)
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool):
            raise InvalidInput({name: gettext("回访记录编号应为整数")})
        data[name] = value
    return Step(case.status, data=data)


def _reopen(case, actor, task, now, params) -> Step:
    """Back to handling by the same lead organisation; the rating round starts again."""

    def reopen_lead_task(case: Case) -> None:
        case.tasks.filter(role=TaskRole.LEAD, status=TaskStatus.DONE).update(
            status=TaskStatus.SIGNED
        )

    changes = {
        "reopen_count": F("reopen_count") + 1,
        "result": "",
        "satisfaction": "",
        "rating_comment": "",
    }
    return Step(S.IN_PROGRESS, changes, after=reopen_lead_task)


def _escalate(case, actor, task, now, params) -> Step:
    """Up one level: a village committee's case goes to its town center; a town's (or any
    other organisation's) goes back to the county center's dispatch."""
    lead = task.organisation
    parent = lead.parent
    to_town = parent is not None and parent.active and parent.kind == OrgKind.TOWN_CENTER
    data = {"task": task.pk, "from": lead.pk, "to": parent.pk if to_town else None}

    def hand_up(case: Case) -> None:
        _update_task(
            task,
            task.status,
            status=TaskStatus.ESCALATED,
            returned_at=now,
            return_reason=params["comment"],
        )
        case.tasks.filter(status__in=ACTIVE_TASK_STATUSES).update(status=TaskStatus.CANCELLED)
        if to_town:
            Task.objects.create(case=case, organisation=parent, role=TaskRole.LEAD, assigned_at=now)

    if to_town:
        changes = {"lead_org": parent, "handling_level": parent.level, "assigned_at": now}
        return Step(S.ASSIGNED, changes, data, hand_up)
    changes = {"lead_org": None, "handling_level": DivisionLevel.COUNTY}
    return Step(S.ACCEPTED, changes, data, hand_up)


def _delegate(case, actor, task, now, params) -> Step:
    """Down from the county to the town center or village committee where the case is."""
    if case.handling_level != DivisionLevel.COUNTY:
        raise Conflict(gettext("只有县级办理的事项可以下交"), code="illegal_transition")
    target_id = params.get("lead_org")
    target = None
    if isinstance(target_id, int) and not isinstance(target_id, bool):
        target = Organisation.objects.filter(
            pk=target_id,
            active=True,
            kind__in=(OrgKind.TOWN_CENTER, OrgKind.VILLAGE_COMMITTEE),
            division_id__in=[case.town_id, case.division_id],
        ).first()
    if target is None:
        raise InvalidInput(
            {"lead_org": gettext("请选择事项所在镇街的矛调中心或所在村（社区）的调委会")}
        )

    def hand_down(case: Case) -> None:
        case.tasks.filter(status__in=ACTIVE_TASK_STATUSES).update(status=TaskStatus.CANCELLED)
        Task.objects.create(case=case, organisation=target, role=TaskRole.LEAD, assigned_at=now)

    changes = {"lead_org": target, "handling_level": target.level, "assigned_at": now}
    data = {"from": case.lead_org_id, "to": target.pk}
    return Step(S.ASSIGNED, changes, data, hand_down)


def _update_task(task: Task, from_status: str, **changes) -> None:
    if not Task.objects.filter(pk=task.pk, status=from_status).update(**changes):
        raise Conflict(gettext("该工单刚被他人处理，请刷新后再试"))


STEPS: dict[str, Callable[..., Step]] = {
    Action.ACCEPT: _accept,
    Action.REFUSE: _close(S.REFUSED),
    Action.REFER: _close(S.REFERRED),
    Action.ASSIGN: _assign,
    Action.SIGN: _sign,
    Action.ANSWER: _answer,
    Action.RETURN: _return,
    Action.PAUSE: _pause,
    Action.RESUME: _resume,
    Action.RESOLVE: _resolve,
    Action.RATE: _rate,
    Action.FOLLOW_UP: _follow_up,
    Action.ARCHIVE: _close(S.ARCHIVED),
    Action.REOPEN: _reopen,
    Action.ESCALATE: _escalate,
    Action.DELEGATE: _delegate,
}
