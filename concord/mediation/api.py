"""Mediation API: the mediator pool, the mediations of a case with their sessions, the
agreement of a succeeded one with its judicial confirmation, and sending a case on to court.
Cases outside the caller's scope answer 404 (cases.scope), as everywhere."""

from datetime import date, datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status, UploadedFile
from pydantic import Field

from concord.cases.scope import get_visible_case
from concord.core.errors import Forbidden, InvalidInput, NotFound
from concord.core.locking import VERSION_HELP
from concord.orgs.models import Organisation

from .agreements import (
    AgreementDraft,
    agreement_download,
    attach_scan,
    create_agreement,
    scan_download,
)
from .agreements import record_effect as record_agreement_effect
from .chain import case_chain, refer_to_court
from .confirmation import apply_for_confirmation, record_ruling, window_due
from .models import (
    Agreement,
    Confirmation,
    LitigationReferral,
    Mediation,
    Mediator,
    Room,
    Session,
)
from .pool import MediatorFilterForm, success_rate, with_record
from .services import (
    can_read_pool,
    finish_mediation,
    record_session,
    schedule_session,
    start_mediation,
)

router = Router()


class MediatorFilters(Schema):
    specialty: str | None = Field(None, description="专长领域代码，如 medical、labour")
    active: bool | None = None
    q: str | None = Field(None, max_length=64, description="姓名或单位")


class MediatorOut(Schema):
    id: int
    name: str
    organisation: int = Field(alias="organisation_id")
    organisation_name: str = Field(alias="organisation.name")
    specialties: list[str]
    is_lawyer: bool
    active: bool
    workload: int = Field(description="进行中的调解数")
    succeeded: int
    failed: int
    success_rate: float | None = Field(description="调解成功 /（成功 + 不成）")
    avg_rating: float | None

    @staticmethod
    def resolve_success_rate(obj) -> float | None:
        return success_rate(obj)


@router.get("/mediators", response=list[MediatorOut])
def list_mediators(request: HttpRequest, filters: Query[MediatorFilters]):
    """The mediator pool (调解员库) with workload and outcomes (dispatcher, mediator, admin)."""
    if not can_read_pool(request.auth):
        raise Forbidden(_("只有调度员、调解员或管理员可以查看调解员库"))
    # The page's filter form, fed the query: one definition of what each filter means.
    data = {k: str(v).lower() if isinstance(v, bool) else v for k, v in filters.dict().items()}
    form = MediatorFilterForm({k: v for k, v in data.items() if v is not None})
    if not form.is_valid():
        raise InvalidInput({field: " ".join(errors) for field, errors in form.errors.items()})
    mediators = form.filter(with_record(Mediator.objects.all()))
    return list(mediators.order_by("organisation__code", "name"))


class SessionOut(Schema):
    id: int
    starts_at: datetime
    ends_at: datetime
    room: int | None = Field(alias="room_id")
    room_name: str | None = None
    online_link: str
    attendees: str
    record: str
    version: int = Field(description="调解记录的版本号（乐观锁）")

    @staticmethod
    def resolve_room_name(obj) -> str | None:
        return obj.room.name if obj.room_id else None


class MediationMediatorOut(Schema):
    id: int
    name: str
    organisation: int = Field(alias="organisation_id")


class MediationOut(Schema):
    id: int
    case: int = Field(alias="case_id")
    status: str
    started_at: datetime
    ended_at: datetime | None
    outcome_note: str
    rating: int | None
    mediators: list[MediationMediatorOut]
    sessions: list[SessionOut]

    @staticmethod
    def resolve_mediators(obj):
        return list(obj.mediators.all())

    @staticmethod
    def resolve_sessions(obj):
        return list(obj.sessions.select_related("room"))


class StartIn(Schema):
    mediators: list[int] = Field(description="调解员 id（1–5 名）")


