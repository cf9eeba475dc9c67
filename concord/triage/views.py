"""The intake form's suggestion box (htmx) and the accuracy page."""

import re
from types import SimpleNamespace

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from concord.accounts.models import Role, User
from concord.accounts.permissions import can_register
from concord.core.errors import InvalidInput
from concord.core.limits import ADDRESS_MAX

from . import services

ACCURACY_ROLES = frozenset({Role.DISPATCHER, Role.ADMIN})
PARTY_FIELD = re.compile(r"party-(\d{1,3})-(id_number|phone)")
PARTIES_MAX = 50


def can_see_accuracy(user: User) -> bool:
    return user.is_authenticated and user.role in ACCURACY_ROLES


@login_required
@require_POST
def suggestions(request: HttpRequest) -> HttpResponse:
    """The top 3 for what the clerk has typed so far (title and description), the text's risk,
    and earlier cases of the same person, place or text. A text not yet worth classifying
    answers with a hint, not an error: the clerk is still typing."""
    if not can_register(request.user):
        raise Http404
    post = request.POST
    text = "\n".join(post.get(k, "") for k in ("title", "description")).strip()
    place = {
        "parties": typed_parties(post),
        "division": post.get("village") or post.get("town") or "",
        "address": post.get("address", "")[:ADDRESS_MAX],
    }
    context: dict = {"categories": [], "hint": None, "similar": [], "risk": None}
    if text:
        try:
            context |= services.suggest(text, user=request.user, **place)
        except InvalidInput as exc:
            context["hint"] = next(iter(exc.errors.values()))
    if not context["similar"] and (place["parties"] or place["address"]):
        context["similar"] = services.similar("", request.user, **place)
    return render(request, "triage/_suggestions.html", context)


def typed_parties(post) -> list[SimpleNamespace]:
    """The ID numbers and phones typed in the intake form's party rows so far."""
    rows = {}
    for key, value in post.items():
        if match := PARTY_FIELD.fullmatch(key):
            rows.setdefault(match[1], SimpleNamespace(id_number="", phone=""))
            setattr(rows[match[1]], match[2], value.strip()[:20])
    return [row for row in rows.values() if row.id_number or row.phone][:PARTIES_MAX]


@login_required
def accuracy(request: HttpRequest) -> HttpResponse:
    if not can_see_accuracy(request.user):
        raise Http404
    per_category, overall = services.accuracy()
    model = services.TriageModel.objects.defer("data").first()
    context = {"rows": per_category, "overall": overall, "model": model}
    return render(request, "triage/accuracy.html", context)
