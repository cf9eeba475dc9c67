"""What the citizen sees of a case: its state and its steps in plain words.

Only what the applicant may know: when each step happened, which organisation handles it, the
result and the reply written for them, their own rating. Never the other parties, the staff's
names, internal notes (a pause's reason, a summons, a supervision), or the risk level.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concord.cases.choices import Action, CaseStatus, Result, Satisfaction, TaskRole
from concord.cases.models import Case, CaseEvent
from concord.evaluation.models import Rating
from concord.evaluation.ratings import rated_this_round
from concord.orgs.models import Organisation

S = CaseStatus

# The case's state as the citizen reads it, and its badge colour.
STATES = {
    S.REGISTERED: (gettext_lazy("待受理"), "slate"),
    S.ACCEPTED: (gettext_lazy("已受理，正在安排承办单位"), "blue"),
    S.ASSIGNED: (gettext_lazy("已交办"), "indigo"),
    S.IN_PROGRESS: (gettext_lazy("办理中"), "amber"),
    S.PAUSED: (gettext_lazy("暂停办理"), "purple"),
    S.RESOLVED: (gettext_lazy("已办结，请您评价"), "green"),
    S.RATED: (gettext_lazy("已评价"), "teal"),
    S.ARCHIVED: (gettext_lazy("已办结"), "grey"),
    S.REFUSED: (gettext_lazy("不予受理"), "grey"),
    S.REFERRED: (gettext_lazy("已转其他渠道办理"), "grey"),
}

# The usual road, for the steps still ahead: (label, what happens, the state that reaches it).
ROAD = [
    (gettext_lazy("受理"), gettext_lazy("矛调中心审核并受理"), S.ACCEPTED),
    (gettext_lazy("交办"), gettext_lazy("交承办单位办理"), S.ASSIGNED),
    (gettext_lazy("办理中"), gettext_lazy("承办单位调查、调解或处理"), S.IN_PROGRESS),
    (gettext_lazy("已办结"), gettext_lazy("办结并答复您"), S.RESOLVED),
    (gettext_lazy("已评价"), gettext_lazy("您对办理结果作出评价"), S.RATED),
]
_REACHED = {
    S.REGISTERED: 0,
    S.ACCEPTED: 1,
    S.ASSIGNED: 2,
    S.IN_PROGRESS: 3,
    S.PAUSED: 3,
    S.RESOLVED: 4,
    S.RATED: 5,
}

PUBLIC_ACTIONS = (
    Action.REGISTER,
    Action.ACCEPT,
    Action.REFUSE,
    Action.REFER,
    Action.ASSIGN,
    Action.DELEGATE,
    Action.ESCALATE,
    Action.RETURN,
    Action.SIGN,
    Action.PAUSE,
    Action.RESUME,
    Action.MEDIATION_STARTED,
    Action.MEDIATION_ENDED,
    Action.RESOLVE,
    Action.RATE,
    Action.REOPEN,
    Action.REVIEW_CLOSED,
    Action.ARCHIVE,
)


@dataclass(frozen=True)
class Step:
    label: str
    text: str
    at: dt.datetime | None = None
    # Words written for the citizen: the reply, the reason for a refusal.
    detail: str = ""
    ahead: bool = False
    # The latest step taken: where the case stands.
    current: bool = False


@dataclass
class Progress:
    case: Case
    state: str
    colour: str
    organisation: str
    steps: list[Step] = field(default_factory=list)
    rating: Rating | None = None

    @property
    def can_rate(self) -> bool:
        return self.case.status == S.RESOLVED and self.rating is None


def progress(case: Case) -> Progress:
    """The case's state and steps for its applicant (three queries)."""
    events = list(
        CaseEvent.objects.filter(case=case, action__in=PUBLIC_ACTIONS).order_by("created_at", "id")
    )
    ids = {e.actor_org_id for e in events} | {
        e.data.get(key) for e in events for key in ("lead_org", "to") if isinstance(e.data, dict)
    }
    orgs = Organisation.objects.in_bulk([i for i in ids if isinstance(i, int)])
    last_resolve = next((e for e in reversed(events) if e.action == Action.RESOLVE), None)
    steps = []
    for event in events:
        step = _step(event, orgs, case.reply if event is last_resolve else "")
        if step is not None:
            steps.append(step)
    if steps:
        steps[-1] = replace(steps[-1], current=True)
    if case.status in _REACHED:
        steps += [
            Step(str(label), str(text), ahead=True)
            for label, text, _reached in ROAD[_REACHED[case.status] :]
        ]
    state, colour = STATES[case.status]
    rating = rated_this_round(case) if case.status in (S.RESOLVED, S.RATED) else None
    return Progress(
        case=case,
        state=str(state),
        colour=colour,
        organisation=case.lead_org.name if case.lead_org else _("上虞区矛调中心"),
        steps=steps,
        rating=rating,
    )