class SessionIn(Schema):
    starts_at: datetime
    ends_at: datetime
    room: int | None = Field(None, description="调解室 id；线上调解可不填")
    online_link: str = Field("", max_length=500)
    attendees: str = Field("", max_length=2000)


class SessionRecordIn(Schema):
    attendees: str = Field("", description="参加人员")
    record: str = Field(description="调解记录（不超过5000字）")
    version: int | None = Field(None, ge=1, description=VERSION_HELP)


class MediationFinishIn(Schema):
    outcome: str = Field(description="succeeded | failed | withdrawn")
    note: str = Field(max_length=2000)
    rating: int | None = Field(None, description="1–5")


def _mediation(request: HttpRequest, mediation_id: int) -> Mediation:
    mediation = Mediation.objects.filter(pk=mediation_id).first()
    if mediation is None:
        raise NotFound(_("调解不存在"))
    mediation.case = get_visible_case(request.auth, mediation.case_id)
    return mediation


@router.get("/cases/{case_id}/mediations", response=list[MediationOut])
def case_mediations(request: HttpRequest, case_id: int):
    """The mediations of a case, newest first."""
    case = get_visible_case(request.auth, case_id)
    return list(case.mediations.prefetch_related("mediators"))


@router.post("/cases/{case_id}/mediations", response={201: MediationOut})
def start(request: HttpRequest, case_id: int, payload: StartIn):
    """Start a mediation on the case with the given mediators."""
    case = get_visible_case(request.auth, case_id)
    return Status(201, start_mediation(case, actor=request.auth, mediators=payload.mediators))


@router.post("/mediations/{mediation_id}/sessions", response={201: SessionOut})
def schedule(request: HttpRequest, mediation_id: int, payload: SessionIn):
    """Book a session in a room (never double-booked) or online."""
    mediation = _mediation(request, mediation_id)
    params = payload.dict()
    room_id = params.pop("room")
    room = None
    if room_id is not None:
        room = Room.objects.filter(pk=room_id).first()
        if room is None:
            raise InvalidInput({"room": _("调解室不存在")})
    return Status(201, schedule_session(mediation, actor=request.auth, room=room, **params))


@router.post("/sessions/{session_id}/record", response=SessionOut)
def record(request: HttpRequest, session_id: int, payload: SessionRecordIn):
    """Write the record (调解记录) of a sitting that has begun, while the mediation is open;
    with `version`, only if nobody has saved it since that version was read (else 409)."""
    session = Session.objects.select_related("mediation", "room").filter(pk=session_id).first()
    if session is None:
        raise NotFound(_("调解场次不存在"))
    session.mediation.case = get_visible_case(request.auth, session.mediation.case_id)
    return record_session(session, actor=request.auth, **payload.dict())


@router.post("/mediations/{mediation_id}/finish", response=MediationOut)
def finish(request: HttpRequest, mediation_id: int, payload: MediationFinishIn):
    """End the mediation: succeeded, failed or withdrawn."""
    mediation = _mediation(request, mediation_id)
    return finish_mediation(mediation, actor=request.auth, **payload.dict())


# ---------------------------------------------------------------- agreement and what follows


class PartyRef(Schema):
    id: int
    role: str
    name: str


class ConfirmationOut(Schema):
    id: int
    agreement: int = Field(alias="agreement_id")
    court: int = Field(alias="court_id")
    court_name: str = Field(alias="court.name")
    applied_on: date
    joint: bool
    ruling: str = Field(description="valid | rejected；空表示法院审查中")
    ruled_on: date | None
    ruling_number: str
    ruling_note: str


