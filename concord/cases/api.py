import hashlib

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Status
from ninja.pagination import PageNumberPagination, paginate

from concord.accounts.permissions import can_register
from concord.api.auth import for_systems
from concord.core.errors import Forbidden, InvalidInput
from concord.core.pagination import capped_count, count_limit
from concord.integrations.models import Scope
from concord.integrations.services import register_from_system

from . import lifecycle
from .filters import filtered_cases
from .models import Case
from .schemas import (
    CaseFilters,
    CaseIn,
    CaseListOut,
    CaseOut,
    ChannelValue,
    PartyRevealed,
    TransitionIn,
)
from .scope import (
    get_visible_case,
    get_visible_case_with_history,
    get_visible_party,
    visible_cases,
)
from .services import CaseDraft, PartyDraft, register_case, register_case_once, reveal_party

router = Router()


class CasePages(PageNumberPagination):
    """Pages of cases; `count` stops at the list limit (10,000), `count_exact` says whether it
    is the whole number (core.pagination)."""

    class Input(PageNumberPagination.Input):
        page_size: int = 25

    class Output(PageNumberPagination.Output):
        count_exact: bool = True

    def paginate_queryset(self, queryset, pagination: Input, **params):
        size = max(1, min(pagination.page_size, 100))
        first = (pagination.page - 1) * size
        count, exact = capped_count(queryset, count_limit())
        return {"items": queryset[first : first + size], "count": count, "count_exact": exact}


class NewCaseIn(CaseIn):
    # A system's cases default to its own channel; a user names one (create_case).
    channel: ChannelValue | None = None


def _actions(case: Case, user) -> list[str]:
    # An external system registers and reads; it takes no lifecycle action.
    if getattr(user, "acting_system", None) is not None:
        return []
    return lifecycle.available_actions(case, user)


def case_detail(request: HttpRequest, case_id: int) -> Case:
    case = get_visible_case_with_history(request.auth, case_id)
    case.available_actions = _actions(case, request.auth)
    return case


@router.post("", response={201: CaseOut, 200: CaseOut}, auth=for_systems(Scope.CASES_CREATE))
def create_case(
    request: HttpRequest,
    payload: NewCaseIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """Register a case. With an `Idempotency-Key`, a retry returns the first case (200).

    An external system (`X-API-Key`, scope cases:create) must send `source_id`, its work
    order number: the same number sent again returns the first case (200) and creates
    nothing. `channel` defaults to the system's."""
    data = payload.dict()
    parties = [PartyDraft(**p) for p in data.pop("parties")]
    if (system := getattr(request.auth, "acting_system", None)) is not None:
        case, created = register_from_system(system, CaseDraft(**data, parties=parties))
        return Status(201 if created else 200, case_detail(request, case.pk))
    if not can_register(request.auth):  # the role first: refused before the input is judged
        raise Forbidden(_("您的角色不能登记事项"))
    if data["channel"] is None:
        raise InvalidInput({"channel": _("请选择来源渠道")})
    draft = CaseDraft(**data, parties=parties, source="api" if data["source_id"] else "")
    if idempotency_key is None:
        case = register_case(actor=request.auth, draft=draft)
    else:
        fingerprint = hashlib.sha256(request.body).hexdigest()
        case, created = register_case_once(
            actor=request.auth,
            draft=draft,
            idempotency_key=idempotency_key,
            fingerprint=fingerprint,
        )
        if not created:
            return Status(200, case_detail(request, case.pk))
    # The new case comes back from registration with its parties and timeline in hand.
    case.available_actions = lifecycle.available_actions(case, request.auth)
    return Status(201, case)


@router.get("", response=list[CaseListOut], auth=for_systems(Scope.CASES_READ))
@paginate(CasePages)
def list_cases(request: HttpRequest, filters: Query[CaseFilters]):
    """Cases in the caller's scope, newest first, filtered and paginated."""
    params = {k: v for k, v in filters.dict().items() if v is not None}
    cases = filtered_cases(visible_cases(request.auth), params)
    return cases.select_related("category").order_by("-received_at", "-id")


@router.get("/{int:case_id}", response=CaseOut, auth=for_systems(Scope.CASES_READ))
def get_case(request: HttpRequest, case_id: int):
    """One case with parties (masked), tasks, timeline and the caller's available actions."""
    return case_detail(request, case_id)


@router.post("/{int:case_id}/transitions", response=CaseOut)
def transition_case(request: HttpRequest, case_id: int, payload: TransitionIn):
    """Take a lifecycle action: accept, refuse, refer, assign, sign, answer, return, pause,
    resume, resolve, rate, follow_up, archive, reopen, escalate (up one level, with a reason)
    or delegate (from the county down to the case's town or village, `lead_org`)."""
    case = get_visible_case(request.auth, case_id)
    params = payload.dict(exclude_none=True)
    lifecycle.transition(case, actor=request.auth, **params)
    return case_detail(request, case_id)


@router.post("/{int:case_id}/parties/{int:party_id}/reveal", response=PartyRevealed)
def reveal(request: HttpRequest, case_id: int, party_id: int):
    """The full ID number and phone of one party, for roles that need them; audited."""
    party = get_visible_party(request.auth, case_id, party_id)
    return reveal_party(actor=request.auth, party=party, ip=request.META.get("REMOTE_ADDR"))
