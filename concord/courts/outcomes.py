"""What becomes of a referral: the 30-day period and its extension by the parties' consent,
and the answer to the court (回复法院) when the mediation ends or the center records a result.

Failure goes back to the court marked for priority filing (优先立案) with the mediation
record; success is answered too, the agreement and its judicial confirmation being handled on
the case page by the mediation app.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.accounts.models import Role, User
from concord.cases.choices import Action
from concord.cases.models import Case, CaseEvent
from concord.cases.timeline import record_event
from concord.core.dates import local_time
from concord.core.errors import Conflict, Forbidden, InvalidInput
from concord.core.limits import COMMENT_MAX
from concord.deadlines.extensions import extend_deadline
from concord.deadlines.models import Deadline
from concord.mediation.choices import MediationStatus
from concord.mediation.models import Mediation
from concord.notifications.choices import Kind
from concord.notifications.services import notify

from .choices import MANUAL_OUTCOMES, ReferralStatus
from .models import CourtReferral
from .services import is_court_user

# The deadlines node the COURT_REFERRED event starts (policy 法院委派调解).
NODE = "court_mediation"
CENTER_STAFF = frozenset({Role.CLERK, Role.DISPATCHER, Role.ADMIN})
LEAD_ORG_ROLES = frozenset({Role.HANDLER, Role.MEDIATOR})
# How a mediation's end reads for the court.
FROM_MEDIATION = {
    MediationStatus.SUCCEEDED: ReferralStatus.SUCCEEDED,
    MediationStatus.FAILED: ReferralStatus.FAILED,
    MediationStatus.WITHDRAWN: ReferralStatus.WITHDRAWN,
}


def can_act(user: User, referral: CourtReferral) -> bool:
    """May `user` record a result or extend the period: the center's staff, or a handler or
    mediator of the organisation leading the case."""
    if not user.is_authenticated:
        return False
    if user.role in CENTER_STAFF:
        return True
    return user.role in LEAD_ORG_ROLES and user.organisation_id == referral.case.lead_org_id


def can_extend(user: User, referral: CourtReferral) -> bool:
    """The court that referred may record the parties' consent to more time as well."""
    own_court = is_court_user(user) and user.organisation_id == referral.court_id
    return own_court or can_act(user, referral)


def period(referral: CourtReferral) -> Deadline | None:
    """The referral's 30-day clock (the latest, should the policy have started two)."""
    return (
        Deadline.objects.filter(case_id=referral.case_id, code=NODE, task=None)
        .select_related("node")
        .order_by("-started_at", "-pk")
        .first()
    )


# ---------------------------------------------------------------- extension by consent


def extend(
    referral: CourtReferral, *, actor: User, days: int, consent: bool, note: str = ""
) -> Deadline:
    """Move the 30-day period by `days` calendar days with both parties' consent, up to the
    policy node's extension cap; recorded on the timeline as 延期.

    诉前调解期限为30日，双方当事人同意延长的，不受调解期限的限制 (LAW.md §5): the consent is
    what allows it, so no supervisor approves; the cap stays configurable in the policy."""
    if not can_extend(actor, referral):
        raise Forbidden(_("只有调解中心、主办调解组织或委派法院可以延长委派调解期限"))
    errors = {}
    if consent is not True:
        errors["consent"] = _("须经双方当事人同意方可延长调解期限")
    if not isinstance(days, int) or isinstance(days, bool) or days < 1:
        errors["days"] = _("延长天数应为正整数")
    note = (note or "").strip()
    if len(note) > COMMENT_MAX:
        errors["note"] = _("说明不能超过%(max)d字") % {"max": COMMENT_MAX}
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        # Read afresh under the lock: a result recorded meanwhile ends the period.
        referral = CourtReferral.objects.select_for_update().get(pk=referral.pk)
        if not referral.is_open:
            raise Conflict(_("该委派调解已有结果，不能再延长"))
        deadline = (
            Deadline.objects.select_for_update()
            .select_related("node")
            .filter(case_id=referral.case_id, code=NODE, task=None, met_at=None)
            .first()
        )
        if deadline is None:
            raise Conflict(_("委派调解期限未在计时，无法延长"))
        cap = deadline.node.extension_max
        if days > cap - deadline.extension:
            raise InvalidInput(
                {
                    "days": _("最多还可延长%(left)d日（策略上限%(cap)d日）")
                    % {"left": max(cap - deadline.extension, 0), "cap": cap}
                }
            )
        now = timezone.now()
        extend_deadline(deadline, days, now)
        referral.extended_days += days
        referral.consent_note = "\n".join(filter(None, [referral.consent_note, note]))
        referral.save(update_fields=["extended_days", "consent_note"])
        record_event(
            referral.case,
            actor=actor,
            action=Action.EXTEND,
            comment=_("双方当事人同意，委派调解期限延长%(days)d日，至%(due)s。%(note)s")
            % {"days": days, "due": local_time(deadline.due_at, "Y-m-d"), "note": note},
            data={"deadline": deadline.pk, "referral": referral.pk, "days": days},
            at=now,
        )
    return deadline


