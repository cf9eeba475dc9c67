"""五调联动 services: who the partners are, who sees which hand-overs, and the manual hand-over
and return from the case page or the API. The automatic records are in `automatic`.

Who sees hand-overs: a dispatcher, leader or admin those on the cases in their scope; a
partner organisation (court, police, procuratorate, petition bureau, professional mediation
organisation) its own, and nobody else's; everyone who sees a case sees its hand-overs on the
case page.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from concord.accounts.models import Role, User
from concord.accounts.permissions import SUPERVISE_ROLES
from concord.cases.choices import Action, CaseStatus
from concord.cases.models import Case
from concord.cases.scope import grant_access, visible_cases
from concord.cases.timeline import record_event
from concord.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from concord.core.limits import COMMENT_MAX
from concord.notifications.services import notify
from concord.orgs.models import LinkageRole, Organisation, OrgKind

from .choices import Direction, LinkageType, Outcome
from .models import Handover

# The center's own staff record hand-overs: the window takes them in, the command room sends
# them out. Leaders watch (read-only, SPEC §1).
HANDOVER_ROLES = frozenset({Role.CLERK, Role.DISPATCHER, Role.ADMIN})

PARTNERS: dict[str, Q] = {
    LinkageType.COURT: Q(linkage=LinkageRole.COURT),
    LinkageType.POLICE: Q(linkage=LinkageRole.POLICE),
    LinkageType.PROCURATORATE: Q(linkage=LinkageRole.PROCURATORATE),
    LinkageType.PROFESSIONAL: Q(kind=OrgKind.MEDIATION_ORG),
    LinkageType.PETITION: Q(linkage=LinkageRole.PETITION),
}
_ANY_PARTNER = Q(linkage__gt="") | Q(kind=OrgKind.MEDIATION_ORG)


def partner_orgs(linkage_type: str | None = None) -> QuerySet[Organisation]:
    """Active partner organisations, of one type or of all five."""
    match = PARTNERS[linkage_type] if linkage_type else _ANY_PARTNER
    return Organisation.objects.filter(match, active=True).order_by("kind", "code")


def linkage_type_of(org: Organisation | None) -> LinkageType | None:
    if org is None:
        return None
    if org.kind == OrgKind.MEDIATION_ORG:
        return LinkageType.PROFESSIONAL
    return LinkageType(org.linkage) if org.linkage else None


def default_partner(linkage_type: str) -> Organisation | None:
    """The county's partner of a type when the source does not name one (one court, one
    police bureau … per county; the first if the admin set up more)."""
    return partner_orgs(linkage_type).order_by("pk").first()


def is_partner(user: User) -> bool:
    return user.is_authenticated and linkage_type_of(user.organisation) is not None


def can_hand_over(user: User) -> bool:
    return user.is_authenticated and user.role in HANDOVER_ROLES


def can_see_report(user: User) -> bool:
    return user.is_authenticated and (user.role in SUPERVISE_ROLES or is_partner(user))


def visible_handovers(user: User) -> QuerySet[Handover]:
    """The hand-overs the /linkage/ report and the stats count for this user."""
    if not user.is_authenticated:
        return Handover.objects.none()
    if user.role in SUPERVISE_ROLES:
        return Handover.objects.filter(case__in=visible_cases(user).values("pk"))
    if is_partner(user):
        return Handover.objects.filter(partner_id=user.organisation_id)
    return Handover.objects.none()


def open_handovers(handovers: QuerySet[Handover]) -> QuerySet[Handover]:
    """Those still waiting for their return: no return themselves, and not answered."""
    return handovers.filter(answers=None, outcome="", answer__isnull=True)


def case_handovers(case: Case) -> list[Handover]:
    """A case's hand-overs, oldest first, each with whether it is still open."""
    return flag_open(case.handovers.select_related("partner", "by", "answer").order_by("at", "pk"))


def flag_open(handovers) -> list[Handover]:
    """The hand-overs (fetched with their `answer`), each told whether it is still open."""
    rows = list(handovers)
    for row in rows:
        row.is_open = not row.is_return and not _answered(row)
    return rows


def _answered(handover: Handover) -> bool:
    try:
        return handover.answer is not None
    except Handover.DoesNotExist:
        return False


def get_case_handover(case: Case, handover_id) -> Handover:
    try:
        return case.handovers.select_related("partner").get(pk=handover_id)
    except (Handover.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("联动移交记录不存在")) from None


# ---------------------------------------------------------------- manual records


def hand_over(
    case: Case,
    *,
    actor: User,
    linkage_type: str,
    direction: str,
    partner: int | Organisation | None,
    note: str = "",
) -> Handover:
    """Record a hand-over the center makes to a partner (out) or receives from one (in).

    1. Only a clerk, dispatcher or admin; not on an archived case.
    2. The partner an active organisation of the type (诉调 a court, 专调 a professional
       mediation organisation …).
    3. Refused while the same hand-over (type, direction, partner) of this case is still open.
    4. A 联动移交 entry on the case's timeline; the partner's users are notified.
    """
    _check_actor(actor)
    if case.status == CaseStatus.ARCHIVED:
        raise Conflict(_("事项已归档，不能再移交"))
    note = _clean_note(note)
    errors: dict[str, str] = {}
    if linkage_type not in LinkageType.values:
        errors["type"] = _("请选择联动类型（诉调、警调、检调、专调、访调）")
    if direction not in Direction.values:
        errors["direction"] = _("请选择移交方向（移入中心或移出中心）")
    org = None
    if "type" not in errors:
        org = _partner(linkage_type, partner)
        if org is None:
            errors["partner"] = _("联动单位不存在、已停用或不是%(kind)s") % {
                "kind": LinkageType(linkage_type).partner_label
            }
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        # One hand-over at a time per case: the open-duplicate check below must not race.
        Case.objects.select_for_update().filter(pk=case.pk).first()
        twin = open_handovers(case.handovers.all()).filter(
            linkage_type=linkage_type, direction=direction, partner=org
        )
        if twin.exists():
            if direction == Direction.OUT:
                text = _("该事项已移交%(org)s，尚未收到回复")
            else:
                text = _("该事项已接收%(org)s的移交，尚未反馈结果")
            raise Conflict(text % {"org": org.name}, field="partner")
        return _write(case, actor, linkage_type, direction, org, note)