class AgreementOut(Schema):
    id: int
    number: str
    mediation: int = Field(alias="mediation_id")
    case: int
    kind: str = Field(description="written | oral")
    parties: list[PartyRef]
    facts: str
    disputes: str
    responsibility: str
    terms: str
    performance_method: str
    performance_due: date
    created_at: datetime
    parties_signed: bool
    mediator_signed: bool
    sealed: bool
    effective_at: datetime | None
    scan: bool = Field(description="已上传签字盖章扫描件")
    window_due: datetime | None = Field(description="司法确认申请期限（生效后）")
    confirmation: ConfirmationOut | None

    @staticmethod
    def resolve_case(obj) -> int:
        return obj.mediation.case_id

    @staticmethod
    def resolve_parties(obj):
        return list(obj.parties.all())

    @staticmethod
    def resolve_scan(obj) -> bool:
        return bool(obj.scan)

    @staticmethod
    def resolve_window_due(obj) -> datetime | None:
        return window_due(obj)

    @staticmethod
    def resolve_confirmation(obj):
        return Confirmation.objects.select_related("court").filter(agreement=obj).first()


class AgreementIn(Schema):
    kind: str = Field("written", description="written（书面）| oral（口头）")
    parties: list[int] = Field(default_factory=list, description="本事项当事人的 id，至少两方")
    facts: str = Field("", description="纠纷主要事实")
    disputes: str = Field("", description="争议事项")
    responsibility: str = Field("", description="各方责任")
    terms: str = Field("", description="协议内容")
    performance_method: str = Field("", description="履行方式")
    performance_due: date | None = Field(None, description="履行期限")


class EffectIn(Schema):
    effective_at: datetime | None = Field(None, description="生效时间，不晚于现在")
    parties_signed: bool = False
    mediator_signed: bool = False
    sealed: bool = False


class ConfirmationIn(Schema):
    applied_on: date | None = Field(None, description="申请日期")
    joint: bool = Field(False, description="双方当事人共同申请")
    court: int | None = Field(None, description="受理法院的单位 id；默认为联动法院")


class RulingIn(Schema):
    ruling: str = Field("", description="valid（裁定调解协议有效）| rejected（裁定驳回申请）")
    ruled_on: date | None = None
    number: str = Field("", description="裁定书文号")
    note: str = Field("", description="裁定说明；驳回时必填")


class LitigationIn(Schema):
    route: str = Field("", description="guided（诉讼引调）| litigation（诉讼）")
    court: int | None = Field(None, description="法院的单位 id；默认为联动法院")
    note: str = ""
    legal_aid: bool = False
    aid_reasons: list[str] = Field(
        default_factory=list,
        description="hardship, migrant_wages, disabled, elderly, minor, military, other",
    )
    aid_note: str = ""


class LitigationReferralOut(Schema):
    id: int
    case: int = Field(alias="case_id")
    route: str
    court: int = Field(alias="court_id")
    note: str
    legal_aid: bool
    aid_reasons: list[str]
    aid_note: str
    aid_org: int | None = Field(alias="aid_org_id")
    created_at: datetime


class StepOut(Schema):
    code: str
    label: str
    state: str = Field(description="done | current | todo | skipped")
    note: str


class ChainOut(Schema):
    current: str
    steps: list[StepOut]


def _agreement(request: HttpRequest, agreement_id: int) -> Agreement:
    agreement = Agreement.objects.select_related("mediation").filter(pk=agreement_id).first()
    if agreement is None:
        raise NotFound(_("调解协议不存在"))
    agreement.mediation.case = get_visible_case(request.auth, agreement.mediation.case_id)
    return agreement


def _court(court_id: int | None) -> Organisation | None:
    if court_id is None:
        return None
    court = Organisation.objects.filter(pk=court_id).first()
    if court is None:
        raise InvalidInput({"court": _("法院不存在")})
    return court


@router.post("/mediations/{mediation_id}/agreement", response={201: AgreementOut})
def make_agreement(request: HttpRequest, mediation_id: int, payload: AgreementIn):
    """Make the agreement (人民调解协议书) of a succeeded mediation; one per mediation."""
    mediation = _mediation(request, mediation_id)
    draft = AgreementDraft(**payload.dict())
    return Status(201, create_agreement(mediation, actor=request.auth, draft=draft))


@router.get("/agreements/{agreement_id}", response=AgreementOut)
def agreement(request: HttpRequest, agreement_id: int):
    """An agreement, its effect, its confirmation window and its confirmation."""
    return _agreement(request, agreement_id)


