"""Taking in court referrals: who may refer and see them, checking what the court sends, and
registering each referral as a case the center accepts and hands to a mediation organisation.

Who refers: a user of a court (an organisation whose linkage is 法院), for that court; a
dispatcher or the admin on a court's behalf. Who sees: a court's users their court's
referrals; everyone else the referrals of the cases in their scope (cases.scope).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from concord.accounts.models import Role, User
from concord.cases import lifecycle
from concord.cases.choices import Action, CaseType, Channel, PartyRole
from concord.cases.scope import visible_cases
from concord.cases.services import CaseDraft, PartyDraft, register_handed_over
from concord.cases.timeline import record_event
from concord.core.errors import Forbidden, InvalidInput, NotFound
from concord.core.limits import ADDRESS_MAX, AMOUNT_MAX, DESCRIPTION_MAX, NAME_MAX, TITLE_MAX
from concord.core.pii import id_number_problem, phone_problem
from concord.geo.models import Division
from concord.orgs.models import LinkageRole, Organisation

from .choices import ReferralKind
from .models import CourtReferral, CourtReferralType, ReferralBatch

# Staff of the center who refer on a court's behalf: they may also accept and assign.
ON_BEHALF = frozenset({Role.DISPATCHER, Role.ADMIN})
# Registering, accepting and assigning are the center's acts; when a court's user refers, the
# center's standing rule does them in the name of this account (it cannot log in).
CASE_NUMBER_MAX = 40
# (2026)浙0604民诉前调1234号: (year) province, court code, type code, serial, 号.
CASE_NUMBER = re.compile(r"^\(\d{4}\)[\u4e00-\u9fff]\d{2,6}[\u4e00-\u9fff]{1,10}\d{1,8}号$")
SIDE_MAX = 20


def is_court_user(user: User) -> bool:
    org = user.organisation if user.is_authenticated else None
    return org is not None and org.linkage == LinkageRole.COURT


def can_refer(user: User) -> bool:
    return user.is_authenticated and (is_court_user(user) or user.role in ON_BEHALF)


def visible_referrals(user: User) -> QuerySet[CourtReferral]:
    referrals = CourtReferral.objects.all()
    if not user.is_authenticated:
        return referrals.none()
    if is_court_user(user):
        return referrals.filter(court_id=user.organisation_id)
    return referrals.filter(case__in=visible_cases(user))


def get_visible_referral(user: User, referral_id: int) -> CourtReferral:
    referral = (
        visible_referrals(user)
        .select_related("case__lead_org", "court", "type", "referred_by")
        .filter(pk=referral_id)
        .first()
    )
    if referral is None:
        raise NotFound(_("委派调解不存在"))
    return referral


def courts() -> QuerySet[Organisation]:
    return Organisation.objects.filter(linkage=LinkageRole.COURT, active=True).order_by("code")


def court_for(actor: User, court: Organisation | int | None) -> Organisation:
    """The court a referral is made for: a court user's own; the one a dispatcher names."""
    court_id = court.pk if isinstance(court, Organisation) else court
    if is_court_user(actor):
        if court_id not in (None, actor.organisation_id):
            raise Forbidden(_("法院用户只能以本院名义委派"))
        return actor.organisation
    if not can_refer(actor):
        raise Forbidden(_("只有法院用户或调度员、管理员可以委派调解"))
    if court_id is None:
        raise InvalidInput({"court": _("请选择委派法院")})
    found = courts().filter(pk=court_id).first() if isinstance(court_id, int) else None
    if found is None:
        raise InvalidInput({"court": _("委派法院不存在或不是法院")})
    return found


def normalise_number(raw: object) -> str:
    """案号 as stored: no spaces, half-width brackets (（2026） and (2026) are the same)."""
    text = "".join(str(raw or "").split())
    return text.replace("（", "(").replace("）", ")")


# ---------------------------------------------------------------- what the court sends


@dataclass
class Person:
    name: str
    phone: str = ""
    id_number: str = ""
    address: str = ""


@dataclass
class ReferralDraft:
    """One referral as a form, the API or a row of an uploaded file gives it."""

    court_case_number: str
    type: str  # a referral type's code or name (案由)
    description: str
    plaintiffs: list[Person] = field(default_factory=list)
    defendants: list[Person] = field(default_factory=list)
    kind: str = ""  # code or label; empty is 诉前调解
    division: str = ""  # 12-digit code or the name of a town or village
    address: str = ""
    amount: Decimal | str | None = None


@dataclass
class Checked:
    number: str
    type: CourtReferralType
    kind: str
    case: CaseDraft


