"""重复件与关联件 over the API: similar cases, merge and its undo. Cases outside the caller's
scope answer 404."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from concord.cases.scope import get_visible_case
from concord.core.limits import COMMENT_MAX

from .merging import merge_case, unmerge_case
from .services import find_similar

router = Router()


class MatchOut(Schema):
    id: int
    tracking_code: str
    title: str
    status: str
    received_at: datetime
    score: float = Field(description="0–1，越大越可能是同一事项")
    reasons: list[str] = Field(description="依据，如“同一身份证号”“诉求内容相似 0.82”")


class MergeIn(Schema):
    into: int = Field(description="保留的事项编号（本事项并入该事项）")
    comment: str = Field("", max_length=COMMENT_MAX)


class UnmergeIn(Schema):
    comment: str = Field("", max_length=COMMENT_MAX)


class MergedOut(Schema):
    id: int
    tracking_code: str
    merged_into: int | None = Field(alias="merged_into_id")
    visits_count: int


@router.get("/cases/{case_id}/similar", response=list[MatchOut])
def similar(request: HttpRequest, case_id: int):
    """Cases in the caller's scope that may be the same matter, best first, with reasons."""
    case = get_visible_case(request.auth, case_id)
    return [
        {
            "id": m.case.pk,
            "tracking_code": m.case.tracking_code,
            "title": m.case.title,
            "status": m.case.status,
            "received_at": m.case.received_at,
            "score": round(m.score, 2),
            "reasons": m.reasons,
        }
        for m in find_similar(case, request.auth)
    ]


@router.post("/cases/{case_id}/merge", response=MergedOut)
def merge(request: HttpRequest, case_id: int, payload: MergeIn):
    """Merge this case into `into` (same matter): answers the surviving case."""
    case = get_visible_case(request.auth, case_id)
    return merge_case(actor=request.auth, case=case, into_id=payload.into, comment=payload.comment)


@router.post("/cases/{case_id}/unmerge", response=MergedOut)
def unmerge(request: HttpRequest, case_id: int, payload: UnmergeIn | None = None):
    """Undo this case's merge exactly: answers this case, standing alone again."""
    case = get_visible_case(request.auth, case_id)
    return unmerge_case(actor=request.auth, case=case, comment=payload.comment if payload else "")
