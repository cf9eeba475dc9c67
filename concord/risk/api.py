"""风险预警 over the API: a case's current risk with its reasons, the open spike warnings in
the caller's division, and the 风险提示函 / 预警函 with their replies. Cases, warnings and letters
outside the caller's scope answer 404."""

from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from concord.cases.scope import get_visible_case
from concord.core.documents import document_response
from concord.core.errors import InvalidInput, NotFound
from concord.core.limits import COMMENT_MAX
from concord.orgs.models import Organisation

from . import letters as services
from .models import RiskLetter
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


class LetterIn(Schema):
    kind: Literal["notice", "warning"] = Field(description="notice 风险提示函, warning 预警函")
    case_id: int | None = Field(None, description="针对的事项（与 spike_id 二选一）")
    spike_id: int | None = Field(None, description="针对的异常增多预警（与 case_id 二选一）")
    target: str = Field(max_length=64, description="收函单位编码；须在发函人辖区内")
    subject: str = Field("", max_length=COMMENT_MAX, description="风险情况；空则按模板生成")
    measures: str = Field("", max_length=COMMENT_MAX, description="工作要求；空则按模板生成")
    reply_days: int | None = Field(None, description="回复期限（工作日，1–30）；空则按类型默认")


class ReplyIn(Schema):
    reply: str = Field(max_length=COMMENT_MAX)


class LetterOut(Schema):
    id: int
    number: str = Field(description="文号，如 风险提示〔2026〕3号")
    kind: str
    case_id: int | None
    spike_id: int | None
    issuer: str = Field(alias="issuer_org.code")
    target: str = Field(alias="target_org.code")
    target_name: str = Field(alias="target_org.name")
    subject: str
    measures: str
    issued_at: datetime
    reply_due_at: datetime
    status: str = Field(description="awaiting 待回复, overdue 逾期未复, answered 已回复")
    replied_at: datetime | None
    reply: str


def _organisation(code: str) -> Organisation:
    target = Organisation.objects.filter(code=code).first()
    if target is None:
        raise InvalidInput({"target": _("收函单位不存在")})
    return target


def _letter(request: HttpRequest, letter_id: int) -> RiskLetter:
    return get_object_or_404(services.letters_for(request.auth), pk=letter_id)


@router.get("/risk/letters", response=list[LetterOut])
def letters(request: HttpRequest, status: Literal["awaiting", "overdue", "answered"] | None = None):
    """The letters the caller sent within their territory or their organisation received."""
    return list(services.with_status(services.letters_for(request.auth), status or "")[:LIST_MAX])


@router.post("/risk/letters", response={201: LetterOut})
def issue(request: HttpRequest, payload: LetterIn):
    """Send a 风险提示函 or 预警函; subject, measures and reply days default from the templates."""
    user = request.auth
    if not services.can_issue_letters(user):
        raise NotFound(_("没有可发函的事项"))
    case = spike = None
    if payload.case_id is not None:
        case = get_visible_case(user, payload.case_id)
    if payload.spike_id is not None:
        spike = services.spikes_in_territory(user).filter(pk=payload.spike_id).first()
        if spike is None:
            raise NotFound(_("预警不存在或不在你的辖区内"))
    drafted = (
        services.draft_text(kind=payload.kind, case=case, spike=spike) if case or spike else {}
    )
    letter = services.issue_letter(
        actor=user,
        kind=payload.kind,
        case=case,
        spike=spike,
        target=_organisation(payload.target),
        subject=payload.subject or drafted.get("subject", ""),
        measures=payload.measures or drafted.get("measures", ""),
        reply_days=services.REPLY_DAYS[payload.kind]
        if payload.reply_days is None
        else payload.reply_days,
    )
    return Status(201, letter)


@router.get("/risk/letters/{letter_id}", response=LetterOut)
def letter(request: HttpRequest, letter_id: int):
    return _letter(request, letter_id)


@router.post("/risk/letters/{letter_id}/reply", response=LetterOut)
def reply(request: HttpRequest, letter_id: int, payload: ReplyIn):
    """The addressee's answer (staff of the receiving organisation; once)."""
    return services.reply_to_letter(
        _letter(request, letter_id), actor=request.auth, reply=payload.reply
    )


@router.get("/risk/letters/{letter_id}/letter.{kind}")
def letter_file(request: HttpRequest, letter_id: int, kind: Literal["docx", "pdf"]):
    """The letter as Word or PDF."""
    item = _letter(request, letter_id)
    return document_response(
        services.letter_document(item), kind, f"{item.get_kind_display()}-{item.number}"
    )