# ---------------------------------------------------------------- answering the court


def record_result(
    referral: CourtReferral, *, actor: User, outcome: str, note: str
) -> CourtReferral:
    """The center records that mediation failed (the period lapsed without agreement, or a
    party refused: 人民调解法 art. 17) or was withdrawn, and answers the court. While a
    mediation is open it must be ended on its card instead: that answers the court too."""
    if not can_act(actor, referral):
        raise Forbidden(_("只有调解中心或主办调解组织可以登记委派调解结果"))
    errors = {}
    if outcome not in MANUAL_OUTCOMES:
        errors["outcome"] = _("结果应为调解不成（failed）或撤回（withdrawn）")
    note = (note or "").strip()
    if not note:
        errors["note"] = _("请填写结果说明")
    elif len(note) > COMMENT_MAX:
        errors["note"] = _("结果说明不能超过%(max)d字") % {"max": COMMENT_MAX}
    if errors:
        raise InvalidInput(errors)
    if not referral.is_open:
        raise Conflict(
            _("该委派调解已有结果：%(status)s") % {"status": referral.get_status_display()}
        )
    if referral.case.mediations.filter(status=MediationStatus.OPEN).exists():
        raise Conflict(_("该事项有进行中的调解，请先在调解栏结束调解，结果将自动回复法院"))
    with transaction.atomic():
        if not answer_court(referral, actor=actor, outcome=outcome, note=note, at=timezone.now()):
            raise Conflict(_("该委派调解刚被他人登记结果，请刷新后查看"))
    referral.refresh_from_db()
    return referral


def on_event_recorded(*, case: Case, event: CaseEvent, **_signal) -> None:
    """A mediation of a referred case ended: the referral takes its outcome and the court is
    answered, in the transaction that ended the mediation."""
    if event.action != Action.MEDIATION_ENDED:
        return
    data = event.data or {}
    outcome = FROM_MEDIATION.get(data.get("outcome"))
    if outcome is None:
        return
    referral = (
        CourtReferral.objects.filter(case=case, status=ReferralStatus.MEDIATING)
        .select_related("court", "case")
        .first()
    )
    if referral is None:
        return
    note = (
        Mediation.objects.filter(pk=data.get("mediation"))
        .values_list("outcome_note", flat=True)
        .first()
    )
    answer_court(referral, actor=event.actor, outcome=outcome, note=note or "", at=event.created_at)


def answer_court(
    referral: CourtReferral, *, actor: User | None, outcome: str, note: str, at
) -> bool:
    """Close the referral with `outcome` (compare-and-set: of two answers one wins; False for
    the loser), record COURT_RETURNED, which stops the 30-day clock, and notify the court's
    users. A failure is marked for priority filing. Runs in the caller's transaction."""
    priority = outcome == ReferralStatus.FAILED
    changed = CourtReferral.objects.filter(pk=referral.pk, status=ReferralStatus.MEDIATING).update(
        status=outcome, result_at=at, note=note, priority_filing=priority
    )
    if not changed:
        return False
    label = ReferralStatus(outcome).label
    headline = _("委派调解%(outcome)s：%(number)s") % {
        "outcome": label,
        "number": referral.court_case_number,
    }
    if priority:
        headline += _("，已退回法院，建议优先立案")
    record_event(
        referral.case,
        actor=actor,
        action=Action.COURT_RETURNED,
        comment="。".join(filter(None, [headline, note])),
        data={"referral": referral.pk, "outcome": outcome, "priority_filing": priority},
        at=at,
    )
    notify(
        referral.court.members.filter(is_active=True),
        kind=Kind.OTHER,
        title=headline,
        body=_("查询码%(code)s。%(note)s")
        % {"code": referral.case.tracking_code, "note": note or _("（无说明）")},
        case=referral.case,
    )
    return True
