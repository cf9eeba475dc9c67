"""吹哨报到 over the API: summon, list, read, and answer for the caller's organisation."""

from datetime import datetime

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from concord.cases.scope import get_visible_case
from concord.core.limits import ADDRESS_MAX, COMMENT_MAX

from . import services
from .models import Summons, SummonsTarget

router = Router()
LIST_MAX = 200


class SummonsIn(Schema):
    case: int = Field(description="事项编号")
    organisations: list[int] = Field(description="被召集单位编号（入驻部门、专业调解组织）")
    reason: str = Field(max_length=COMMENT_MAX)
    ack_minutes: int = Field(20, description="签到时限（分钟，1–720）")
    arrive_minutes: int = Field(40, description="到场时限（分钟，1–720，不短于签到时限）")
    place: str = Field("", max_length=ADDRESS_MAX)


class TargetOut(Schema):
    id: int
    organisation: int = Field(alias="organisation_id")
    organisation_name: str = Field(alias="organisation.name")
    state: str = Field(
        description="waiting 待签到, acknowledged 已签到, arrived 已到场, overdue 超时"
    )
    ack_due_at: datetime
    arrive_due_at: datetime
    acknowledged_at: datetime | None
    arrived_at: datetime | None
    ack_late: bool
    arrive_late: bool
    escalated_at: datetime | None

    @staticmethod
    def resolve_state(obj) -> str:
        return obj.state.value


class SummonsOut(Schema):
    id: int
    case: int = Field(alias="case_id")
    issuer_org: int = Field(alias="issuer_org_id")
    reason: str
    place: str
    issued_at: datetime
    ack_minutes: int
    arrive_minutes: int
    targets: list[TargetOut]

    @staticmethod
    def resolve_targets(obj) -> list:
        return list(obj.targets.all())


def _with_targets(summonses):
    return summonses.prefetch_related(
        Prefetch("targets", SummonsTarget.objects.select_related("organisation"))
    )


@router.post("", response={201: SummonsOut})
def summon(request: HttpRequest, payload: SummonsIn):
    """吹哨: call departments to a case (dispatcher, leader or admin)."""
    case = get_visible_case(request.auth, payload.case)
    data = payload.dict(exclude={"case"})
    summons = services.summon(case, actor=request.auth, **data)
    return Status(201, _with_targets(Summons.objects.filter(pk=summons.pk)).get())


@router.get("", response=list[SummonsOut])
def list_summonses(request: HttpRequest):
    """Open summonses: those calling the caller's organisation, or for a dispatcher, leader or
    admin every open one on the cases they see. Newest first, at most 200."""
    user = request.auth
    summonses = services.visible_summonses(user).filter(targets__arrived_at=None)
    if not services.can_summon(user):
        summonses = summonses.filter(
            targets__organisation_id=user.organisation_id, targets__arrived_at=None
        )
    summonses = summonses.distinct().order_by("-issued_at", "-pk")
    return list(_with_targets(summonses)[:LIST_MAX])


@router.get("/{summons_id}", response=SummonsOut)
def get_summons(request: HttpRequest, summons_id: int):
    services.get_visible_summons(request.auth, summons_id)
    return _with_targets(Summons.objects.filter(pk=summons_id)).get()


@router.post("/{summons_id}/acknowledge", response=TargetOut)
def acknowledge(request: HttpRequest, summons_id: int):
    """签到 for the caller's organisation."""
    summons = services.get_visible_summons(request.auth, summons_id)
    target = services.target_of(summons, request.auth)
    return services.acknowledge(target, actor=request.auth)


@router.post("/{summons_id}/arrive", response=TargetOut)
def arrive(request: HttpRequest, summons_id: int):
    """到场 for the caller's organisation (counts as 签到 too when that was skipped)."""
    summons = services.get_visible_summons(request.auth, summons_id)
    target = services.target_of(summons, request.auth)
    return services.arrive(target, actor=request.auth)
