"""Writes to cases other than lifecycle transitions: intake and revealing personal data."""

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from concord.accounts.models import User
from concord.accounts.permissions import can_register, can_reveal_pii
from concord.audit.models import AuditAction, record
from concord.core.crypto import keyed_hash
from concord.core.errors import Conflict, Forbidden, InvalidInput
from concord.core.limits import (
    ADDRESS_MAX,
    AMOUNT_MAX,
    DESCRIPTION_MAX,
    NAME_MAX,
    PARTIES_MAX,
    PEOPLE_MAX,
    TITLE_MAX,
    has_control_characters,
)
from concord.core.pii import id_number_problem, phone_problem
from concord.geo.models import Division, DivisionLevel
from concord.geo.places import locate
from concord.orgs.models import Organisation

from .choices import Action, CaseStatus, CaseType, Channel, PartyRole, RiskLevel
from .models import Case, CaseEvent, Category, IdempotencyKey, Party
from .signals import event_recorded
from .tracking import next_tracking_code

_DIVISION_CODE = re.compile(r"^\d{12}$")


def _list(items) -> str:
    """Items joined for a message, the way the language writes a list (、 in Chinese)."""
    return pgettext("list separator", "、").join(str(item) for item in items)


@dataclass
class PartyDraft:
    role: str
    name: str
    id_number: str = ""
    phone: str = ""
    address: str = ""


@dataclass
class CaseDraft:
    """What a window, a phone call, an API client or an import says about a new case."""

    type: str
    channel: str
    description: str
    title: str = ""
    category: str = ""
    division: str = ""
    address: str = ""
    lat: float | None = None
    lng: float | None = None
    people_count: int = 1
    amount: Decimal | str | None = None
    risk_level: str = RiskLevel.BLUE
    source: str = ""
    source_id: str = ""
    parties: list[PartyDraft] = field(default_factory=list)
    received_at: datetime | None = None


def register_case(*, actor: User, draft: CaseDraft) -> Case:
    """Register a case once (一窗受理): validate everything, then write case, parties and event."""
    case = _prepare(actor, draft)
    with transaction.atomic():
        _write(case, draft)
    return case


def register_handed_over(*, actor: User, draft: CaseDraft, organisation: Organisation) -> Case:
    """Register a case a partner hands to the center (a court's referral), on the partner's
    behalf: its users see the case as theirs. The partner's own service has already checked
    that the actor may hand it over, so the window clerks' registering role is not asked."""
    case = _prepare(actor, draft, check_role=False)
    case.registered_org_id = organisation.pk
    with transaction.atomic():
        _write(case, draft)
    return case


def _prepare(actor: User, draft: CaseDraft, *, check_role: bool = True) -> Case:
    """The unsaved case, checked and numbered. Numbering happens outside the writing
    transaction so that the day's counter is not locked for the whole registration."""
    if check_role and not can_register(actor):
        raise Forbidden(_("您的角色不能登记事项"))
    cleaned = _clean(actor, draft)
    if draft.source_id and (
        twin := Case.objects.filter(source=draft.source, source_id=draft.source_id).first()
    ):
        raise Conflict(
            _("来源编号 %(source_id)s 已登记为事项 %(code)s")
            % {"source_id": draft.source_id, "code": twin.tracking_code},
            field="source_id",
        )
    received_at = draft.received_at or timezone.now()
    return Case(
        tracking_code=next_tracking_code(received_at),
        registered_by=actor,
        registered_org_id=actor.organisation_id,
        received_at=received_at,
        **cleaned,
    )


def _write(case: Case, draft: CaseDraft) -> None:
    """Save a prepared case with its parties and its registration event (inside a transaction)."""
    case.save(force_insert=True)
    parties = Party.objects.bulk_create(
        Party(
            case=case,
            role=p.role,
            name=p.name.strip(),
            id_number=p.id_number.strip().upper(),
            id_number_hash=keyed_hash(p.id_number),
            phone=p.phone.strip(),
            phone_hash=keyed_hash(p.phone),
            address=p.address.strip(),
        )
        for p in draft.parties
    )
    actor = case.registered_by
    event = CaseEvent.objects.create(
        case=case,
        actor=actor,
        actor_org=actor.organisation,
        action=Action.REGISTER,
        to_status=CaseStatus.REGISTERED,
        data={"channel": case.channel, "type": case.type},
    )
    _remember(case, parties=parties, tasks=[], events=[event])
    event_recorded.send(sender=Case, case=case, event=event)


