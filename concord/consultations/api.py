"""联合会商 over the API: schedule a 3+X on a case, read it, record its minutes and decisions,
mark a decision done, and record a joint reception. Cases and consultations outside the
caller's scope answer 404."""

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from concord.cases.scope import get_visible_case
from concord.core.limits import ADDRESS_MAX, COMMENT_MAX, DESCRIPTION_MAX, NAME_MAX

from . import services
from .models import Consultation, JointReception

router = Router()

# Text limits are checked by the services, which answer in Chinese with the field at fault.
LIMITS = {
    "agenda": f"会商议题（必填，最多{COMMENT_MAX}字）",
    "place": f"会商地点（最多{ADDRESS_MAX}字；与线上会议链接至少填一项）",
    "name": f"姓名（最多{NAME_MAX}字）",
    "minutes": f"会商纪要（必填，最多{DESCRIPTION_MAX}字）",
    "text": f"议定事项（必填，最多{COMMENT_MAX}字）",
    "note": f"办理情况（必填，最多{COMMENT_MAX}字）",
}


class ConsultationIn(Schema):
    scheduled_at: datetime = Field(description="会商时间（将来，一年以内）")
    agenda: str = Field(description=LIMITS["agenda"])
    place: str = Field("", description=LIMITS["place"])
    online_link: str = Field("", description="线上会议链接（http(s)）")
    court: int | None = Field(None, description="法院（组织编号；只有一个法院时可不填）")
    judge_user: int | None = Field(None, description="法官的账号编号（法院人员）；或填 judge_name")
    judge_name: str = Field("", description=LIMITS["name"])
    chief_mediator: int | None = Field(None, description="首席调解员（调解员库编号）")
    lawyer: int | None = Field(None, description="法律援助律师（调解员库中的律师）；或 lawyer_name")
    lawyer_name: str = Field("", description=LIMITS["name"])
    departments: list[int] = Field(description="参加部门（X，组织编号，至少一个）")


class MinutesDecisionIn(Schema):
    text: str = Field("", description=LIMITS["text"])
    organisation: int | None = Field(None, description="责任单位（组织编号）")
    due_date: date | None = Field(None, description="完成时限（今天或以后）")


class MinutesIn(Schema):
    held_at: datetime = Field(description="召开时间（不晚于现在）")
    minutes: str = Field(description=LIMITS["minutes"])
    attended: list[int] = Field(description="到会的参会人员编号")
    decisions: list[MinutesDecisionIn] = Field(default_factory=list, description="议定事项")


class DoneIn(Schema):
    note: str = Field(description=LIMITS["note"])


class ReceptionIn(Schema):
    received_at: datetime = Field(description="接访时间（不晚于现在）")
    place: str = Field(description=f"接访地点（必填，最多{ADDRESS_MAX}字）")
    departments: list[int] = Field(description="参加接访部门（组织编号，至少一个）")
    record: str = Field(description=f"接访记录（必填，最多{DESCRIPTION_MAX}字）")
    outcome: str = Field(description=f"接访结果（必填，最多{COMMENT_MAX}字）")


class ParticipantOut(Schema):
    id: int
    role: str = Field(description="judge 法官, chief_mediator 首席调解员, lawyer, department")
    name: str
    organisation: int | None = Field(alias="organisation_id")
    user: int | None = Field(alias="user_id")
    mediator: int | None = Field(alias="mediator_id")
    attended: bool | None


class DecisionOut(Schema):
    id: int
    consultation: int = Field(alias="consultation_id")
    case: int = Field(alias="case_id")
    number: int
    text: str
    organisation: int = Field(alias="organisation_id")
    organisation_name: str = Field(alias="organisation.name")
    due_date: date
    state: str = Field(description="open 办理中, overdue 已逾期, done 已完成")
    done_at: datetime | None
    done_note: str
    overdue_notified_at: datetime | None

    @staticmethod
    def resolve_state(obj) -> str:
        return obj.state.value


class ConsultationOut(Schema):
    id: int
    case: int = Field(alias="case_id")
    tracking_code: str = Field(alias="case.tracking_code")
    case_title: str = Field(alias="case.title")
    organiser_org: int = Field(alias="organiser_org_id")
    created_at: datetime
    scheduled_at: datetime
    place: str
    online_link: str
    agenda: str
    held_at: datetime | None
    minutes: str
    participants: list[ParticipantOut]
    decisions: list[DecisionOut]

    @staticmethod
    def resolve_participants(obj) -> list:
        return list(obj.participants.all())

    @staticmethod
    def resolve_decisions(obj) -> list:
        return list(obj.decisions.all())


class ReceptionOut(Schema):
    id: int
    case: int = Field(alias="case_id")
    received_at: datetime
    place: str
    departments: list[int]
    record: str
    outcome: str

    @staticmethod
    def resolve_departments(obj) -> list[int]:
        return [o.pk for o in obj.departments.all()]


def _full(consultation_id: int) -> Consultation:
    return services.with_details(Consultation.objects.filter(pk=consultation_id)).get()


@router.get("/cases/{case_id}/consultations", response=list[ConsultationOut])
def case_consultations(request: HttpRequest, case_id: int):
    """The 3+X joint consultations of a case, latest first."""
    case = get_visible_case(request.auth, case_id)
    return list(services.with_details(case.consultations.all()))


@router.post("/cases/{case_id}/consultations", response={201: ConsultationOut})
def schedule(request: HttpRequest, case_id: int, payload: ConsultationIn):
    """Call a 3+X joint consultation: the judge, the chief mediator, the legal-aid lawyer and
    at least one department (dispatcher, admin, or the lead organisation's handler)."""
    case = get_visible_case(request.auth, case_id)
    consultation = services.schedule(case, actor=request.auth, **payload.dict())
    return Status(201, _full(consultation.pk))


@router.get("/consultations/{consultation_id}", response=ConsultationOut)
def get_consultation(request: HttpRequest, consultation_id: int):
    services.get_visible_consultation(request.auth, consultation_id)
    return _full(consultation_id)


@router.post("/consultations/{consultation_id}/minutes", response=ConsultationOut)
def record_minutes(request: HttpRequest, consultation_id: int, payload: MinutesIn):
    """After the meeting: when it was held, who came, the minutes and the decisions (each a
    task for an organisation with a due date). Once per consultation."""
    consultation = services.get_visible_consultation(request.auth, consultation_id)
    data = payload.dict()
    services.record_minutes(consultation, actor=request.auth, **data)
    return _full(consultation_id)


@router.post("/consultation-decisions/{decision_id}/done", response=DecisionOut)
def mark_done(request: HttpRequest, decision_id: int, payload: DoneIn):
    """The responsible organisation reports the decision carried out."""
    decision = services.get_visible_decision(request.auth, decision_id)
    return services.mark_done(decision, actor=request.auth, note=payload.note)


@router.post("/cases/{case_id}/joint-receptions", response={201: ReceptionOut})
def record_reception(request: HttpRequest, case_id: int, payload: ReceptionIn):
    """联合接访 of a group matter (5 people or more)."""
    case = get_visible_case(request.auth, case_id)
    reception = services.record_reception(case, actor=request.auth, **payload.dict())
    return Status(201, JointReception.objects.prefetch_related("departments").get(pk=reception.pk))
