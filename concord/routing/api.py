from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from concord.cases.api import case_detail
from concord.cases.schemas import CaseOut
from concord.cases.scope import get_visible_case
from concord.core.errors import Forbidden

from .services import ROUTERS, preview, route

router = Router()


class OrgRef(Schema):
    id: int
    name: str


class RuleRef(Schema):
    id: int
    name: str
    note: str = ""


class PreviewOut(Schema):
    rule: RuleRef
    level: str
    lead_org: OrgRef | None
    assisting_orgs: list[OrgRef]
    reasons: list[str] = Field(description="规则的条件，说明为何适用")
    runners_up: list[RuleRef] = Field(description="同样符合但不如其具体的规则")


class RouteIn(Schema):
    lead_org: int | None = Field(None, description="不填则按规则建议")
    assisting_orgs: list[int] | None = Field(None, description="不填则按规则建议")
    comment: str = Field("", max_length=2000)


@router.post("/cases/{case_id}/route/preview", response=PreviewOut)
def route_preview(request: HttpRequest, case_id: int):
    """Who the routing rules would pull in for this case, at which level, and why."""
    case = get_visible_case(request.auth, case_id)
    if request.auth.role not in ROUTERS:
        raise Forbidden(_("只有调度员或管理员可以分流"))
    return preview(case).as_dict()


@router.post("/cases/{case_id}/route", response=CaseOut)
def route_case(request: HttpRequest, case_id: int, payload: RouteIn):
    """Assign the case as the rules suggest, or with an override (recorded per rule)."""
    case = get_visible_case(request.auth, case_id)
    if request.auth.role not in ROUTERS:
        raise Forbidden(_("只有调度员或管理员可以分流"))
    route(case, actor=request.auth, **payload.dict())
    return case_detail(request, case_id)
