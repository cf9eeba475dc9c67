"""督办 by hand: a dispatcher or leader presses the organisation handling a case to act, and
the 督办函 (supervision letter) is generated as DOCX and PDF with the case facts."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.accounts.models import User
from concord.accounts.permissions import SUPERVISE_ROLES
from concord.cases.choices import Action
from concord.cases.models import Case
from concord.cases.timeline import record_event
from concord.core.dates import chinese_date, local_time
from concord.core.documents import Document, Section
from concord.core.errors import Forbidden, InvalidInput
from concord.core.limits import COMMENT_MAX
from concord.notifications.services import notify

from .calendar import Unit
from .models import Supervision
from .workdays import get_calendar

REPLY_DAYS_MAX = 30


def issue_supervision(case: Case, *, actor: User, reason: str, reply_days: int) -> Supervision:
    """督办 the case's lead organisation: reply within `reply_days` working days."""
    if actor.role not in SUPERVISE_ROLES:
        raise Forbidden(_("只有调度员、领导或管理员可以督办"))
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = _("请填写督办事由")
    elif len(reason) > COMMENT_MAX:
        errors["reason"] = _("督办事由不能超过%(max)d字") % {"max": COMMENT_MAX}
    check_reply_days(reply_days, errors)
    if case.lead_org_id is None:
        errors["case"] = _("事项尚未交办，没有可督办的承办单位")
    if errors:
        raise InvalidInput(errors)
    now = timezone.now()
    overdue = case.deadlines.filter(met_at=None).exclude(breached_at=None).first()
    with transaction.atomic():
        supervision = Supervision.objects.create(
            case=case,
            deadline=overdue,
            issued_by=actor,
            issuer_org=actor.organisation,
            target_org=case.lead_org,
            reason=reason,
            issued_at=now,
            reply_due_at=reply_due(now, reply_days),
        )
        record_event(
            case,
            actor=actor,
            action=Action.SUPERVISE,
            comment=reason,
            data={"supervision": supervision.pk, "target": case.lead_org_id},
            at=now,
        )
        notify(
            case.lead_org.members.filter(is_active=True),
            kind="supervision",
            title=_("%(code)s 收到督办，请于%(due)s前回复")
            % {"code": case.tracking_code, "due": local_time(supervision.reply_due_at)},
            body=reason,
            case=case,
        )
    return supervision


def check_reply_days(reply_days, errors: dict) -> None:
    """A written reply's period (督办, 风险函件): whole working days, 1 to REPLY_DAYS_MAX."""
    whole_days = isinstance(reply_days, int) and not isinstance(reply_days, bool)
    if not whole_days or not 1 <= reply_days <= REPLY_DAYS_MAX:
        errors["reply_days"] = _("回复期限应为1至%(max)d个工作日") % {"max": REPLY_DAYS_MAX}


def reply_due(now: dt.datetime, reply_days: int) -> dt.datetime:
    """The end of office hours on the last working day of the reply period."""
    return get_calendar().add(now, reply_days, Unit.WORKING_DAYS).at


def letter_context(supervision: Supervision) -> dict:
    case = supervision.case
    deadline = supervision.deadline
    return {
        "supervision": supervision,
        "case": case,
        "number": f"{case.tracking_code}-{supervision.pk:03d}",
        "issued": chinese_date(supervision.issued_at),
        "reply_due": local_time(supervision.reply_due_at),
        "received": local_time(case.received_at),
        "deadline": deadline,
        "due": local_time(deadline.due_at) if deadline else "",
        "basis": deadline.node.basis if deadline else "",
    }


def letter_document(supervision: Supervision) -> Document:
    """The 督办函: the demand, the case facts, the issuer's signature."""
    c = letter_context(supervision)
    return Document(
        title=_("督办函"),
        number=c["number"],
        addressee=supervision.target_org.name,
        sections=[Section(paragraphs=_body_lines(c), rows=_facts(c))],
        signature=[supervision.issuer_org.name, c["issued"]],
    )


def _body_lines(c: dict) -> list[str]:
    case, supervision = c["case"], c["supervision"]
    lines = [
        _("你单位承办的事项「%(title)s」（查询码%(code)s）办理进度需要加快。督办事由：%(reason)s")
        % {"title": case.title, "code": case.tracking_code, "reason": supervision.reason}
    ]
    if c["deadline"]:
        lines.append(
            _("该事项「%(node)s」节点应于%(due)s前完成，现已超期。依据：%(basis)s。")
            % {"node": c["deadline"].label, "due": c["due"], "basis": c["basis"] or _("时限策略")}
        )
    lines.append(
        _("请于%(due)s前将办理情况书面回复%(issuer)s。")
        % {"due": c["reply_due"], "issuer": supervision.issuer_org.name}
    )
    return lines


def _facts(c: dict) -> list[tuple[str, str]]:
    case = c["case"]
    return [
        (_("查询码"), case.tracking_code),
        (_("事项标题"), case.title),
        (_("类别"), str(case.category) if case.category_id else "—"),
        (_("发生地"), str(case.division)),
        (_("收到时间"), c["received"]),
        (_("当前状态"), case.get_status_display()),
        (_("承办单位"), c["supervision"].target_org.name),
    ]
