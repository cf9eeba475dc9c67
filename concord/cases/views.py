"""Pages of the case desk. Each view parses, checks, calls one service and renders."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, pgettext
from django.views.decorators.http import require_POST

from concord.accounts.permissions import can_export, can_register, can_reveal_pii
from concord.core.errors import InvalidInput, NotFound, ServiceError
from concord.core.forms import QuickSelect
from concord.core.pagination import CappedPaginator
from concord.core.views import redirect_after_post
from concord.deadlines.queries import with_urgent_deadline
from concord.deadlines.views import deadline_card
from concord.routing.services import route, routing_suggestion
from concord.triage.services import record_choice, shown_codes

from . import lifecycle
from .choices import Action, CaseStatus
from .export import export_response
from .filters import CaseFilterForm
from .forms import (
    PARTY_ROWS_INITIAL,
    ActionForm,
    IntakeForm,
    PartyFormSet,
    action_forms,
    category_choices,
    parties_from,
    place_errors,
    town_choices,
)
from .inbox import inbox_sections
from .models import Attachment, Case
from .scope import (
    get_visible_case,
    get_visible_case_with_history,
    get_visible_party,
    visible_cases,
)
from .services import register_case, reveal_party


def _or_404(lookup, *args):
    try:
        return lookup(*args)
    except NotFound:
        raise Http404(gettext("事项不存在")) from None


def _visible_or_404(request: HttpRequest, case_id: int) -> Case:
    return _or_404(get_visible_case, request.user, case_id)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/inbox.html", {"sections": inbox_sections(request.user)})


def _filtered(request: HttpRequest, *, archive: bool = False) -> tuple[CaseFilterForm, object]:
    params = request.GET
    if archive:
        params = params.copy()
        params["status"] = CaseStatus.ARCHIVED
    form = CaseFilterForm(params or None)
    cases = visible_cases(request.user)
    if form.is_bound and form.is_valid():
        cases = form.filter(cases)
    elif form.is_bound:
        cases = cases.none()
    return form, cases.select_related("category__parent", "town", "lead_org")


@login_required
def case_list(request: HttpRequest, archive: bool = False) -> HttpResponse:
    """事项查询; with `archive`, 归档查询: the same search over the archived cases only."""
    form, cases = _filtered(request, archive=archive)
    # The page offers pickers where the API takes codes.
    form.fields["division"].widget = QuickSelect(choices=town_choices(gettext("全部乡镇（街道）")))
    form.fields["category"].widget = QuickSelect(choices=category_choices(gettext("全部类别")))
    if archive:
        form.fields["status"].widget = forms.HiddenInput()
    page = CappedPaginator(with_urgent_deadline(cases), settings.CONCORD["PAGE_SIZE"]).get_page(
        request.GET.get("page")
    )
    # The export and the pages keep the archive's status filter.
    query = form.data.copy() if form.is_bound else request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_export": can_export(request.user),
        "archive": archive,
    }
    template = "cases/_list_table.html" if request.htmx else "cases/list.html"
    return render(request, template, context)


@login_required
def case_export(request: HttpRequest) -> HttpResponse:
    if not can_export(request.user):
        raise Http404
    form, cases = _filtered(request)
    return export_response(request.user, cases, form)


@login_required
def intake(request: HttpRequest) -> HttpResponse:
    if not can_register(request.user):
        raise Http404
    form = IntakeForm(request.POST or None)
    formset = PartyFormSet(
        request.POST or None, initial=None if request.POST else PARTY_ROWS_INITIAL, prefix="party"
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        parties, rows = parties_from(formset)
        try:
            case = register_case(actor=request.user, draft=form.draft(parties))
        except InvalidInput as exc:
            place_errors(exc, form, formset, rows)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            # The clerk's choice beside what triage suggested: the accuracy page learns from it.
            shown = shown_codes(request.POST.get("triage_shown", ""))
            record_choice(case=case, suggested=shown, actor=request.user)
            messages.success(
                request, gettext("已登记，查询码 %(code)s") % {"code": case.tracking_code}
            )
            return redirect("cases:detail", case_id=case.pk)
    return render(request, "cases/intake.html", {"form": form, "formset": formset})


@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _or_404(get_visible_case_with_history, request.user, case_id)
    actions = lifecycle.available_actions(case, request.user)
    suggestion = routing_suggestion(case) if Action.ASSIGN in actions else None
    initial = {Action.ASSIGN: suggestion.initial()} if suggestion else None
    context = {
        "case": case,
        "action_forms": action_forms(actions, initial),
        "routing": suggestion,
        "can_reveal": can_reveal_pii(request.user),
        "deadline_card": deadline_card(case, request.user),
    }
    return render(request, "cases/detail.html", context)


@login_required
@require_POST
def case_act(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    case = _visible_or_404(request, case_id)
    form = ActionForm(request.POST)
    error = None
    if not form.is_valid():
        error = pgettext("separator between error messages", "；").join(
            gettext("%(field)s：%(errors)s")
            % {"field": form.fields[name].label, "errors": " ".join(errs)}
            for name, errs in form.errors.items()
        )
    else:
        try:
            if action == Action.ASSIGN:  # through the rules, so overrides are counted
                route(case, actor=request.user, **{"assisting_orgs": [], **form.params()})
            else:
                lifecycle.transition(case, actor=request.user, action=action, **form.params())
        except ServiceError as exc:
            error = exc.message
    if error:
        if request.htmx:
            return render(request, "cases/_action_error.html", {"error": error}, status=422)
        messages.error(request, error)
    else:
        messages.success(request, gettext("已%(action)s") % {"action": Action(action).label})
    return redirect_after_post(request, reverse("cases:detail", kwargs={"case_id": case.pk}))


@login_required
@require_POST
def party_reveal(request: HttpRequest, case_id: int, party_id: int) -> HttpResponse:
    party = _or_404(get_visible_party, request.user, case_id, party_id)
    try:
        reveal_party(actor=request.user, party=party, ip=request.META.get("REMOTE_ADDR"))
    except ServiceError as exc:
        return HttpResponse(exc.message, status=exc.status)
    return render(request, "cases/_party_revealed.html", {"party": party})


@login_required
def attachment_file(request: HttpRequest, case_id: int, attachment_id: int) -> FileResponse:
    """A case's file, to those who may see the case: never through a public media URL. It is
    shown inline with the type its bytes were checked to be, never the sender's word."""
    case = _visible_or_404(request, case_id)
    attachment = get_object_or_404(Attachment, case=case, pk=attachment_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    name = attachment.original_name or attachment.file.name.rsplit("/", 1)[-1]
    response = FileResponse(handle, content_type=attachment.content_type, filename=name)
    response["Cache-Control"] = "private, max-age=3600"
    return response
