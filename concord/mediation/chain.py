"""The chain a dispute walks, 纠纷调处 → 司法确认 → 诉讼引调 → 诉讼 (SPEC §5): where a case
stands on it, read from its records, and sending it on to court-guided mediation or to
litigation, with a legal-aid referral when a party is eligible.

A case goes to court only when mediation did not settle it: its latest mediation failed, or
the court rejected the confirmation of its agreement (民事诉讼法 art. 206: the parties may
then mediate again or sue)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from concord.accounts.models import User
from concord.cases.choices import Action
from concord.cases.models import Case
from concord.cases.scope import grant_access
from concord.cases.timeline import record_event
from concord.core.dates import local_time
from concord.core.errors import Conflict, InvalidInput
from concord.core.limits import COMMENT_MAX
from concord.notifications.choices import Kind
from concord.notifications.services import notify
from concord.orgs.models import LinkageRole, Organisation

from .agreements import agreement_of
from .choices import ChainStep, LegalAidReason, MediationStatus, Route, Ruling
from .confirmation import courts, window_due
from .models import Confirmation, LitigationReferral, Mediation
from .services import require_can_mediate

LEGAL_AID_ORG = "justice"  # the justice bureau (司法局) runs the legal-aid center


@dataclass
class Step:
    code: str
    label: str
    state: str  # done | current | todo | skipped
    note: str = ""


@dataclass
class Chain:
    steps: list[Step]
    current: str
    basis: Mediation | None  # the mediation that lets the case go to court, if any


def confirmation_of(mediation: Mediation | None) -> Confirmation | None:
    agreement = agreement_of(mediation) if mediation is not None else None
    if agreement is None:
        return None
    try:
        return agreement.confirmation
    except Confirmation.DoesNotExist:
        return None


def referral_basis(mediations: Sequence[Mediation]) -> Mediation | None:
    """The latest mediation (newest first in `mediations`) when it failed, or succeeded but
    its agreement's confirmation was rejected; else None."""
    latest = mediations[0] if mediations else None
    if latest is None or latest.status == MediationStatus.OPEN:
        return None
    if latest.status == MediationStatus.FAILED:
        return latest
    confirmation = confirmation_of(latest)
    if confirmation is not None and confirmation.ruling == Ruling.REJECTED:
        return latest
    return None


def case_chain(
    case: Case,
    mediations: Sequence[Mediation] | None = None,
    referrals: Sequence[LitigationReferral] | None = None,
) -> Chain:
    """Where the case stands: the newest of its referrals to court and its latest mediation
    decides; the steps before are done (or skipped), the steps after still to come."""
    if mediations is None:
        mediations = list(case.mediations.select_related("agreement__confirmation"))
    if referrals is None:
        referrals = list(case.litigation_referrals.select_related("court"))
    latest = mediations[0] if mediations else None
    routes = {r.route: r for r in referrals}
    newest = max(referrals, key=lambda r: r.created_at, default=None)
    notes: dict[str, str] = {}
    if latest is not None:
        notes[ChainStep.MEDIATION] = MediationStatus(latest.status).label
    confirmation = confirmation_of(latest)
    if confirmation is not None:
        notes[ChainStep.CONFIRMATION] = (
            Ruling(confirmation.ruling).label if confirmation.ruling else _("法院审查中")
        )
    for route, referral in routes.items():
        notes[route] = _("%(court)s · %(day)s") % {
            "court": referral.court.name,
            "day": local_time(referral.created_at, "Y-m-d"),
        }
    if newest is not None and (latest is None or newest.created_at >= latest.started_at):
        current = ChainStep.LITIGATION if Route.LITIGATION in routes else ChainStep.GUIDED
    elif confirmation is not None or _window_open(latest):
        current = ChainStep.CONFIRMATION
        if confirmation is None:
            due = window_due(agreement_of(latest))
            notes[current] = _("可申请至%(due)s") % {"due": local_time(due, "Y-m-d")}
    else:
        current = ChainStep.MEDIATION
        notes.setdefault(current, pgettext("chain step note", "未调解"))
    order = list(ChainStep.values)
    here = order.index(current)
    steps = []
    for index, code in enumerate(order):
        if index == here:
            state = "current"
        elif index > here:
            state = "todo"
        elif code in notes:
            state = "done"
        else:
            state = "skipped"
        steps.append(Step(code, str(ChainStep(code).label), state, str(notes.get(code, ""))))
    return Chain(steps, current, referral_basis(mediations))


def _window_open(mediation: Mediation | None) -> bool:
    agreement = agreement_of(mediation) if mediation is not None else None
    if agreement is None or not agreement.is_effective:
        return False
    return timezone.now() <= window_due(agreement)


