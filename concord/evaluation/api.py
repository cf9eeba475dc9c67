"""评价回访与考核 over the API: ratings recorded by staff, the review decision, follow-up
visits, and the monthly assessment. Cases outside the caller's scope answer 404."""

from datetime import date, datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from concord.cases.scope import get_visible_case, visible_cases
from concord.core.errors import Forbidden, NotFound
from concord.core.limits import COMMENT_MAX

from . import assessment
from .choices import RatingChannel
from .models import FollowUpVisit, Rating, Review
from .ratings import decide_review, rate_case
from .views import can_assess
from .visits import FINDINGS_MAX, record_visit

router = Router()


class ReviewOut(Schema):
    id: int
    status: str = Field(description="open 待复核, decided 已处理")
    opened_at: datetime
    decision: str = Field(description="reopen 重新办理, close 说明后结案；未处理为空")
    explanation: str
    decided_by: int | None = Field(alias="decided_by_id")
    decided_at: datetime | None


class RatingOut(Schema):
    id: int
    case: int = Field(alias="case_id")
    round: int = Field(alias="round_number", description="第几轮办理（重新办理后另起一轮，从1起）")
    satisfaction: str
    comment: str
    channel: str = Field(description="portal 评价链接, phone 电话, visit 上门, other 其他")
    recorded_by: int | None = Field(alias="recorded_by_id", description="空表示群众自行评价")
    at: datetime
    review: ReviewOut | None = Field(description="不满意时的复核")

    @staticmethod
    def resolve_review(obj) -> Review | None:
        try:
            return obj.review
        except Review.DoesNotExist:
            return None


class RatingIn(Schema):
    satisfaction: str = Field(description="satisfied, basically_satisfied, dissatisfied")
    comment: str = Field("", max_length=COMMENT_MAX)
    channel: str = Field(RatingChannel.PHONE, description="phone 电话, visit 上门, other 其他")


class ReviewDecisionIn(Schema):
    decision: str = Field(description="reopen 重新办理, close 说明后结案")
    explanation: str = Field(max_length=COMMENT_MAX)


class VisitOut(Schema):
    id: int
    case: int = Field(alias="case_id")
    round: int = Field(description="办理轮次：首轮为0")
    number: int
    organisation: int = Field(alias="organisation_id")
    organisation_name: str = Field(alias="organisation.name")
    due_at: datetime = Field(alias="due")
    deadline: int | None = Field(alias="deadline_id")
    status: str = Field(description="planned 待回访, done 已回访, cancelled 已取消")
    method: str = Field(description="visit 上门, phone 电话")
    findings: str
    stable: bool | None
    done_by: int | None = Field(alias="done_by_id")
    done_at: datetime | None
    relapse: int | None = Field(alias="relapse_id", description="发现反复时登记的新事项")


class VisitIn(Schema):
    method: str = Field(description="visit 上门, phone 电话")
    findings: str = Field(max_length=FINDINGS_MAX)
    stable: bool = Field(description="纠纷是否稳定；false 将登记关联的新事项")


class AssessmentFilters(Schema):
    month: str | None = Field(None, max_length=7, description="年-月，如 2026-11；默认本月")
    by: str | None = Field(None, max_length=8, description="org 按单位（默认），town 按乡镇")


class MeasureOut(Schema):
    kpi: str
    rate: float | None = Field(description="百分比；样本不足时为空")
    good: int = Field(description="分子")
    n: int = Field(description="样本（分母）")
    points: float | None = Field(description="计分（越低越好的指标为 100 − 比率）")


class RowOut(Schema):
    rank: int | None
    key: str
    name: str
    score: float | None
    kpis: list[MeasureOut]

    @staticmethod
    def resolve_key(obj) -> str:
        return str(obj.key)

    @staticmethod
    def resolve_kpis(obj) -> list[dict]:
        return [
            {"kpi": m.kpi.value, "rate": m.rate, "good": m.good, "n": m.n, "points": m.points}
            for m in obj.in_order
        ]


class AssessmentOut(Schema):
    month: date
    by: str
    scheme: str
    weights: dict[str, float]
    min_sample: int
    rows: list[RowOut]


@router.get("/cases/{case_id}/ratings", response=list[RatingOut])
def list_ratings(request: HttpRequest, case_id: int):
    """The case's ratings, one per round, with the review of a 不满意."""
    case = get_visible_case(request.auth, case_id)
    return list(case.ratings.select_related("review"))


@router.post("/cases/{case_id}/ratings", response={201: RatingOut})
def record_rating(request: HttpRequest, case_id: int, payload: RatingIn):
    """A rating staff took from the citizen (by phone, on a visit); once per round."""
    case = get_visible_case(request.auth, case_id)
    rating = rate_case(case, actor=request.auth, **payload.dict())
    return Status(201, Rating.objects.select_related("review").get(pk=rating.pk))


@router.post("/reviews/{review_id}/decision", response=ReviewOut)
def decide(request: HttpRequest, review_id: int, payload: ReviewDecisionIn):
    """Decide a 不满意 review once (dispatcher or admin): reopen, or close with an
    explanation."""
    review = _visible(request, Review.objects.all(), review_id, _("复核不存在"))
    return decide_review(review, actor=request.auth, **payload.dict())


@router.get("/cases/{case_id}/visits", response=list[VisitOut])
def list_visits(request: HttpRequest, case_id: int):
    """The case's follow-up visits, every round."""
    case = get_visible_case(request.auth, case_id)
    return list(case.follow_up_visits.select_related("organisation", "deadline"))


@router.post("/visits/{visit_id}", response=VisitOut)
def record(request: HttpRequest, visit_id: int, payload: VisitIn):
    """Record a planned visit (its organisation or center staff); a relapse (`stable`
    false) registers a new case linked to this one."""
    visits = FollowUpVisit.objects.select_related("organisation")
    visit = _visible(request, visits, visit_id, _("回访不存在"))
    done = record_visit(visit, actor=request.auth, **payload.dict())
    return FollowUpVisit.objects.select_related("organisation", "deadline").get(pk=done.pk)


@router.get("/assessment", response=AssessmentOut)
def assess(request: HttpRequest, filters: Query[AssessmentFilters]):
    """The month's ranking by organisation or town with each KPI's value and sample
    (dispatcher, leader or admin); docs/assessment.md defines the KPIs."""
    if not can_assess(request.auth):
        raise Forbidden(_("只有调度员、领导或管理员可以查看考核"))
    result = assessment.ranking(
        visible_cases(request.auth),
        month=assessment.parse_month(filters.month),
        by=assessment.parse_by(filters.by),
    )
    return {
        "month": result.month,
        "by": result.by,
        "scheme": result.scheme.name,
        "weights": {kpi.value: weight for kpi, weight in result.columns},
        "min_sample": result.scheme.min_sample,
        "rows": result.rows,
    }


def _visible(request: HttpRequest, rows, pk: int, message: str):
    """A row whose case the caller sees; any other is 404 like the case itself."""
    row = rows.filter(pk=pk).first()
    if row is None:
        raise NotFound(message)
    try:
        get_visible_case(request.auth, row.case_id)
    except NotFound:
        raise NotFound(message) from None
    return row
