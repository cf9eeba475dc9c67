"""风险预警 over the API: a case's current risk with its reasons, and the open spike warnings
in the caller's division. Cases outside the caller's scope answer 404."""

from datetime import date, datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from concord.cases.scope import get_visible_case
from concord.core.errors import NotFound

from .scoring import assess_case
from .spikes import open_warnings
from .views import LIST_MAX, can_see_warnings

router = Router()


class RiskOut(Schema):
    level: str = Field(description="red 红, orange 橙, yellow 黄, blue 蓝")
    score: int = Field(description="各风险因素分值之和（60分以上红色，40以上橙色，20以上黄色）")
    reasons: list[str] = Field(description="每条依据及其分值，如“极端言辞“跳楼”（+60）”")


class WarningOut(Schema):
    id: int
    town: str = Field(alias="town_id", description="乡镇（街道）区划代码")
    town_name: str = Field(alias="town.name")
    category: str = Field(alias="category.code", description="一级类别编码")
    category_name: str = Field(alias="category.name")
    window_start: date
    window_end: date
    count: int = Field(description="近7日件数")
    baseline: float = Field(description="此前12周的周均件数")
    ratio: float
    case_ids: list[int]
    raised_at: datetime


@router.get("/cases/{case_id}/risk", response=RiskOut)
def case_risk(request: HttpRequest, case_id: int):
    """The case's level as stored and the score with reasons as the weights give it now."""
    case = get_visible_case(request.auth, case_id)
    assessment = assess_case(case)
    return {"level": case.risk_level, "score": assessment.score, "reasons": case.risk_reasons}


@router.get("/risk/warnings", response=list[WarningOut])
def warnings(request: HttpRequest):
    """Open 异常增多预警 in the caller's division (dispatchers, leaders, admins)."""
    user = request.auth
    if not can_see_warnings(user):
        raise NotFound(_("没有可查看的预警"))
    return list(open_warnings(user.organisation.division)[:LIST_MAX])
