"""Mediation API: the mediator pool, and the mediations of a case with their sessions. Cases
outside the caller's scope answer 404 (cases.scope), as everywhere."""

from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from concord.cases.scope import get_visible_case
from concord.core.errors import InvalidInput, NotFound

from .models import Mediation, Mediator, Room
from .pool import MediatorFilterForm, success_rate, with_record
from .services import finish_mediation, schedule_session, start_mediation

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
    """The mediator pool (调解员库) with workload and outcomes."""
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


class FinishIn(Schema):
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


@router.post("/mediations/{mediation_id}/finish", response=MediationOut)
def finish(request: HttpRequest, mediation_id: int, payload: FinishIn):
    """End the mediation: succeeded, failed or withdrawn."""
    mediation = _mediation(request, mediation_id)
    return finish_mediation(mediation, actor=request.auth, **payload.dict())
