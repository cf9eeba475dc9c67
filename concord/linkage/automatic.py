"""The hand-overs a case's own life records, heard from `cases.signals.event_recorded`
(connected in LinkageConfig.ready) and replayed by `backfill` for cases inserted in bulk.

The rules, by timeline action:

- 登记 (REGISTER): 110 非警务警情 → 警调 in from the police; 网上信访 → 访调 in from the
  petition bureau (the online petition system is the bureau's own: the matter reaches the center
  through it); a case registered by a user of the police, procuratorate or petition bureau,
  whatever the channel (a letter the 信访局 forwards) → that type in from that organisation.
  A petition a citizen brings to the window, phones or writes to the center is no hand-over:
  no partner sent it. A 法院委派 registration waits for COURT_REFERRED, so that one referral
  is one 诉调 hand-over.
- COURT_REFERRED → 诉调 in from the court: data["court"], else the registering organisation,
  else the actor's, when it is a court; else the county's court.
- COURT_RETURNED → 诉调 out to that court with data["outcome"], answering the open 诉调 in
  (the one of the same data["referral"] when several are open).
- ASSIGN to a professional mediation organisation as lead → 专调 out to it; its RETURN or
  ESCALATE answers it 退回, its RESOLVE with the case's result.
- RESOLVE answers each open 警调, 检调 and 访调 hand-in with the case's result, REFUSE and
  REFER with 退回: the source hears the outcome (一网反馈). 诉调 waits for COURT_RETURNED,
  which carries the court's own terms (优先立案).

Every record is keyed by its event, type, direction and partner (a constraint): hearing an
event twice records nothing new, and an answered hand-over is never answered again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from concord.cases.choices import Action, Channel, Result
from concord.cases.models import Case, CaseEvent
from concord.cases.scope import grant_access
from concord.core.limits import COMMENT_MAX
from concord.orgs.models import LinkageRole, Organisation, OrgKind

from .choices import Direction, LinkageType, Outcome
from .models import Handover
from .services import default_partner, linkage_type_of, open_handovers

log = logging.getLogger(__name__)

L = LinkageType
IN, OUT = Direction.IN, Direction.OUT
# Hand-ins the center answers itself when it closes the case; 诉调 has COURT_RETURNED.
ANSWERED_ON_CLOSE = (L.POLICE, L.PROCURATORATE, L.PETITION)
CHANNEL_PARTNERS = {Channel.POLICE_110: L.POLICE, Channel.ONLINE_PETITION: L.PETITION}
REGISTERING_PARTNERS = (LinkageRole.POLICE, LinkageRole.PROCURATORATE, LinkageRole.PETITION)
# The court app's words for its outcome, and the case's results, in the linkage's terms.
OUTCOME_WORDS = {
    "mediated": Outcome.MEDIATED,
    "succeeded": Outcome.MEDIATED,
    "success": Outcome.MEDIATED,
    "调解成功": Outcome.MEDIATED,
    "failed": Outcome.FAILED,
    "mediation_failed": Outcome.FAILED,
    "failure": Outcome.FAILED,
    "调解不成": Outcome.FAILED,
    "handled": Outcome.HANDLED,
    "已处理": Outcome.HANDLED,
    "returned": Outcome.RETURNED,
    "退回": Outcome.RETURNED,
}


def on_event_recorded(sender, case: Case, event: CaseEvent, **kwargs) -> None:
    rule = RULES.get(event.action)
    if rule is not None:
        rule(case, event)


def backfill() -> int:
    """Apply the rules to the timelines of the cases they concern, each in its order (seeded
    and imported cases reach the database past the signal). Only cases with an opening
    event are read: a close answers nothing on a case that was never handed over. Safe to
    repeat; returns how many were added."""
    before = Handover.objects.count()
    professional = Organisation.objects.filter(kind=OrgKind.MEDIATION_ORG).values_list("pk")
    opening = (
        Q(action=Action.REGISTER, case__channel__in=list(CHANNEL_PARTNERS))
        | Q(action=Action.REGISTER, case__registered_org__linkage__in=REGISTERING_PARTNERS)
        | Q(action=Action.COURT_REFERRED)
        | Q(action=Action.ASSIGN, data__lead_org__in=[pk for (pk,) in professional])
    )
    cases = CaseEvent.objects.filter(opening).values("case_id")
    events = (
        CaseEvent.objects.filter(action__in=list(RULES), case_id__in=cases)
        .select_related("case__registered_org")
        .order_by("case_id", "created_at", "pk")
    )
    with transaction.atomic():
        for event in events.iterator(chunk_size=500):
            on_event_recorded(Case, event.case, event)
    return Handover.objects.count() - before


# ---------------------------------------------------------------- the rules


def _registered(case: Case, event: CaseEvent) -> None:
    org = case.registered_org
    kind = CHANNEL_PARTNERS.get(case.channel)
    if kind is None and org is not None and org.linkage in REGISTERING_PARTNERS:
        kind = L(org.linkage)
    if kind is None:
        return
    partner = org if linkage_type_of(org) == kind else default_partner(kind)
    _record(case, event, kind, IN, partner)


def _court_referred(case: Case, event: CaseEvent) -> None:
    _record(case, event, L.COURT, IN, _court(case, event))


def _court_returned(case: Case, event: CaseEvent) -> None:
    data = event.data or {}
    waiting = list(
        open_handovers(case.handovers.filter(linkage_type=L.COURT, direction=IN))
        .select_related("event")
        .order_by("-at", "-pk")
    )
    referral = data.get("referral")
    same = [h for h in waiting if h.event and (h.event.data or {}).get("referral") == referral]
    answers = (same or waiting or [None])[0]
    partner = answers.partner if answers else _court(case, event)
    outcome = OUTCOME_WORDS.get(str(data.get("outcome", "")).strip(), Outcome.HANDLED)
    note = event.comment
    if data.get("priority_filing"):
        note = _("建议优先立案") + (f"；{note}" if note else "")
    _record(case, event, L.COURT, OUT, partner, outcome=outcome, answers=answers, note=note)


def _assigned(case: Case, event: CaseEvent) -> None:
    lead = (event.data or {}).get("lead_org")
    if not isinstance(lead, int) or isinstance(lead, bool):
        return
    org = Organisation.objects.filter(pk=lead, kind=OrgKind.MEDIATION_ORG).first()
    if org is not None:
        _record(case, event, L.PROFESSIONAL, OUT, org)


def _let_go(case: Case, event: CaseEvent) -> None:
    """RETURN, ESCALATE: a mediation organisation hands its 专调 back unresolved."""
    _answer(case, event, _sent_to_actor(event), Outcome.RETURNED)


def _resolved(case: Case, event: CaseEvent) -> None:
    hand_ins = Q(linkage_type__in=ANSWERED_ON_CLOSE, direction=IN)
    outcome = {
        Result.MEDIATED: Outcome.MEDIATED,
        Result.MEDIATION_FAILED: Outcome.FAILED,
    }.get(case.result, Outcome.HANDLED)
    _answer(case, event, _sent_to_actor(event) | hand_ins, outcome)


def _turned_away(case: Case, event: CaseEvent) -> None:
    """REFUSE, REFER: the center does not take the matter; the partner gets it back."""
    _answer(case, event, Q(linkage_type__in=ANSWERED_ON_CLOSE, direction=IN), Outcome.RETURNED)


def _sent_to_actor(event: CaseEvent) -> Q:
    if event.actor_org_id is None:
        return Q(pk__in=[])
    return Q(linkage_type=L.PROFESSIONAL, direction=OUT, partner=event.actor_org_id)


def _answer(case: Case, event: CaseEvent, match: Q, outcome: str) -> None:
    waiting = open_handovers(case.handovers.filter(match)).select_related("partner")
    for handover in waiting.order_by("at", "pk"):
        _record(
            case,
            event,
            L(handover.linkage_type),
            Direction(handover.direction).opposite,
            handover.partner,
            outcome=outcome,
            answers=handover,
            note=event.comment or case.reply,
        )


def _court(case: Case, event: CaseEvent) -> Organisation | None:
    named = (event.data or {}).get("court")
    if isinstance(named, int) and not isinstance(named, bool):
        org = Organisation.objects.filter(pk=named, linkage=LinkageRole.COURT).first()
        if org is not None:
            return org
    for org_id in (case.registered_org_id, event.actor_org_id):
        if org_id is not None:
            org = Organisation.objects.filter(pk=org_id, linkage=LinkageRole.COURT).first()
            if org is not None:
                return org
    return default_partner(L.COURT)


def _record(
    case: Case,
    event: CaseEvent,
    kind: LinkageType,
    direction: str,
    partner: Organisation | None,
    *,
    outcome: str = "",
    answers: Handover | None = None,
    note: str = "",
) -> Handover | None:
    if partner is None:
        log.warning("no active %s partner: %s of case %s not recorded", kind, event.action, case.pk)
        return None
    key = {"event": event, "linkage_type": kind, "direction": direction, "partner": partner}
    if Handover.objects.filter(**key).exists():
        return None
    try:
        # A savepoint: a replay racing this one must not break the caller's transaction.
        with transaction.atomic():
            handover = Handover.objects.create(
                **key,
                case=case,
                at=event.created_at,
                by_id=event.actor_id,
                note=(note or "")[:COMMENT_MAX],
                outcome=outcome,
                answers=answers,
                automatic=True,
            )
    except IntegrityError:
        return None
    # The partner follows the case it handed over or was handed, up to the outcome.
    grant_access(case, [partner], "linkage")
    return handover


RULES: dict[str, Callable[[Case, CaseEvent], None]] = {
    Action.REGISTER: _registered,
    Action.COURT_REFERRED: _court_referred,
    Action.COURT_RETURNED: _court_returned,
    Action.ASSIGN: _assigned,
    Action.RETURN: _let_go,
    Action.ESCALATE: _let_go,
    Action.RESOLVE: _resolved,
    Action.REFUSE: _turned_away,
    Action.REFER: _turned_away,
}
