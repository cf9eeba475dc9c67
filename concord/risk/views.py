"""风险预警 pages: the open spike warnings in the user's division, and closing one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from concord.accounts.models import User
from concord.accounts.permissions import SUPERVISE_ROLES
from concord.cases.scope import visible_cases

from .choices import WarningStatus
from .models import SpikeWarning
from .spikes import BASELINE_WEEKS, MIN_COUNT, RATIO, WINDOW_DAYS, open_warnings

LIST_MAX = 200


def can_see_warnings(user: User) -> bool:
    return bool(user.is_authenticated and user.role in SUPERVISE_ROLES and user.organisation_id)


def _warnings_of(user: User):
    if not can_see_warnings(user):
        raise Http404
    return open_warnings(user.organisation.division)


@login_required
def warnings(request: HttpRequest) -> HttpResponse:
    """异常增多预警: each open warning with its evidence (the cases the user may open)."""
    rows = list(_warnings_of(request.user)[:LIST_MAX])
    ids = {pk for row in rows for pk in row.case_ids}
    cases = {
        case.pk: case
        for case in visible_cases(request.user)
        .filter(pk__in=ids)
        .only("pk", "tracking_code", "title")
    }
    for row in rows:
        row.cases = [cases[pk] for pk in row.case_ids if pk in cases]
    context = {
        "warnings": rows,
        "rule": {
            "window": WINDOW_DAYS,
            "weeks": BASELINE_WEEKS,
            "min": MIN_COUNT,
            "ratio": RATIO,
        },
    }
    return render(request, "risk/warnings.html", context)


@login_required
@require_POST
def close(request: HttpRequest, warning_id: int) -> HttpResponse:
    warning = get_object_or_404(_warnings_of(request.user), pk=warning_id)
    SpikeWarning.objects.filter(pk=warning.pk, status=WarningStatus.OPEN).update(
        status=WarningStatus.CLOSED
    )
    messages.success(request, gettext("已标记为已处置"))
    return redirect("risk:warnings")