class Lookups:
    """Referral types and divisions, read once for a whole file of rows."""

    def __init__(self) -> None:
        self._types: dict[str, CourtReferralType] | None = None
        self._places: dict[str, list[str]] = {}

    def type(self, value: str) -> CourtReferralType | None:
        if self._types is None:
            active = CourtReferralType.objects.filter(active=True).select_related(
                "category", "mediation_org"
            )
            self._types = {}
            for t in active:
                self._types[t.code] = self._types[t.name] = t
        return self._types.get(value.strip())

    def type_names(self) -> str:
        self.type("")
        names = dict.fromkeys(t.name for t in (self._types or {}).values())
        return "、".join(names)

    def divisions(self, place: str) -> list[str]:
        """The codes of the county's divisions with this 12-digit code or this name."""
        if place not in self._places:
            county = Division.objects.filter(code__startswith=settings.CONCORD["COUNTY_CODE"])
            found = county.filter(code=place) if place.isdigit() else county.filter(name=place)
            self._places[place] = list(found.values_list("code", flat=True)[:3])
        return self._places[place]


def check_draft(draft: ReferralDraft, lookups: Lookups | None = None) -> Checked:
    """Check every field; InvalidInput names each one at fault (court_case_number, type,
    kind, plaintiffs[0].phone, …)."""
    lookups = lookups or Lookups()
    errors: dict[str, str] = {}
    number = normalise_number(draft.court_case_number)
    if not number:
        errors["court_case_number"] = _("请填写案号")
    elif len(number) > CASE_NUMBER_MAX or not CASE_NUMBER.match(number):
        errors["court_case_number"] = _("案号格式不正确，应如 (2026)浙0604民诉前调1234号")
    kind = _kind(draft.kind, errors)
    referral_type = None
    if not (draft.type or "").strip():
        errors["type"] = _("请填写案由")
    elif (referral_type := lookups.type(draft.type)) is None:
        errors["type"] = _("未知的案由「%(value)s」，可选：%(names)s") % {
            "value": draft.type.strip()[:NAME_MAX],
            "names": lookups.type_names(),
        }
    description = (draft.description or "").strip()
    if not description:
        errors["description"] = _("请填写案情摘要")
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = _("案情摘要不能超过%(max)d字") % {"max": DESCRIPTION_MAX}
    parties = _parties("plaintiffs", draft.plaintiffs, PartyRole.APPLICANT, errors)
    parties += _parties("defendants", draft.defendants, PartyRole.RESPONDENT, errors)
    division = _division(draft.division, lookups, errors)
    address = (draft.address or "").strip()
    if len(address) > ADDRESS_MAX:
        errors["address"] = _("详细地址不能超过%(max)d字") % {"max": ADDRESS_MAX}
    amount = _amount(draft.amount, errors)
    if errors:
        raise InvalidInput(errors)
    category = referral_type.category
    return Checked(
        number=number,
        type=referral_type,
        kind=kind,
        case=CaseDraft(
            type=CaseType.DISPUTE,
            channel=Channel.COURT_REFERRAL,
            description=description,
            title=f"{referral_type.name} {number}"[:TITLE_MAX],
            # A category switched off in the admin is left out rather than refusing the case.
            category=category.code if category is not None and category.active else "",
            division=division,
            address=address,
            amount=amount,
            parties=parties,
        ),
    )


def _kind(value: str, errors: dict) -> str:
    text = (value or "").strip()
    if not text:
        return ReferralKind.PRE_SUIT
    # Courts' files say 诉前调解 / 委派调解 whatever language the uploader's screen speaks.
    with translation.override("zh-hans"):
        for kind in ReferralKind:
            if text in (kind.value, str(kind.label)):
                return kind.value
    errors["kind"] = _("委派方式应为诉前调解或委派调解")
    return ReferralKind.PRE_SUIT


def _parties(side: str, people: list[Person], role: str, errors: dict) -> list[PartyDraft]:
    who = _("原告") if side == "plaintiffs" else _("被告")
    people = [p for p in people if any((p.name, p.phone, p.id_number, p.address))]
    if not people:
        errors[side] = _("请填写%(who)s") % {"who": who}
        return []
    if len(people) > SIDE_MAX:
        errors[side] = _("%(who)s不能超过%(max)d人") % {"who": who, "max": SIDE_MAX}
        return []
    drafts = []
    for i, person in enumerate(people):
        where = f"{side}[{i}]"
        name, phone = (person.name or "").strip(), (person.phone or "").strip()
        id_number = (person.id_number or "").strip().upper()
        address = (person.address or "").strip()
        if not name:
            errors[f"{where}.name"] = _("请填写%(who)s姓名或名称") % {"who": who}
        elif len(name) > NAME_MAX:
            errors[f"{where}.name"] = _("姓名不能超过%(max)d字") % {"max": NAME_MAX}
        if phone and (problem := phone_problem(phone)):
            errors[f"{where}.phone"] = problem
        if id_number and (problem := id_number_problem(id_number)):
            errors[f"{where}.id_number"] = problem
        if len(address) > ADDRESS_MAX:
            errors[f"{where}.address"] = _("住址不能超过%(max)d字") % {"max": ADDRESS_MAX}
        drafts.append(PartyDraft(role, name, id_number, phone, address))
    return drafts