def _remember(case: Case, **related: list) -> None:
    """Fill the case's related lists as prefetch_related would, so that whoever shows the new
    case (the API answers with it in full) does not read back what was just written."""
    case._prefetched_objects_cache = {}
    for name, rows in related.items():
        queryset = getattr(case, name).all()
        queryset._result_cache, queryset._prefetch_done = list(rows), True
        case._prefetched_objects_cache[name] = queryset


def register_case_once(
    *, actor: User, draft: CaseDraft, idempotency_key: str, fingerprint: str
) -> tuple[Case, bool]:
    """Register unless this key was used before by the same user; then return the first case.

    Returns (case, created). The same key with a different body is a conflict, not a retry.
    """
    if len(idempotency_key) > 128 or not idempotency_key.strip():
        raise InvalidInput({"Idempotency-Key": _("幂等键应为1至128个字符")})
    if previous := IdempotencyKey.objects.filter(user=actor, key=idempotency_key).first():
        return _replay(previous, fingerprint), False
    case = _prepare(actor, draft)
    try:
        with transaction.atomic():
            _write(case, draft)
            IdempotencyKey.objects.create(
                user=actor, key=idempotency_key, fingerprint=fingerprint, case=case
            )
    except IntegrityError:
        # A concurrent retry with the same key won the race: answer with its case.
        previous = IdempotencyKey.objects.filter(user=actor, key=idempotency_key).first()
        if previous is None:
            raise
        return _replay(previous, fingerprint), False
    return case, True


def _replay(previous: IdempotencyKey, fingerprint: str) -> Case:
    if previous.fingerprint != fingerprint:
        raise Conflict(_("该幂等键已用于内容不同的请求"), field="Idempotency-Key")
    return previous.case


def reveal_party(*, actor: User, party: Party, ip: str | None = None) -> Party:
    """Allow a full view of a party's ID number and phone, and audit it (PIPL art. 51)."""
    if not can_reveal_pii(actor):
        raise Forbidden(_("您的角色不能查看完整的身份证号和电话"))
    record(
        actor=actor,
        action=AuditAction.REVEAL_PII,
        obj=party,
        detail={"case": party.case.tracking_code, "name": party.name},
        ip=ip,
    )
    return party


def _clean(actor: User, draft: CaseDraft) -> dict:
    """Check every field and return the model values, or raise InvalidInput naming each field."""
    errors: dict[str, str] = {}
    description = (draft.description or "").strip()
    if not description:
        errors["description"] = _("请填写诉求内容")
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = _("诉求内容不能超过%(max)d字（现为%(length)d字）") % {
            "max": DESCRIPTION_MAX,
            "length": len(description),
        }
    title = (draft.title or "").strip() or description[:30]
    if len(title) > TITLE_MAX:
        errors["title"] = _("标题不能超过%(max)d字") % {"max": TITLE_MAX}
    if draft.type not in CaseType.values:
        errors["type"] = _("未知的事项类型，可选：") + _list(CaseType.values)
    if draft.channel not in Channel.values:
        errors["channel"] = _("未知的来源渠道，可选：") + _list(Channel.values)
    if draft.risk_level not in RiskLevel.values:
        errors["risk_level"] = _("未知的风险等级，可选：") + _list(RiskLevel.values)
    if len(draft.address or "") > ADDRESS_MAX:
        errors["address"] = _("地址不能超过%(max)d字") % {"max": ADDRESS_MAX}

    category = None
    if draft.category:
        # A NUL in the code would reach PostgreSQL, which refuses it (a 500, not a 422).
        if not has_control_characters(draft.category):
            category = Category.objects.filter(code=draft.category, active=True).first()
        if category is None:
            errors["category"] = _("类别「%(code)s」不存在") % {"code": draft.category}

    division = _division(actor, draft.division, draft.address or "", errors)
    _check_numbers(draft, errors)
    amount = _amount(draft.amount, errors)
    _check_parties(draft.parties, errors)
    texts = {"description": description, "title": title, "address": draft.address or ""}
    texts |= {"source_id": draft.source_id or "", "source": draft.source or ""}
    for i, party in enumerate(draft.parties):
        texts |= {f"parties[{i}].name": party.name, f"parties[{i}].address": party.address}
    for name, text in texts.items():
        if isinstance(text, str) and has_control_characters(text):
            errors.setdefault(name, _("含有不可见的控制字符"))
    if draft.source_id and len(draft.source_id) > 64:
        errors["source_id"] = _("来源编号不能超过64个字符")
    if errors:
        raise InvalidInput(errors)
    return {
        "type": draft.type,
        "channel": draft.channel,
        "title": title,
        "description": description,
        "category": category,
        "division": division,
        "town_id": division.town_code,
        "address": (draft.address or "").strip(),
        "lat": draft.lat,
        "lng": draft.lng,
        "people_count": draft.people_count,
        "amount": amount,
        "risk_level": draft.risk_level,
        "source": draft.source,
        "source_id": draft.source_id,
        # 零跑/跑一次: only a visit to a window counts as the citizen having had to come.
        "visits_count": 1 if draft.channel == Channel.WALK_IN else 0,
    }


