"""Court referrals over the API: refer (idempotent on court + 案号), list, read, extend with
the parties' consent, record a result, and the mediation record PDF. A referral outside the
caller's scope answers 404."""

from datetime import datetime
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate
from pydantic import Field

from concord.core import limits

from .choices import ReferralKind, ReferralStatus
from .models import CourtReferralType
from .outcomes import extend, period, record_result
from .queries import filtered_referrals
from .services import Person, ReferralDraft, get_visible_referral, refer, visible_referrals
from .views import record_pdf_response

router = Router()


class ReferralPages(PageNumberPagination):
    class Input(PageNumberPagination.Input):
        page_size: int = 25

    def paginate_queryset(self, queryset, pagination: Input, **params):
        pagination.page_size = max(1, min(pagination.page_size, 100))
        self.page_size = pagination.page_size
        return super().paginate_queryset(queryset, pagination, **params)


class CourtPartyIn(Schema):
    name: str = Field(max_length=limits.NAME_MAX)
    phone: str = Field("", max_length=20)
    id_number: str = Field("", max_length=18)
    address: str = Field("", max_length=limits.ADDRESS_MAX)


class ReferralIn(Schema):
    court_case_number: str = Field(
        max_length=40,
        description="案号，如 (2026)浙0604民诉前调1234号；同一法院重复提交返回首次结果",
    )
    type: str = Field(max_length=64, description="案由编码或名称（GET /court-referrals/types）")
    kind: Literal[tuple(ReferralKind.values)] = ReferralKind.PRE_SUIT
    court: int | None = Field(None, description="委派法院编号；法院用户可不填")
    plaintiffs: list[CourtPartyIn] = Field(max_length=20, description="原告（登记为申请人）")
    defendants: list[CourtPartyIn] = Field(max_length=20, description="被告（登记为被申请人）")
    description: str = Field(max_length=limits.DESCRIPTION_MAX, description="案情摘要")
    division: str = Field("", max_length=64, description="发生地：12位区划代码或乡镇、村名称")
    address: str = Field("", max_length=limits.ADDRESS_MAX)
    amount: Decimal | None = Field(None, ge=0, lt=limits.AMOUNT_MAX, description="标的额（元）")


class CourtReferralOut(Schema):
    id: int
    case: int = Field(alias="case_id")
    tracking_code: str = Field(alias="case.tracking_code")
    court: int = Field(alias="court_id")
    court_name: str = Field(alias="court.name")
    court_case_number: str
    kind: str
    type: str = Field(alias="type.code")
    type_name: str = Field(alias="type.name")
    status: str
    status_label: str
    priority_filing: bool
    referred_at: datetime
    result_at: datetime | None
    outcome_note: str = Field(alias="note")
    extended_days: int
    lead_org: str | None = None
    links: dict[str, str]

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(ReferralStatus(obj.status).label)

    @staticmethod
    def resolve_lead_org(obj) -> str | None:
        return obj.case.lead_org.name if obj.case.lead_org_id else None

    @staticmethod
    def resolve_links(obj) -> dict[str, str]:
        return {
            "case": reverse("cases:detail", args=[obj.case_id]),
            "api_case": f"/api/v1/cases/{obj.case_id}",
            "record_pdf": f"/api/v1/court-referrals/{obj.pk}/record.pdf",
        }


class ReferralDetailOut(CourtReferralOut):
    due_at: datetime | None = Field(None, description="委派调解期限（含延长）")
    consent_note: str

    @staticmethod
    def resolve_due_at(obj) -> datetime | None:
        deadline = period(obj)
        return deadline.due_at if deadline else None


class ReferralFilters(Schema):
    status: str | None = Field(None, description="mediating | succeeded | failed | withdrawn")
    type: str | None = Field(None, max_length=64, description="案由编码")
    q: str | None = Field(None, max_length=64, description="案号或查询码")


class TypeOut(Schema):
    code: str
    name: str
    category: str | None = Field(None, alias="category.code")
    mediation_org: int | None = Field(None, alias="mediation_org_id")


class ExtendIn(Schema):
    days: int = Field(description="延长天数（日）")
    consent: bool = Field(description="双方当事人均同意延长")
    note: str = Field("", max_length=limits.COMMENT_MAX)


class ResultIn(Schema):
    outcome: Literal["failed", "withdrawn"]
    note: str = Field(max_length=limits.COMMENT_MAX)


def _detail(request: HttpRequest, referral_id: int):
    return get_visible_referral(request.auth, referral_id)


@router.post("", response={201: ReferralDetailOut, 200: ReferralDetailOut})
def create(request: HttpRequest, payload: ReferralIn):
    """Refer a case: registered as a dispute from the court, accepted, and handed to the type's
    mediation organisation; the 30-day period starts. The same court and 案号 again: 200 with
    the first referral, nothing written."""
    data = payload.dict()
    draft = ReferralDraft(
        court_case_number=data["court_case_number"],
        type=data["type"],
        kind=data["kind"],
        description=data["description"],
        plaintiffs=[Person(**p) for p in data["plaintiffs"]],
        defendants=[Person(**p) for p in data["defendants"]],
        division=data["division"],
        address=data["address"],
        amount=data["amount"],
    )
    referral, created = refer(actor=request.auth, draft=draft, court=data["court"])
    return Status(201 if created else 200, _detail(request, referral.pk))


@router.get("/types", response=list[TypeOut])
def types(request: HttpRequest):
    """The active referral types (案由) with their category and default mediation organisation."""
    return list(CourtReferralType.objects.filter(active=True).select_related("category"))


@router.get("", response=list[CourtReferralOut])
@paginate(ReferralPages)
def list_referrals(request: HttpRequest, filters: Query[ReferralFilters]):
    """Referrals in the caller's scope, newest first, filtered and paginated."""
    params = {k: v for k, v in filters.dict().items() if v is not None}
    referrals = filtered_referrals(visible_referrals(request.auth), params)
    return referrals.select_related("case__lead_org", "court", "type").order_by(
        "-referred_at", "-pk"
    )


@router.get("/{int:referral_id}", response=ReferralDetailOut)
def get_referral(request: HttpRequest, referral_id: int):
    return _detail(request, referral_id)


@router.post("/{int:referral_id}/extension", response=ReferralDetailOut)
def extend_period(request: HttpRequest, referral_id: int, payload: ExtendIn):
    """Extend the 30-day period with both parties' consent (up to the policy's cap)."""
    extend(_detail(request, referral_id), actor=request.auth, **payload.dict())
    return _detail(request, referral_id)


@router.post("/{int:referral_id}/result", response=ReferralDetailOut)
def result(request: HttpRequest, referral_id: int, payload: ResultIn):
    """The center records that mediation failed (returned for priority filing) or was
    withdrawn; the court is answered and notified."""
    record_result(_detail(request, referral_id), actor=request.auth, **payload.dict())
    return _detail(request, referral_id)


@router.get("/{int:referral_id}/record.pdf")
def record_pdf(request: HttpRequest, referral_id: int):
    """The mediation record (调解情况记录 / 调解终结书) as PDF."""
    return record_pdf_response(_detail(request, referral_id))
