"""The audit log for the security auditor: GET /audit (the page's filters), POST /audit/access
(the access report; POST so the ID number stays out of URLs and access logs)."""

from datetime import datetime

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from concord.accounts.permissions import reads_audit_log
from concord.core.errors import Forbidden
from concord.portal.throttle import client_ip

from .access import access_report
from .filters import filtered_entries, person_from
from .models import AuditEntry

router = Router()
PAGE_MAX = 200


def _auditor_only(request: HttpRequest) -> None:
    if not reads_audit_log(request.auth):
        raise Forbidden(_("只有安全审计员可以查看审计日志"))


class AuditPages(PageNumberPagination):
    class Input(PageNumberPagination.Input):
        page_size: int = 50

    def paginate_queryset(self, queryset, pagination: Input, **params):
        pagination.page_size = max(1, min(pagination.page_size, PAGE_MAX))
        self.page_size = pagination.page_size
        return super().paginate_queryset(queryset, pagination, **params)


class AuditFilters(Schema):
    since: str | None = Field(None, description="开始时间（含），ISO 8601，如 2026-11-01T08:00")
    until: str | None = Field(None, description="结束时间（含），ISO 8601")
    actor: str | None = Field(None, description="操作人账号，或姓名中的文字")
    action: str | None = Field(None, description="动作，如 reveal_pii、export、login")
    object_type: str | None = Field(None, description="对象类型，如 party、case、agreement")
    object_id: str | None = None
    ip: str | None = Field(None, description="完整 IP 地址，或前缀如 10.0.")


class EntryOut(Schema):
    seq: int
    created_at: datetime
    actor: int | None = Field(None, alias="actor_id")
    actor_username: str | None = Field(None, alias="actor.username")
    actor_name: str | None = Field(None, alias="actor.full_name")
    actor_role: str | None = Field(None, alias="actor.role")
    action: str
    object_type: str
    object_id: str
    detail: dict
    ip: str | None
    prev_hash: str
    entry_hash: str


@router.get("", response=list[EntryOut])
@paginate(AuditPages)
def list_entries(request: HttpRequest, filters: Query[AuditFilters]):
    """审计日志, newest first: the same filters as the auditor's page. Auditor only."""
    _auditor_only(request)
    params = {k: v for k, v in filters.dict().items() if v is not None}
    entries = AuditEntry.objects.select_related("actor")
    return filtered_entries(entries, params).order_by("-seq")


class PersonIn(Schema):
    id_number: str = Field("", max_length=18, description="18位身份证号")
    phone: str = Field("", max_length=20, description="无身份证号时：联系电话")
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=PAGE_MAX)


class AccessPartyOut(Schema):
    id: int
    case: str = Field(alias="case.tracking_code")
    role: str
    name: str = Field(alias="name_masked")


class AccessOut(Schema):
    person: str
    parties: list[AccessPartyOut]
    count: int
    page: int
    items: list[EntryOut]


@router.post("/access", response=AccessOut)
def access(request: HttpRequest, payload: PersonIn):
    """谁查看了此人的信息: the person's party records and every entry about them, newest
    first. The lookup is audited. Auditor only."""
    _auditor_only(request)
    id_number, phone = person_from({"id_number": payload.id_number, "phone": payload.phone})
    person, entries = access_report(
        actor=request.auth, id_number=id_number, phone=phone, ip=client_ip(request)
    )
    page = Paginator(entries, payload.page_size).get_page(payload.page)
    return {
        "person": person.describe(),
        "parties": person.parties,
        "count": page.paginator.count,
        "page": page.number,
        "items": list(page),
    }
