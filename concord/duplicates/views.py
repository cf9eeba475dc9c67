"""重复件与关联件 pages: the case page's card (similar cases with their reasons, the
merge and its undo, the applicants' repeat visits) and its two forms. Each view parses,
checks, calls one service and redirects back to the case."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from concord.accounts.models import User
from concord.cases.choices import PartyRole
from concord.cases.models import Case
from concord.cases.scope import case_or_404, visible_cases
from concord.core.errors import ServiceError
from concord.core.views import case_url, redirect_to_case, refused

from .merging import can_merge, merge_case, unmerge_case
from .services import find_similar, repeat_visits, window


def case_card(case: Case, user: User) -> dict:
    """What the card shows this user: where the case was merged to, what was merged into
    it, the similar cases (merge buttons for those who may merge), and for each applicant
    how many cases that person brought within the window."""
    merged_into = None
    if case.merged_into_id:
        merged_into = visible_cases(user).filter(pk=case.merged_into_id).first()
    merged = list(visible_cases(user).filter(merged_into=case).only("pk", "tracking_code", "title"))
    matches = [] if case.merged_into_id else find_similar(case, user)
    since = timezone.now() - window()
    repeats = []
    for party in case.parties.all():
        if party.role != PartyRole.APPLICANT or not (party.id_number_hash or party.phone_hash):
            continue
        count = repeat_visits(
            id_number_hash=party.id_number_hash, phone_hash=party.phone_hash, since=since
        )
        if count > 1:
            repeats.append((party, count))
    return {
        "case": case,
        "merged_into": merged_into,
        "merged": merged,
        "matches": matches,
        "repeats": repeats,
        "window_days": window().days,
        "can_merge": can_merge(user),
        "show": bool(merged_into or merged or matches or repeats),
    }


@login_required
@require_POST
def merge(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_or_404(request, case_id)
    try:
        into = int(request.POST.get("into", ""))
    except ValueError:
        into = None
    try:
        survivor = merge_case(actor=request.user, case=case, into_id=into)
    except ServiceError as exc:
        return refused(request, exc, case_url(case.pk))
    messages.success(request, gettext("已将本事项并入 %(code)s") % {"code": survivor.tracking_code})
    return redirect_to_case(request, case.pk)


@login_required
@require_POST
def unmerge(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_or_404(request, case_id)
    try:
        unmerge_case(actor=request.user, case=case)
    except ServiceError as exc:
        return refused(request, exc, case_url(case.pk))
    messages.success(request, gettext("已撤销合并"))
    return redirect_to_case(request, case.pk)