def refer_to_court(
    case: Case,
    *,
    actor: User,
    route: str,
    court: Organisation | None = None,
    note: str = "",
    legal_aid: bool = False,
    aid_reasons: Sequence[str] = (),
    aid_note: str = "",
) -> LitigationReferral:
    """Send the case to court-guided mediation or to litigation.

    1. find the basis (a failed mediation or a rejected confirmation) and check the actor
       may act on it;
    2. refuse a route taken already, and court-guided mediation once litigation is chosen;
    3. check the court, the note and, with legal aid, the reasons (an "other" needs a note);
    4. save, write LITIGATION (and LEGAL_AID) on the timeline, and let the court (and for
       legal aid the justice bureau) see the case and tell their users."""
    mediations = list(case.mediations.select_related("agreement__confirmation"))
    basis = referral_basis(mediations)
    require_can_mediate(actor, case, basis)
    if basis is None:
        raise Conflict(_("只有调解不成或司法确认被裁定驳回后，才能引导诉讼引调或诉讼"))
    errors: dict[str, str] = {}
    if route not in Route.values:
        errors["route"] = _("请选择去向：诉讼引调或诉讼")
    else:
        taken = set(case.litigation_referrals.values_list("route", flat=True))
        if route in taken:
            raise Conflict(_("该事项已引导至%(route)s") % {"route": Route(route).label})
        if route == Route.GUIDED and Route.LITIGATION in taken:
            raise Conflict(_("该事项已进入诉讼，不能再引导诉讼引调"))
    court = court or courts().first()
    if court is None or court.linkage != LinkageRole.COURT or not court.active:
        errors["court"] = _("请选择人民法院")
    note = _clean(note, "note", _("说明"), errors)
    aid_note = _clean(aid_note, "aid_note", _("法律援助说明"), errors)
    reasons = list(dict.fromkeys(aid_reasons or ())) if legal_aid else []
    aid_org = None
    if legal_aid:
        if not reasons:
            errors["aid_reasons"] = _("请选择法律援助事由")
        elif not all(isinstance(r, str) and r in LegalAidReason.values for r in reasons):
            errors["aid_reasons"] = _("法律援助事由不在可选范围内")
        elif LegalAidReason.OTHER in reasons and not aid_note:
            errors["aid_note"] = _("选择“其他”事由时，请填写法律援助说明")
        aid_org = Organisation.objects.filter(code=LEGAL_AID_ORG, active=True).first()
        if aid_org is None:
            errors["legal_aid"] = _("未找到司法局，无法转介法律援助")
    if errors:
        raise InvalidInput(errors)
    now = timezone.now()
    try:
        with transaction.atomic():
            referral = LitigationReferral.objects.create(
                case=case,
                route=route,
                court=court,
                note=note,
                legal_aid=bool(legal_aid),
                aid_reasons=reasons,
                aid_note=aid_note if legal_aid else "",
                aid_org=aid_org,
                created_by=actor,
                created_at=now,
            )
            _write(case, actor, referral, basis, now)
    except IntegrityError:
        raise Conflict(_("该事项已引导至%(route)s") % {"route": Route(route).label}) from None
    return referral


def _clean(text: str, field: str, label: str, errors: dict) -> str:
    text = text.strip() if isinstance(text, str) else ""
    if len(text) > COMMENT_MAX:
        errors[field] = _("%(label)s不能超过%(max)d字（现为%(length)d字）") % {
            "label": label,
            "max": COMMENT_MAX,
            "length": len(text),
        }
    return text


def _write(
    case: Case,
    actor: User,
    referral: LitigationReferral,
    basis: Mediation,
    now: dt.datetime,
) -> None:
    why = (
        MediationStatus(basis.status).label
        if basis.status == MediationStatus.FAILED
        else Ruling.REJECTED.label
    )
    where = _("%(why)s，引导至%(route)s（%(court)s）") % {
        "why": why,
        "route": referral.get_route_display(),
        "court": referral.court.name,
    }
    record_event(
        case,
        actor=actor,
        action=Action.LITIGATION,
        comment=f"{where}{'：' + referral.note if referral.note else ''}",
        data={"referral": referral.pk, "route": referral.route, "mediation": basis.pk},
        at=now,
    )
    grant_access(case, [referral.court], "litigation")
    notify(
        referral.court.members.filter(is_active=True),
        kind=Kind.OTHER,
        title=_("%(code)s %(where)s") % {"code": case.tracking_code, "where": where},
        case=case,
    )
    if not referral.legal_aid:
        return
    reasons = "、".join(str(LegalAidReason(r).label) for r in referral.aid_reasons)
    aid = _("转介%(org)s法律援助，事由：%(reasons)s") % {
        "org": referral.aid_org.name,
        "reasons": reasons,
    }
    record_event(
        case,
        actor=actor,
        action=Action.LEGAL_AID,
        comment=f"{aid}{'（' + referral.aid_note + '）' if referral.aid_note else ''}",
        data={"referral": referral.pk, "reasons": referral.aid_reasons},
        at=now,
    )
    grant_access(case, [referral.aid_org], "legal_aid")
    notify(
        referral.aid_org.members.filter(is_active=True),
        kind=Kind.OTHER,
        title=_("%(code)s 法律援助转介：%(reasons)s")
        % {"code": case.tracking_code, "reasons": reasons},
        body=referral.aid_note,
        case=case,
    )