def record_return(handover: Handover, *, actor: User, outcome: str, note: str = "") -> Handover:
    """Close an open hand-over with its outcome: the partner's reply to what the center sent
    (in), or the center's feedback on what the partner sent (out)."""
    _check_actor(actor)
    note = _clean_note(note)
    if outcome not in Outcome.values:
        raise InvalidInput({"outcome": _("请选择办理结果（调解成功、调解不成、已处理、退回）")})
    if handover.is_return:
        raise Conflict(_("这是一条回复记录，不能再回复"), field="answers")
    try:
        with transaction.atomic():
            locked = Handover.objects.select_for_update().select_related("partner", "case")
            handover = locked.get(pk=handover.pk)
            if Handover.objects.filter(answers=handover).exists():
                raise Conflict(_("该移交已记录回复"), field="answers")
            direction = Direction(handover.direction).opposite
            return _write(
                handover.case,
                actor,
                handover.linkage_type,
                direction,
                handover.partner,
                note,
                outcome=outcome,
                answers=handover,
            )
    except IntegrityError:
        # The one-to-one held against a return recorded in the same instant.
        raise Conflict(_("该移交已记录回复"), field="answers") from None


def _check_actor(actor: User) -> None:
    if not can_hand_over(actor):
        raise Forbidden(_("只有窗口受理员、调度员或管理员可以记录联动移交"))


def _clean_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > COMMENT_MAX:
        raise InvalidInput({"note": _("说明不能超过%(max)d字") % {"max": COMMENT_MAX}})
    return note


def _partner(linkage_type: str, partner) -> Organisation | None:
    pk = partner.pk if isinstance(partner, Organisation) else partner
    if not isinstance(pk, int) or isinstance(pk, bool):
        return None
    return partner_orgs(linkage_type).filter(pk=pk).first()


def _write(
    case: Case,
    actor: User,
    linkage_type: str,
    direction: str,
    partner: Organisation,
    note: str,
    *,
    outcome: str = "",
    answers: Handover | None = None,
) -> Handover:
    kind = LinkageType(linkage_type)
    now = timezone.now()
    what = _summary(kind, direction, partner, outcome)
    event = record_event(
        case,
        actor=actor,
        action=Action.LINKAGE,
        comment=f"{what}：{note}" if note else what,
        data={
            "type": kind.value,
            "direction": direction,
            "partner": partner.pk,
            "outcome": outcome,
            "answers": answers.pk if answers else None,
        },
        at=now,
    )
    handover = Handover.objects.create(
        case=case,
        linkage_type=kind,
        direction=direction,
        partner=partner,
        at=now,
        by=actor,
        note=note,
        outcome=outcome,
        answers=answers,
        event=event,
    )
    grant_access(case, [partner], "linkage")
    people = User.objects.staff_of(partner)
    notify(
        people,
        kind="other",
        title=_("%(code)s 五调联动：%(what)s") % {"code": case.tracking_code, "what": what},
        body=note,
        case=case,
    )
    return handover


def _summary(kind: LinkageType, direction: str, partner: Organisation, outcome: str) -> str:
    """One line for the timeline and the notice: 检调 · 移交上虞区人民检察院（调解成功）."""
    if outcome:
        text = (_("收到%(org)s回复") if direction == Direction.IN else _("向%(org)s反馈结果")) % {
            "org": partner.name
        }
        text += _("（%(outcome)s）") % {"outcome": Outcome(outcome).label}
    elif direction == Direction.IN:
        text = _("接收%(org)s移交") % {"org": partner.name}
    else:
        text = _("移交%(org)s") % {"org": partner.name}
    return f"{kind.label} · {text}"


# ---------------------------------------------------------------- the report


def stats(handovers: QuerySet[Handover], *, start: dt.datetime, end: dt.datetime) -> list[dict]:
    """Per linkage type, hand-overs in [start, end): in, out, and of those still open the
    incoming (handed in, not yet returned) and the outgoing (sent, no reply yet). One query;
    every type is listed, with zeros."""
    open_ = Q(answers=None, outcome="", answer__isnull=True)
    rows = (
        handovers.filter(at__gte=start, at__lt=end)
        .values("linkage_type", "direction")
        .annotate(n=Count("pk"), open=Count("pk", filter=open_))
        .order_by()
    )
    table = {
        kind: {"type": kind, "in": 0, "out": 0, "in_open": 0, "out_open": 0} for kind in LinkageType
    }
    for row in rows:
        cell = table[LinkageType(row["linkage_type"])]
        cell[row["direction"]] += row["n"]
        cell[f"{row['direction']}_open"] += row["open"]
    return list(table.values())
