"""Category suggestion over the API: POST /api/v1/triage/suggest."""

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from concord.core.limits import ADDRESS_MAX

from .services import suggest as suggest_categories

router = Router()


class SuggestPartyIn(Schema):
    id_number: str = Field("", max_length=18, description="身份证号（只用于比对，不保存）")
    phone: str = Field("", max_length=20, description="联系电话（只用于比对，不保存）")


class SuggestIn(Schema):
    # Checked by the service (empty, too long, emoji only), so every door answers alike.
    text: str | None = Field(None, description="诉求内容（标题和描述）")
    parties: list[SuggestPartyIn] = Field(
        [], max_length=50, description="已填写的当事人，用于查找同一人的事项"
    )
    division: str = Field("", pattern=r"^(\d{12})?$", description="发生地区划代码（12位）")
    address: str = Field("", max_length=ADDRESS_MAX, description="详细地址")


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
    return suggest_categories(
        payload.text,
        user=request.auth,
        parties=payload.parties,
        division=payload.division,
        address=payload.address,
    )
