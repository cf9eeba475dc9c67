from datetime import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from pydantic import Field

from concord.cases.scope import get_visible_case

from .extensions import decide_extension, request_extension
from .letters import letter_response
from .models import Extension, Supervision
from .supervision import issue_supervision

router = Router()


class ExtensionIn(Schema):
    amount: int = Field(description="延长多少（与节点时限同一单位）")
    reason: str = Field(max_length=2000)
    party_told: bool = Field(False, description="已告知当事人延期理由（信访事项必需）")


class ExtensionDecisionIn(Schema):
    approve: bool
    comment: str = Field("", max_length=2000)


class ExtensionOut(Schema):
    id: int
    deadline: int = Field(alias="deadline_id")
    amount: int
    reason: str
    party_told: bool
    status: str


@router.post("/cases/{case_id}/deadlines/{deadline_id}/extensions", response={201: ExtensionOut})
def ask_for_extension(request: HttpRequest, case_id: int, deadline_id: int, payload: ExtensionIn):
    """Ask for more time on one node of a case (延期申请)."""
    case = get_visible_case(request.auth, case_id)
    deadline = get_object_or_404(case.deadlines.select_related("node", "task"), pk=deadline_id)
    extension = request_extension(deadline, actor=request.auth, **payload.dict())
    return Status(201, extension)


@router.post("/extensions/{extension_id}/decision", response=ExtensionOut)
def decide(request: HttpRequest, extension_id: int, payload: ExtensionDecisionIn):
    """Approve or reject a request (dispatcher, leader or admin)."""
    extension = get_object_or_404(Extension.objects.select_related("deadline"), pk=extension_id)
    get_visible_case(request.auth, extension.deadline.case_id)
    return decide_extension(extension, actor=request.auth, **payload.dict())


class SupervisionIn(Schema):
    reason: str = Field(max_length=2000)
    reply_days: int = Field(description="回复期限（工作日，1–30）")


class SupervisionOut(Schema):
    id: int
    case: int = Field(alias="case_id")
    target_org: int = Field(alias="target_org_id")
    reason: str
    issued_at: datetime
    reply_due_at: datetime
    auto: bool = Field(description="系统因超期自动督办")

    @staticmethod
    def resolve_auto(obj) -> bool:
        return obj.issued_by_id is None


@router.post("/cases/{case_id}/supervisions", response={201: SupervisionOut})
def supervise(request: HttpRequest, case_id: int, payload: SupervisionIn):
    """督办 the organisation leading the case (dispatcher, leader or admin)."""
    case = get_visible_case(request.auth, case_id)
    return Status(201, issue_supervision(case, actor=request.auth, **payload.dict()))


@router.get("/supervisions/{supervision_id}/letter.{kind}")
def supervision_letter(request: HttpRequest, supervision_id: int, kind: str):
    """The 督办函 as `docx` or `pdf`."""
    supervision = get_object_or_404(
        Supervision.objects.select_related("case", "deadline__node", "target_org", "issuer_org"),
        pk=supervision_id,
    )
    get_visible_case(request.auth, supervision.case_id)
    return letter_response(supervision, kind)