@router.get("/agreements/{agreement_id}/document.{kind}")
def agreement_file(request: HttpRequest, agreement_id: int, kind: str):
    """The 人民调解协议书 as `docx` or `pdf`: it prints the parties' full personal data, so
    each download is audited and only roles that may see it get it."""
    found = _agreement(request, agreement_id)
    ip = request.META.get("REMOTE_ADDR")
    return agreement_download(found, actor=request.auth, kind=kind, ip=ip)


@router.post("/agreements/{agreement_id}/effective", response=AgreementOut)
def effective(request: HttpRequest, agreement_id: int, payload: EffectIn):
    """Record that the agreement took effect; starts the 30-day confirmation window."""
    found = _agreement(request, agreement_id)
    return record_agreement_effect(found, actor=request.auth, **payload.dict())


@router.post("/agreements/{agreement_id}/scan", response=AgreementOut)
def upload_scan(request: HttpRequest, agreement_id: int, scan: File[UploadedFile] = None):
    """Upload the signed and sealed agreement (multipart field `scan`: PDF, JPEG or PNG,
    at most 10 MB)."""
    return attach_scan(_agreement(request, agreement_id), actor=request.auth, upload=scan)


@router.get("/agreements/{agreement_id}/scan")
def download_scan(request: HttpRequest, agreement_id: int):
    """The signed scan, as uploaded: a full view of the parties' data, for the roles that may
    see it, audited."""
    found = _agreement(request, agreement_id)
    return scan_download(found, actor=request.auth, ip=request.META.get("REMOTE_ADDR"))


@router.post("/agreements/{agreement_id}/confirmation", response={201: ConfirmationOut})
def apply(request: HttpRequest, agreement_id: int, payload: ConfirmationIn):
    """Record the parties' joint application for judicial confirmation (within 30 days of
    the agreement taking effect; later is refused with 409)."""
    found = _agreement(request, agreement_id)
    params = payload.dict()
    court = _court(params.pop("court"))
    return Status(201, apply_for_confirmation(found, actor=request.auth, court=court, **params))


@router.post("/confirmations/{confirmation_id}/ruling", response=ConfirmationOut)
def ruling(request: HttpRequest, confirmation_id: int, payload: RulingIn):
    """The court's ruling: valid or rejected (the court applied to, or a dispatcher)."""
    confirmation = (
        Confirmation.objects.select_related("agreement__mediation", "court")
        .filter(pk=confirmation_id)
        .first()
    )
    if confirmation is None:
        raise NotFound(_("司法确认申请不存在"))
    case = get_visible_case(request.auth, confirmation.agreement.mediation.case_id)
    confirmation.agreement.mediation.case = case
    return record_ruling(confirmation, actor=request.auth, **payload.dict())


@router.post("/cases/{case_id}/litigation", response={201: LitigationReferralOut})
def litigation(request: HttpRequest, case_id: int, payload: LitigationIn):
    """Send the case to court-guided mediation (诉讼引调) or litigation (诉讼), with a
    legal-aid referral to the justice bureau when a party is eligible."""
    case = get_visible_case(request.auth, case_id)
    params = payload.dict()
    court = _court(params.pop("court"))
    return Status(201, refer_to_court(case, actor=request.auth, court=court, **params))


@router.get("/cases/{case_id}/chain", response=ChainOut)
def chain(request: HttpRequest, case_id: int):
    """Where the case stands on 纠纷调处 → 司法确认 → 诉讼引调 → 诉讼."""
    case = get_visible_case(request.auth, case_id)
    return case_chain(case)


@router.get("/cases/{case_id}/litigation", response=list[LitigationReferralOut])
def referrals(request: HttpRequest, case_id: int):
    """The case's referrals to court-guided mediation and litigation."""
    case = get_visible_case(request.auth, case_id)
    return list(LitigationReferral.objects.filter(case=case))
