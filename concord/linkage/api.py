"""五调联动 over the API: the stats per type and direction, and a case's hand-overs (list,
hand over, record a return). Cases outside the caller's scope answer 404."""

from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from concord.cases.scope import get_visible_case
from concord.core.errors import Forbidden
from concord.core.limits import COMMENT_MAX

from . import services
from .forms import PeriodForm

router = Router()


class PeriodIn(Schema):
    # Strings, so that a bad date gets the page's Chinese message, not pydantic's.
    from_: str | None = Field(None, alias="from", max_length=32, description="起始日期 YYYY-MM-DD")
    to: str | None = Field(None, max_length=32, description="截止日期 YYYY-MM-DD（含当天）")


@router.get("/linkage/stats", response=dict[str, dict[str, int]])
def linkage_stats(request: HttpRequest, period: Query[PeriodIn]):
    """Hand-overs per linkage type and direction in a period (default: this month), e.g.
    {"court": {"in": 3, "out": 2}, "police": …}: a dispatcher, leader or admin over the cases
    in their scope, a partner organisation over its own hand-overs."""
    user = request.auth
    if not services.can_see_report(user):
        raise Forbidden(_("五调联动统计仅供调度员、领导、管理员和联动单位查看"))
    form = PeriodForm({"from": period.from_, "to": period.to})
    if not form.is_valid():
        raise form.refusal()
    rows = services.stats(services.visible_handovers(user), **form.span())
    return {row["type"].value: {"in": row["in"], "out": row["out"]} for row in rows}


class HandoverIn(Schema):
    type: str | None = Field(
        None, max_length=16, description="court | police | procuratorate | professional | petition"
    )
    direction: str | None = Field(None, max_length=8, description="in（移入中心）| out（移出中心）")
    partner: int | None = Field(None, description="联动单位编号")
    note: str = Field("", max_length=COMMENT_MAX)
    answers: int | None = Field(
        None, description="回复哪一次移交（其编号）；给出时记录回复，只需 outcome 与 note"
    )
    outcome: str | None = Field(
        None, max_length=16, description="mediated | failed | handled | returned"
    )


class HandoverOut(Schema):
    id: int
    case: int = Field(alias="case_id")
    type: str = Field(alias="linkage_type")
    direction: str
    partner: int = Field(alias="partner_id")
    partner_name: str = Field(alias="partner.name")
    at: datetime
    by: int | None = Field(alias="by_id")
    note: str
    outcome: str
    answers: int | None = Field(alias="answers_id")
    automatic: bool


@router.get("/cases/{case_id}/handovers", response=list[HandoverOut])
def case_handovers(request: HttpRequest, case_id: int):
    """The case's hand-overs, oldest first."""
    case = get_visible_case(request.auth, case_id)
    return services.case_handovers(case)


@router.post("/cases/{case_id}/handovers", response={201: HandoverOut})
def hand_over(request: HttpRequest, case_id: int, payload: HandoverIn):
    """Record a hand-over to (out) or from (in) a partner; with `answers`, record the return
    that closes that hand-over, with its `outcome`."""
    case = get_visible_case(request.auth, case_id)
    if payload.answers is not None:
        answered = services.get_case_handover(case, payload.answers)
        handover = services.record_return(
            answered, actor=request.auth, outcome=payload.outcome or "", note=payload.note
        )
    else:
        handover = services.hand_over(
            case,
            actor=request.auth,
            linkage_type=payload.type or "",
            direction=payload.direction or "",
            partner=payload.partner,
            note=payload.note,
        )
    return Status(201, handover)