def _division(value: str, lookups: Lookups, errors: dict) -> str:
    text = (value or "").strip()
    if not text:
        return ""
    codes = lookups.divisions(text)
    if not codes:
        errors["division"] = _("发生地「%(place)s」不在本县（区）范围内") % {"place": text[:64]}
        return ""
    if len(codes) > 1:
        errors["division"] = _("发生地「%(place)s」有同名区划，请填写12位区划代码") % {
            "place": text
        }
        return ""
    return codes[0]


def _amount(value, errors: dict) -> Decimal | None:
    if value is None or value == "":
        return None
    text = str(value).strip().replace(",", "").replace("，", "").removesuffix("元")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        errors["amount"] = _("标的额应为数字（元）")
        return None
    if not amount.is_finite() or not 0 <= amount < AMOUNT_MAX:
        errors["amount"] = _("标的额超出范围")
        return None
    return amount.quantize(Decimal("0.01"))


# ---------------------------------------------------------------- registering a referral


def existing_referral(court: Organisation, number: str) -> CourtReferral | None:
    return CourtReferral.objects.filter(court=court, court_case_number=number).first()


def refer(
    *,
    actor: User,
    draft: ReferralDraft,
    court: Organisation | int | None = None,
    batch: ReferralBatch | None = None,
    lookups: Lookups | None = None,
) -> tuple[CourtReferral, bool]:
    """Take one referral in; returns (referral, created). The same court and 案号 again
    returns the first referral and writes nothing (the case number is the idempotency key).

    1. the court: the court user's own, or the one a dispatcher or the admin names;
    2. an existing referral with this number answers at once; else every field is checked;
    3. in one transaction: `register_handed_over` (dispute, channel 法院委派, the type's
       category, the parties as applicants and respondents) registered for the court, so the
       court sees it; the system accepts and assigns the lead to the type's mediation
       organisation (none: left for dispatch); the referral row; COURT_REFERRED on the
       timeline, which starts the 30-day `court_mediation` clock (policy 法院委派调解)."""
    court = court_for(actor, court)
    number = normalise_number(draft.court_case_number)
    if previous := existing_referral(court, number):
        return previous, False
    checked = check_draft(draft, lookups)
    try:
        with transaction.atomic():
            referral = _write(actor, court, checked, batch)
    except IntegrityError:
        # The same number was taken in at the same moment: answer with the first one.
        previous = existing_referral(court, number)
        if previous is None:
            raise
        return previous, False
    return referral, True


def _write(
    actor: User, court: Organisation, checked: Checked, batch: ReferralBatch | None
) -> CourtReferral:
    # Registered for the court (its users see the case); the center takes it in at once and
    # hands it to the type's mediation organisation: the system acts, the court referred.
    case = register_handed_over(actor=actor, draft=checked.case, organisation=court)
    case = lifecycle.transition(
        case, actor=None, action=Action.ACCEPT, comment=_("法院委派调解，自动受理")
    )
    lead = checked.type.mediation_org
    if lead is not None and lead.active:
        case = lifecycle.transition(
            case,
            actor=None,
            action=Action.ASSIGN,
            comment=_("按案由「%(type)s」交由默认调解组织") % {"type": checked.type.name},
            lead_org=lead.pk,
            assisting_orgs=[],
        )
    now = timezone.now()
    referral = CourtReferral.objects.create(
        case=case,
        court=court,
        court_case_number=checked.number,
        kind=checked.kind,
        type=checked.type,
        batch=batch,
        referred_at=now,
        referred_by=actor,
    )
    record_event(
        case,
        actor=actor,
        action=Action.COURT_REFERRED,
        comment=_("%(court)s%(kind)s，案号%(number)s，案由%(type)s")
        % {
            "court": court.name,
            "kind": ReferralKind(checked.kind).label,
            "number": checked.number,
            "type": checked.type.name,
        },
        data={"referral": referral.pk},
        at=now,
    )
    return referral