def _org(orgs: dict[int, Organisation], org_id) -> str:
    org = orgs.get(org_id) if isinstance(org_id, int) else None
    return org.name if org else _("承办单位")


def _step(event: CaseEvent, orgs: dict[int, Organisation], reply: str) -> Step | None:
    """One event in plain words, or None for an event the citizen need not see."""
    data = event.data if isinstance(event.data, dict) else {}
    at = event.created_at
    match event.action:
        case Action.REGISTER:
            return Step(_("已提交"), _("矛调中心已收到您反映的事项"), at)
        case Action.ACCEPT:
            return Step(_("受理"), _("矛调中心已受理"), at)
        case Action.REFUSE:
            return Step(_("不予受理"), _("经审核，该事项不予受理"), at, event.comment)
        case Action.REFER:
            return Step(_("已转办"), _("该事项已转其他渠道办理"), at, event.comment)
        case Action.ASSIGN | Action.DELEGATE:
            org = _org(orgs, data.get("lead_org") or data.get("to"))
            return Step(_("交办"), _("已交%(org)s办理") % {"org": org}, at)
        case Action.ESCALATE if data.get("to"):
            org = _org(orgs, data["to"])
            return Step(_("交办"), _("已上报%(org)s办理") % {"org": org}, at)
        case Action.ESCALATE | Action.RETURN if event.to_status == S.ACCEPTED:
            return Step(_("重新安排"), _("矛调中心正在重新安排承办单位"), at)
        case Action.SIGN if data.get("role") == TaskRole.LEAD:
            org = _org(orgs, event.actor_org_id)
            return Step(_("办理中"), _("%(org)s已签收，正在办理") % {"org": org}, at)
        case Action.PAUSE:
            return Step(_("暂停办理"), _("等待鉴定、当事人或其他程序，恢复后继续办理"), at)
        case Action.RESUME:
            return Step(_("恢复办理"), _("已恢复办理"), at)
        case Action.MEDIATION_STARTED:
            return Step(_("调解"), _("已开始调解"), at)
        case Action.MEDIATION_ENDED:
            return Step(_("调解"), _("调解已结束"), at)
        case Action.RESOLVE:
            result = data.get("result")
            text = _("办理结果：%(result)s") % {
                "result": Result(result).label if result in Result.values else _("已办结")
            }
            return Step(_("已办结"), text, at, reply)
        case Action.RATE:
            satisfaction = data.get("satisfaction")
            label = Satisfaction(satisfaction).label if satisfaction in Satisfaction.values else ""
            return Step(_("已评价"), _("您的评价：%(label)s") % {"label": label}, at)
        case Action.REOPEN:
            return Step(_("重新办理"), _("根据您的评价，矛调中心安排重新办理"), at)
        case Action.REVIEW_CLOSED:
            return Step(_("复核说明"), _("矛调中心已复核您的评价"), at, event.comment)
        case Action.ARCHIVE:
            return Step(_("办理完毕"), _("事项已办理完毕并归档"), at)
    return None
