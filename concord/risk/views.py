"""风险预警 pages: the open spike warnings in the user's division and closing one; the
风险提示函 / 预警函 written about a case or a spike, and their replies."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from concord.accounts.models import User
from concord.accounts.permissions import SUPERVISE_ROLES
from concord.cases.scope import case_or_404, visible_cases
from concord.core.documents import document_response
from concord.core.errors import ServiceError
from concord.core.views import redirect_after_post, submit

from . import letters as services
from .choices import LetterKind, LetterStatus, WarningStatus
from .forms import LetterForm, ReplyForm
from .models import RiskLetter, SpikeWarning
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
        status=WarningStatus.CLOSED, closed_at=timezone.now(), closed_by=request.user
    )
    messages.success(request, gettext("已标记为已处置"))
    return redirect("risk:warnings")


def _about(request: HttpRequest):
    """The case or spike a new letter is about, from ?case= or ?spike= (404 outside scope)."""
    case_id, spike_id = request.GET.get("case", ""), request.GET.get("spike", "")
    if case_id.isdigit() and not spike_id:
        return case_or_404(request, int(case_id)), None
    if spike_id.isdigit() and not case_id:
        spikes = services.spikes_in_territory(request.user)
        return None, get_object_or_404(spikes, pk=int(spike_id))
    raise Http404


@login_required
def new_letter(request: HttpRequest) -> HttpResponse:
    """发风险提示函 / 预警函: the form starts from the templates' text and the usual addressee."""
    if not services.can_issue_letters(request.user):
        raise Http404
    case, spike = _about(request)
    targets = services.target_choices(request.user)
    if request.method == "POST":
        form = LetterForm(request.POST, targets=targets)
        letter = None

        def act() -> str:
            nonlocal letter
            letter = services.issue_letter(
                actor=request.user, case=case, spike=spike, **form.cleaned_data
            )
            return gettext("已向%(org)s发出%(number)s") % {
                "org": letter.target_org.name,
                "number": letter.number,
            }

        context = {"form": form, "case": case, "spike": spike}
        response = submit(
            request,
            form,
            act,
            template="risk/_letter_form.html",
            context=context,
            back=request.get_full_path(),
        )
        if letter is not None:  # sent: go to the letter, not back to the form
            return redirect_after_post(request, reverse("risk:letter", args=[letter.pk]))
        return response
    kind = (
        LetterKind.WARNING if spike is not None or case.risk_level == "red" else LetterKind.NOTICE
    )
    initial = {
        "kind": kind,
        "target": services.default_target(case=case, spike=spike),
        "reply_days": services.REPLY_DAYS[kind],
        **services.draft_text(kind=kind, case=case, spike=spike),
    }
    form = LetterForm(initial=initial, targets=targets)
    return render(request, "risk/letter_new.html", {"form": form, "case": case, "spike": spike})


@login_required
def letters(request: HttpRequest) -> HttpResponse:
    """风险函件: the letters the user sent or received, by status; overdue first."""
    status = request.GET.get("status", "")
    if status not in LetterStatus.values:
        status = ""
    rows = services.with_status(services.letters_for(request.user), status)
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status,
        "statuses": LetterStatus.choices,
        "can_issue": services.can_issue_letters(request.user),
    }
    return render(request, "risk/letters.html", context)


def _letter_or_404(request: HttpRequest, letter_id: int) -> RiskLetter:
    return get_object_or_404(services.letters_for(request.user), pk=letter_id)


@login_required
def letter(request: HttpRequest, letter_id: int) -> HttpResponse:
    """One letter as it reads, its downloads, and its reply (or the form to reply)."""
    item = _letter_or_404(request, letter_id)
    context = {
        "letter": item,
        "document": services.letter_document(item),
        "can_reply": item.replied_at is None and request.user.organisation_id == item.target_org_id,
        "form": ReplyForm(),
    }
    return render(request, "risk/letter.html", context)


@login_required
@require_POST
def reply(request: HttpRequest, letter_id: int) -> HttpResponse:
    item = _letter_or_404(request, letter_id)
    form = ReplyForm(request.POST)

    def act() -> str:
        services.reply_to_letter(item, actor=request.user, reply=form.cleaned_data["reply"])
        return gettext("已回复%(number)s") % {"number": item.number}

    back = reverse("risk:letter", args=[item.pk])
    context = {"letter": item, "form": form, "can_reply": True}
    return submit(request, form, act, template="risk/_reply_form.html", context=context, back=back)


@login_required
def letter_file(request: HttpRequest, letter_id: int, kind: str) -> HttpResponse:
    item = _letter_or_404(request, letter_id)
    try:
        return document_response(
            services.letter_document(item), kind, f"{item.get_kind_display()}-{item.number}"
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("risk:letter", letter_id=item.pk)
