"""「我的工作」: what waits for this user, oldest (most overdue) first, by role."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from concord.accounts.models import Role, User
from concord.deadlines.queries import with_urgent_deadline

from .choices import OPEN_STATUSES, CaseStatus, RiskLevel, TaskStatus
from .models import Case, Task
from .scope import visible_cases

ROWS = 10


@dataclass
class Row:
    case: Case
    since: object
    overdue: bool = False
    note: str = ""
    # The case, or the task, annotated with the case's most urgent running deadline.
    urgent: object = None


@dataclass
class Section:
    key: str
    title: str
    empty: str
    rows: list[Row] = field(default_factory=list)
    total: int = 0
    list_query: str = ""


def _case_section(
    key: str, title: str, empty: str, cases: QuerySet[Case], since: str, query: str
) -> Section:
    cases = cases.select_related("category", "town", "lead_org").order_by(since, "id")
    rows = [
        Row(case=c, since=getattr(c, since), urgent=c) for c in with_urgent_deadline(cases)[:ROWS]
    ]
    return Section(key, title, empty, rows, cases.count(), query)


def _task_section(key: str, title: str, empty: str, user: User, status: str) -> Section:
    # Until SLA policies exist, a task is late to sign after the default of one day.
    sign_due = timedelta(hours=settings.CONCORD["SIGN_DUE_HOURS"])
    now = timezone.now()
    tasks = (
        Task.objects.filter(organisation_id=user.organisation_id, status=status)
        .select_related("case__category", "case__town")
        .order_by("assigned_at", "id")
    )
    rows = [
        Row(
            case=t.case,
            since=t.assigned_at if status == TaskStatus.PENDING else t.signed_at,
            overdue=status == TaskStatus.PENDING and now - t.assigned_at > sign_due,
            note=t.get_role_display(),
            urgent=t,
        )
        for t in with_urgent_deadline(tasks, "case_id")[:ROWS]
    ]
    return Section(key, title, empty, rows, tasks.count())


def inbox_sections(user: User) -> list[Section]:
    cases = visible_cases(user)
    registered = cases.filter(status=CaseStatus.REGISTERED)
    to_dispatch = cases.filter(status=CaseStatus.ACCEPTED)
    to_rate = cases.filter(status=CaseStatus.RESOLVED)
    sections = {
        "to_accept": lambda: _case_section(
            "to_accept",
            gettext("待受理"),
            gettext("没有待受理的事项"),
            registered,
            "received_at",
            "status=registered",
        ),
        "to_dispatch": lambda: _case_section(
            "to_dispatch",
            gettext("待交办（含退回）"),
            gettext("没有待交办的事项"),
            to_dispatch,
            "accepted_at",
            "status=accepted",
        ),
        "to_rate": lambda: _case_section(
            "to_rate",
            gettext("待评价"),
            gettext("没有待评价的事项"),
            to_rate,
            "resolved_at",
            "status=resolved",
        ),
        "to_sign": lambda: _task_section(
            "to_sign", gettext("待签收"), gettext("没有待签收的工单"), user, TaskStatus.PENDING
        ),
        "handling": lambda: _task_section(
            "handling", gettext("办理中"), gettext("没有办理中的工单"), user, TaskStatus.SIGNED
        ),
        "high_risk": lambda: _case_section(
            "high_risk",
            gettext("红橙风险在办事项"),
            gettext("没有红色或橙色风险的在办事项"),
            cases.filter(
                status__in=OPEN_STATUSES, risk_level__in=[RiskLevel.RED, RiskLevel.ORANGE]
            ),
            "received_at",
            "status=open&risk_level=red",
        ),
        "my_reports": lambda: _case_section(
            "my_reports",
            gettext("我上报的在办事项"),
            gettext("没有在办的上报事项"),
            cases.filter(registered_by=user, status__in=OPEN_STATUSES),
            "received_at",
            "status=open",
        ),
        "to_follow_up": lambda: _case_section(
            "to_follow_up",
            gettext("待回访"),
            gettext("没有待回访的事项"),
            cases.filter(status=CaseStatus.RATED),
            "resolved_at",
            "status=rated",
        ),
    }
    by_role = {
        Role.CLERK: ["to_accept", "to_rate", "to_follow_up"],
        Role.DISPATCHER: ["to_dispatch", "to_accept", "high_risk", "to_rate"],
        Role.ADMIN: ["to_dispatch", "to_accept", "high_risk"],
        Role.HANDLER: ["to_sign", "handling"],
        Role.MEDIATOR: ["to_sign", "handling"],
        Role.GRID: ["my_reports", "to_follow_up"],
        Role.LEADER: ["high_risk", "to_dispatch"],
    }
    return [sections[key]() for key in by_role.get(user.role, [])]
