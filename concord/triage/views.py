"""The intake form's suggestion box (htmx) and the accuracy page."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from concord.accounts.models import Role, User
from concord.accounts.permissions import can_register
from concord.core.errors import InvalidInput

from . import services

ACCURACY_ROLES = frozenset({Role.DISPATCHER, Role.ADMIN})


def can_see_accuracy(user: User) -> bool:
    return user.is_authenticated and user.role in ACCURACY_ROLES


@login_required
@require_POST
def suggestions(request: HttpRequest) -> HttpResponse:
    """The top 3 for what the clerk has typed so far (title and description). A text not yet
    worth classifying answers with a hint, not an error: the clerk is still typing."""
    if not can_register(request.user):
        raise Http404
    text = "\n".join(request.POST.get(k, "") for k in ("title", "description")).strip()
    context: dict = {"categories": [], "hint": None}
    if not text:  # nothing typed yet (the box also asks when the page loads)
        return render(request, "triage/_suggestions.html", context)
    try:
        context["categories"] = services.suggest(text)["categories"]
    except InvalidInput as exc:
        context["hint"] = next(iter(exc.errors.values()))
    return render(request, "triage/_suggestions.html", context)


@login_required
def accuracy(request: HttpRequest) -> HttpResponse:
    if not can_see_accuracy(request.user):
        raise Http404
    per_category, overall = services.accuracy()
    model = services.TriageModel.objects.defer("data").first()
    context = {"rows": per_category, "overall": overall, "model": model}
    return render(request, "triage/accuracy.html", context)
