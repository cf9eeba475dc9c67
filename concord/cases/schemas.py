"""API shapes of cases. Schemas check shape and size; services enforce the rules."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from concord.core import limits

from .choices import CaseStatus, CaseType, Channel, PartyRole, RiskLevel

CaseTypeValue = Literal[tuple(CaseType.values)]
ChannelValue = Literal[tuple(Channel.values)]
PartyRoleValue = Literal[tuple(PartyRole.values)]
RiskValue = Literal[tuple(RiskLevel.values)]


class PartyIn(Schema):
    role: PartyRoleValue = "applicant"
    name: str = Field(min_length=1, max_length=limits.NAME_MAX)
    id_number: str = Field("", max_length=18)
    phone: str = Field("", max_length=20)
    address: str = Field("", max_length=limits.ADDRESS_MAX)


class CaseIn(Schema):
    type: CaseTypeValue
    channel: ChannelValue
    description: str = Field(max_length=limits.DESCRIPTION_MAX)
    title: str = Field("", max_length=limits.TITLE_MAX)
    category: str = Field("", max_length=64)
    division: str = Field("", max_length=12)
    address: str = Field("", max_length=limits.ADDRESS_MAX)
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    people_count: int = Field(1, ge=1, le=limits.PEOPLE_MAX)
    amount: Decimal | None = Field(
        None, ge=0, lt=limits.AMOUNT_MAX, max_digits=14, decimal_places=2
    )
    risk_level: RiskValue = "blue"
    source_id: str = Field("", max_length=64)
    parties: list[PartyIn] = Field(default_factory=list, max_length=limits.PARTIES_MAX)


class CaseFilters(Schema):
    status: str | None = Field(None, description="状态，或 open 表示全部未办结")
    category: str | None = Field(None, description="类别编码（上级类别含其下级）")
    division: str | None = Field(None, description="12位区划代码（含下级）")
    channel: str | None = None
    risk_level: str | None = None
    q: str | None = Field(None, description="查询码、标题或诉求内容中的关键词")
    received_from: date | None = None
    received_to: date | None = None
    kpi: str | None = Field(
        None, description="指标编码：只列该指标统计的事项（收到日期区间即统计区间）"
    )
    kpi_part: str | None = Field(None, description="sample 样本（默认），good 达标的事项")


class TransitionIn(Schema):
    action: str = Field(max_length=32)
    comment: str = Field("", max_length=limits.COMMENT_MAX)
    lead_org: int | None = None
    assisting_orgs: list[int] = Field(default_factory=list, max_length=50)
    result: str | None = Field(None, max_length=32)
    reply: str | None = Field(None, max_length=limits.COMMENT_MAX)
    satisfaction: str | None = Field(None, max_length=32)
    version: int | None = Field(None, ge=1, description="乐观锁：事项的当前版本号，不一致时返回409")


class PartyOut(Schema):
    id: int
    role: str
    name: str
    id_number: str = Field(alias="id_number_masked")
    phone: str = Field(alias="phone_masked")
    address: str


class PartyRevealed(Schema):
    id: int
    name: str
    id_number: str
    phone: str


class TaskOut(Schema):
    id: int
    organisation: int = Field(alias="organisation_id")
    organisation_name: str = Field(alias="organisation.name")
    role: str
    status: str
    assigned_at: datetime
    signed_at: datetime | None
    answered_at: datetime | None
    answer: str
    returned_at: datetime | None
    return_reason: str


class EventOut(Schema):
    created_at: datetime
    action: str
    action_label: str = Field(alias="get_action_display")
    from_status: str
    to_status: str
    actor: str | None = Field(None, alias="actor.username")
    actor_org: str | None = Field(None, alias="actor_org.name")
    comment: str
    data: dict


class DeadlineOut(Schema):
    node: str = Field(alias="code")
    label: str
    due_at: datetime
    state: str
    provisional: bool


class CaseListOut(Schema):
    id: int
    tracking_code: str
    type: str
    channel: str
    category: str | None = Field(None, alias="category.code")
    title: str
    status: CaseStatus
    risk_level: str
    division: str = Field(alias="division_id")
    town: str | None = Field(alias="town_id")
    lead_org: int | None = Field(alias="lead_org_id")
    people_count: int
    received_at: datetime


class CaseOut(CaseListOut):
    description: str
    address: str
    lat: float | None
    lng: float | None
    amount: Decimal | None
    risk_reasons: list
    handling_level: str
    visits_count: int
    hop_count: int
    reopen_count: int
    source: str
    source_id: str
    accepted_at: datetime | None
    assigned_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    result: str
    reply: str
    satisfaction: str
    version: int
    parties: list[PartyOut]
    tasks: list[TaskOut]
    events: list[EventOut]
    deadlines: list[DeadlineOut]
    available_actions: list[str]