def _division(actor: User, code: str, address: str, errors: dict) -> Division | None:
    """The code given; else the town or village the address names (geo.places); else where
    the registering organisation sits (the county for the center)."""
    if not code and (named := locate(address).division):
        return Division.objects.get(code=named)
    if not code:
        org = actor.organisation
        if org is not None:
            return org.division
        return Division.objects.filter(level=DivisionLevel.COUNTY).first()
    if not _DIVISION_CODE.match(code):
        errors["division"] = _("区划代码应为12位数字")
        return None
    division = Division.objects.filter(code=code).first()
    # With several counties in one database, a county's staff register in their own county.
    home = actor.organisation.division_id[:6] if actor.organisation else code[:6]
    if division is None or not code.startswith(home):
        errors["division"] = _("区划代码 %(code)s 不在本县（区）范围内") % {"code": code}
        return None
    return division


def _check_numbers(draft: CaseDraft, errors: dict) -> None:
    if not isinstance(draft.people_count, int) or not 1 <= draft.people_count <= PEOPLE_MAX:
        errors["people_count"] = _("涉及人数应为1至%(max)d的整数") % {"max": PEOPLE_MAX}
    if (draft.lat is None) != (draft.lng is None):
        errors["lat"] = _("经纬度须同时填写")
    elif draft.lat is not None and not (-90 <= draft.lat <= 90 and -180 <= draft.lng <= 180):
        errors["lat"] = _("经纬度超出范围")


def _amount(value, errors: dict) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        errors["amount"] = _("涉及金额应为数字")
        return None
    if not amount.is_finite() or not 0 <= amount < AMOUNT_MAX:
        errors["amount"] = _("涉及金额超出范围")
        return None
    return amount.quantize(Decimal("0.01"))


def _check_parties(parties: list[PartyDraft], errors: dict) -> None:
    if len(parties) > PARTIES_MAX:
        errors["parties"] = _("当事人不能超过%(max)d人") % {"max": PARTIES_MAX}
        return
    for i, party in enumerate(parties):
        where = f"parties[{i}]"
        if party.role not in PartyRole.values:
            errors[f"{where}.role"] = _("当事人身份应为 applicant、respondent 或 third_party")
        if not party.name.strip():
            errors[f"{where}.name"] = _("请填写当事人姓名")
        elif len(party.name) > NAME_MAX:
            errors[f"{where}.name"] = _("姓名不能超过%(max)d字") % {"max": NAME_MAX}
        if party.id_number.strip() and (problem := id_number_problem(party.id_number)):
            errors[f"{where}.id_number"] = problem
        if party.phone.strip() and (problem := phone_problem(party.phone)):
            errors[f"{where}.phone"] = problem
        if len(party.address) > ADDRESS_MAX:
            errors[f"{where}.address"] = _("住址不能超过%(max)d字") % {"max": ADDRESS_MAX}
