"""延期: a handler asks for more time on a node, a supervisor decides within the policy cap."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.accounts.models import User
from concord.accounts.permissions import SUPERVISE_ROLES
from concord.cases.choices import Action
from concord.cases.timeline import record_event
from concord.core.errors import Conflict, Forbidden, InvalidInput
from concord.core.limits import COMMENT_MAX

from .models import Deadline, Extension, ExtensionStatus
from .services import set_due
from .sweep import responsible_org
from .workdays import get_calendar


def request_extension(
    deadline: Deadline, *, actor: User, amount: int, reason: str, party_told: bool = False
) -> Extension:
    """Ask for `amount` more (in the node's unit); refused beyond what the policy allows."""
    reason = (reason or "").strip()
    node = deadline.node
    owner = responsible_org(deadline)
    if owner is None or actor.organisation_id != owner.pk:
        raise Forbidden(_("只有承担该节点的单位可以申请延期"))
    if deadline.met_at:
        raise Conflict(_("该节点已完成，无需延期"))
    if deadline.extensions.filter(status=ExtensionStatus.REQUESTED).exists():
        raise Conflict(_("该节点已有待审批的延期申请"))
    errors = {}
    left = node.extension_max - deadline.extension
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 1:
        errors["amount"] = _("延长时限应为正整数")
    elif amount > left:
        errors["amount"] = _("最多还可延长%(left)d%(unit)s（策略上限%(cap)d%(unit)s）") % {
            "left": max(left, 0),
            "cap": node.extension_max,
            "unit": node.get_unit_display(),
        }
    if not reason:
        errors["reason"] = _("请填写延期理由")
    elif len(reason) > COMMENT_MAX:
        errors["reason"] = _("延期理由不能超过%(max)d字") % {"max": COMMENT_MAX}
    if node.tell_party_on_extension and not party_told:
        errors["party_told"] = _("须先告知当事人（信访人）延期理由")
    if errors:
        raise InvalidInput(errors)
    return Extension.objects.create(
        deadline=deadline,
        amount=amount,
        reason=reason,
        party_told=party_told,
        requested_by=actor,
        requested_at=timezone.now(),
    )


def decide_extension(
    extension: Extension, *, actor: User, approve: bool, comment: str = ""
) -> Extension:
    """Approve (the node's due time moves) or reject a request; recorded on the timeline."""
    if actor.role not in SUPERVISE_ROLES:
        raise Forbidden(_("只有调度员、领导或管理员可以审批延期"))
    with transaction.atomic():
        extension = (
            Extension.objects.select_for_update()
            .select_related("deadline__node")
            .get(pk=extension.pk)
        )
        if extension.status != ExtensionStatus.REQUESTED:
            raise Conflict(_("该延期申请已审批"))
        deadline = (
            Deadline.objects.select_for_update()
            .select_related("node", "case")
            .get(pk=extension.deadline_id)
        )
        now = timezone.now()
        if approve:
            if deadline.extension + extension.amount > deadline.node.extension_max:
                raise InvalidInput({"amount": _("超出策略允许的延期上限")})
            extend_deadline(deadline, extension.amount, now)
        extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
        extension.decided_by, extension.decided_at = actor, now
        extension.decision_comment = (comment or "").strip()[:COMMENT_MAX]
        extension.save()
        case = deadline.case
        record_event(
            case,
            actor=actor,
            action=Action.EXTEND,
            at=now,
            comment=_("「%(node)s」延期%(amount)d%(unit)s：%(decision)s。%(reason)s")
            % {
                "node": deadline.label,
                "amount": extension.amount,
                "unit": deadline.node.get_unit_display(),
                "decision": extension.get_status_display(),
                "reason": extension.reason,
            },
            data={"deadline": deadline.pk, "extension": extension.pk},
        )
    return extension


def extend_deadline(deadline: Deadline, amount: int, now: dt.datetime) -> None:
    """Give a (locked) node `amount` more of its unit and save it; a node moved past now is
    no longer overdue or due soon. The caller checked the policy cap and who may extend."""
    deadline.extension += amount
    set_due(deadline, get_calendar())
    if deadline.due_at > now:
        deadline.breached_at = None
    if deadline.warn_at > now:
        deadline.warned_at = None
    moved = ["extension", "due_at", "warn_at", "provisional", "breached_at", "warned_at"]
    deadline.save(update_fields=moved)
