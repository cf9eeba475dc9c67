"""Category suggestion over the API: POST /api/v1/triage/suggest."""

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from .services import suggest as suggest_categories

router = Router()


class SuggestIn(Schema):
    # Checked by the service (empty, too long, emoji only), so every door answers alike.
    text: str | None = Field(None, description="诉求内容（标题和描述）")


class CategoryScore(Schema):
    code: str
    name: str
    score: float = Field(description="0–1，越大越可能")


class SuggestOut(Schema):
    categories: list[CategoryScore] = Field(description="推荐类别，最可能的在前，至少3个")
    similar: list[dict] = Field(
        description="可能为同一事项的已有事项（本人可见范围内）：id, tracking_code, title, status, "
        "score, reasons"
    )
    risk: dict | None = Field(
        description="风险评估：level（red/orange/yellow/blue）、score、reasons"
    )


@router.post("/suggest", response=SuggestOut)
def suggest(request: HttpRequest, payload: SuggestIn):
    """The categories that fit a description best, from the center's own closed cases (keyword
    rules until a model is trained)."""
    return suggest_categories(payload.text, user=request.auth)
