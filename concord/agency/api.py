"""信访代办 over the API: assign (or reassign) an agent to a case, log errands, finish, and list
the agencies (the caller's own with `mine=1`). Outside the caller's scope: 404."""

from datetime import datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from concord.cases.scope import get_visible_case
from concord.core.limits import COMMENT_MAX, NAME_MAX

from . import services
from .models import Agency, AgencyStatus

router = Router()
LIST_MAX = 200


class AssignIn(Schema):
    agent: int = Field(description="代办员账号编号（区矛调中心或事项所在镇街矛调中心人员）")
    note: str = Field("", description=f"代办要求（最多{COMMENT_MAX}字）")
    reassign: bool = Field(False, description="已有代办员时改派（原代办记为已改派）")


class ErrandIn(Schema):
    at: datetime | None = Field(None, description="办理时间（默认现在；不晚于现在）")
    department: str = Field(description=f"前往部门（必填，最多{NAME_MAX}字）")
    what: str = Field(description=f"办理事项：递交或领取了什么材料（必填，最多{COMMENT_MAX}字）")
    result: str = Field(description=f"办理结果（必填，最多{COMMENT_MAX}字）")
    next_step: str = Field("", description=f"下一步（最多{COMMENT_MAX}字）")


class AgencyFinishIn(Schema):
    note: str = Field(description=f"办结说明（必填，最多{COMMENT_MAX}字）")


class AgencyFilters(Schema):
    mine: bool = Field(False, description="只看本人代办的（代办中与已结束）")
    status: AgencyStatus | None = Field(None, description="active / finished / reassigned")


class ErrandOut(Schema):
    id: int
    agency: int = Field(alias="agency_id")
    at: datetime
    department: str
    what: str
    result: str
    next_step: str


class AgencyOut(Schema):
    id: int
    case: int = Field(alias="case_id")
    tracking_code: str = Field(alias="case.tracking_code")
    case_title: str = Field(alias="case.title")
    visits_count: int = Field(alias="case.visits_count", description="群众跑腿次数")
    agent: int = Field(alias="agent_id")
    agent_name: str
    status: str
    assigned_at: datetime
    note: str
    ended_at: datetime | None
    closing_note: str
    last_errand_at: datetime | None
    days_since_last: int = Field(description="距最近一次代办（无代办记录时距指派）的天数")
    errands: list[ErrandOut]

    @staticmethod
    def resolve_agent_name(obj) -> str:
        return str(obj.agent)

    @staticmethod
    def resolve_last_errand_at(obj):
        return _last_errand_at(obj)

    @staticmethod
    def resolve_days_since_last(obj) -> int:
        return services.days_since(obj, _last_errand_at(obj), timezone.localdate())

    @staticmethod
    def resolve_errands(obj) -> list:
        return list(obj.errands.all())


def _last_errand_at(agency: Agency) -> datetime | None:
    errands = list(agency.errands.all())  # prefetched, latest first
    return errands[0].at if errands else None


def _full(agencies):
    return agencies.select_related("case", "agent").prefetch_related("errands")


@router.get("/agencies", response=list[AgencyOut])
def list_agencies(request: HttpRequest, filters: Query[AgencyFilters]):
    """Agencies on the cases the caller sees (or, with `mine=1`, the caller's own), active
    first, newest first; at most 200."""
    agencies = services.visible_agencies(request.auth)
    if filters.mine:
        agencies = agencies.filter(agent=request.auth)
    if filters.status:
        agencies = agencies.filter(status=filters.status)
    agencies = agencies.order_by("status", "-assigned_at", "-pk")
    return list(_full(agencies)[:LIST_MAX])


@router.get("/agencies/{agency_id}", response=AgencyOut)
def get_agency(request: HttpRequest, agency_id: int):
    services.get_visible_agency(request.auth, agency_id)
    return _full(Agency.objects.filter(pk=agency_id)).get()


@router.post("/cases/{case_id}/agency", response={201: AgencyOut})
def assign(request: HttpRequest, case_id: int, payload: AssignIn):
    """信访代办: give a petition or dispute an agent (clerk, dispatcher, admin, or the lead
    organisation's handler). One active agency per case; `reassign` to change the agent."""
    case = get_visible_case(request.auth, case_id)
    agency = services.assign(case, actor=request.auth, **payload.dict())
    return Status(201, _full(Agency.objects.filter(pk=agency.pk)).get())


@router.post("/agencies/{agency_id}/errands", response={201: ErrandOut})
def log_errand(request: HttpRequest, agency_id: int, payload: ErrandIn):
    """One errand run for the citizen, by the agent, on an active agency."""
    agency = services.get_visible_agency(request.auth, agency_id)
    return Status(201, services.log_errand(agency, actor=request.auth, **payload.dict()))


@router.post("/agencies/{agency_id}/finish", response=AgencyOut)
def finish(request: HttpRequest, agency_id: int, payload: AgencyFinishIn):
    """End the agency with a closing note (the agent or an assigner)."""
    agency = services.get_visible_agency(request.auth, agency_id)
    services.finish(agency, actor=request.auth, note=payload.note)
    return _full(Agency.objects.filter(pk=agency_id)).get()
