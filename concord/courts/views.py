"""Referral pages: the list with counts, the referral form, the batch upload with its preview,
the mediation record, and the actions of the case page's 法院委派调解 card (extend, answer the
court). Each view parses, checks, calls one service and renders."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from concord.accounts.models import User
from concord.cases.models import Case
from concord.core.dates import local_time
from concord.core.documents import document_response
from concord.core.errors import InvalidInput, NotFound, ServiceError
from concord.core.views import case_url, form_refused, redirect_to_case
from concord.deadlines.models import Deadline
from concord.mediation.choices import MediationStatus

from . import batches, imports
from .choices import REFERRAL_COLOURS, ReferralStatus
from .documents import record_document
from .forms import ExtendForm, ReferralForm, ResultForm, UploadForm
from .models import CourtReferral
from .outcomes import NODE, can_act, can_extend, extend, period, record_result
from .queries import ReferralFilterForm, by_month, by_type, totals
from .services import can_refer, court_for, get_visible_referral, refer, visible_referrals

# ---------------------------------------------------------------- the case card


def days_left(due_at, now) -> int:
    """Calendar days to the due day (0: due today); negative, at least -1, once overdue."""
    days = (timezone.localdate(due_at) - timezone.localdate(now)).days
    return min(days, -1) if due_at <= now else days


@dataclass
class Card:
    referral: CourtReferral | None
    deadline: Deadline | None = None
    days_left: int | None = None
    extension_left: int = 0
    extend_form: ExtendForm | None = None
    result_form: ResultForm | None = None
    mediation_open: bool = False


def referral_card(case: Case, user: User) -> Card:
    """What the 法院委派调解 card of a case page shows this user (nothing for other cases)."""
    referral = CourtReferral.objects.filter(case=case).select_related("court", "type").first()
    if referral is None:
        return Card(None)
    referral.case = case
    card = Card(referral, period(referral))
    if not referral.is_open:
        return card
    deadline = card.deadline
    if deadline is not None and deadline.met_at is None:
        card.days_left = days_left(deadline.due_at, timezone.now())
        card.extension_left = max(deadline.node.extension_max - deadline.extension, 0)
        if card.extension_left and can_extend(user, referral):
            card.extend_form = ExtendForm(referral_id=referral.pk, left=card.extension_left)
    card.mediation_open = case.mediations.filter(status=MediationStatus.OPEN).exists()
    if can_act(user, referral) and not card.mediation_open:
        card.result_form = ResultForm(referral_id=referral.pk)
    return card


def _referral_or_404(request: HttpRequest, referral_id: int) -> CourtReferral:
    try:
        return get_visible_referral(request.user, referral_id)
    except NotFound:
        raise Http404(gettext("委派调解不存在")) from None


def _card_response(request, referral: CourtReferral, form, exc: ServiceError | None = None):
    """A card form come back: its errors in place (htmx) or as messages on the case page."""
    if exc is not None:
        if isinstance(exc, InvalidInput):
            form.place(exc)
        else:
            form.add_error(None, exc.message)
    template = (
        "courts/_extend_form.html" if isinstance(form, ExtendForm) else "courts/_result_form.html"
    )
    context = {"referral": referral, "form": form}
    return form_refused(request, form, template, context, case_url(referral.case_id))


@login_required
@require_POST
def extend_period(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = _referral_or_404(request, referral_id)
    form = ExtendForm(request.POST, referral_id=referral.pk)
    if not form.is_valid():
        return _card_response(request, referral, form)
    try:
        deadline = extend(referral, actor=request.user, **form.params())
    except ServiceError as exc:
        return _card_response(request, referral, form, exc)
    messages.success(
        request,
        gettext("委派调解期限已延长至%(due)s") % {"due": local_time(deadline.due_at, "Y-m-d")},
    )
    return redirect_to_case(request, referral.case_id)


@login_required
@require_POST
def result(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = _referral_or_404(request, referral_id)
    form = ResultForm(request.POST, referral_id=referral.pk)
    if not form.is_valid():
        return _card_response(request, referral, form)
    try:
        referral = record_result(referral, actor=request.user, **form.params())
    except ServiceError as exc:
        return _card_response(request, referral, form, exc)
    messages.success(
        request,
        gettext("已回复法院：%(status)s") % {"status": referral.get_status_display()},
    )
    return redirect_to_case(request, referral.case_id)


@login_required
def record_pdf(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = _referral_or_404(request, referral_id)
    try:
        return record_pdf_response(referral)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(case_url(referral.case_id))


def record_pdf_response(referral: CourtReferral) -> HttpResponse:
    name = gettext("调解情况记录-%(number)s") % {"number": referral.court_case_number}
    return document_response(record_document(referral), "pdf", name)


# ---------------------------------------------------------------- the list


@login_required
def referrals(request: HttpRequest) -> HttpResponse:
    user = request.user
    scope = visible_referrals(user)
    form = ReferralFilterForm(request.GET or None)
    rows = scope
    if form.is_bound:
        rows = form.filter(rows) if form.is_valid() else rows.none()
    clock = Deadline.objects.filter(case=OuterRef("case"), code=NODE, task=None).order_by(
        "-started_at"
    )
    rows = (
        rows.select_related("case__lead_org", "court", "type")
        .annotate(
            due_at=Subquery(clock.values("due_at")[:1]),
            met_at=Subquery(clock.values("met_at")[:1]),
        )
        .order_by("-referred_at", "-pk")
    )
    page = Paginator(rows, settings.CONCORD["PAGE_SIZE"]).get_page(request.GET.get("page"))
    now = timezone.now()
    for referral in page:
        running = referral.is_open and referral.due_at and not referral.met_at
        referral.days_left = days_left(referral.due_at, now) if running else None
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_refer": can_refer(user),
    }
    if request.htmx:
        return render(request, "courts/_referral_table.html", context)
    counts = totals(scope)
    context |= {
        "total": counts["total"],
        "statuses": [
            (s.value, s.label, REFERRAL_COLOURS[s], counts[s.value]) for s in ReferralStatus
        ],
        "by_type": by_type(scope),
        "by_month": by_month(scope),
    }
    return render(request, "courts/referrals.html", context)


# ---------------------------------------------------------------- referring


@login_required
def new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can_refer(user):
        raise Http404  # other roles do not learn the page exists
    form = ReferralForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            referral, created = refer(
                actor=user, draft=form.draft(), court=form.cleaned_data.get("court")
            )
        except InvalidInput as exc:
            form.place(exc)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            text = (
                gettext("已委派调解：案号%(number)s，查询码%(code)s")
                if created
                else gettext("案号%(number)s已委派过（查询码%(code)s），未重复登记")
            )
            code = referral.case.tracking_code
            messages.success(request, text % {"number": referral.court_case_number, "code": code})
            return redirect("cases:detail", case_id=referral.case_id)
    status = 422 if form.errors else 200
    return render(request, "courts/new.html", {"form": form}, status=status)


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    """GET: the upload form and the columns. POST: read and check every row, show them; a
    clean file is kept for the confirm button, a file with bad rows writes nothing."""
    user = request.user
    if not can_refer(user):
        raise Http404
    posted = request.method == "POST"
    data, files = (request.POST, request.FILES) if posted else (None, None)
    form = UploadForm(data, files, user=user)
    context = {"form": form, "columns": imports.COLUMNS, "rows_max": imports.ROWS_MAX}
    if not posted or not form.is_valid():
        return render(request, "courts/upload.html", context, status=422 if form.errors else 200)
    file = form.cleaned_data["file"]
    try:
        court = court_for(user, form.cleaned_data.get("court"))
        preview = imports.preview(court, imports.read_upload(file))
    except InvalidInput as exc:
        for key, message in exc.errors.items():
            form.add_error(key if key in form.fields else None, message)
        return render(request, "courts/upload.html", context, status=422)
    except ServiceError as exc:
        form.add_error(None, exc.message)
        return render(request, "courts/upload.html", context, status=422)
    batch = None
    if not preview.bad and preview.new:
        batch = batches.keep(preview, actor=user, court=court, filename=file.name)
    context |= {"preview": preview, "batch": batch, "court": court, "filename": file.name}
    return render(request, "courts/upload.html", context, status=422 if preview.bad else 200)


@login_required
@require_POST
def confirm(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch_or_404(request, batch_id)
    try:
        batches.start_import(batch)
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("courts:batch", batch_id=batch.pk)


@login_required
def batch(request: HttpRequest, batch_id: int) -> HttpResponse:
    """A confirmed file's import: polled while it runs, then its outcome."""
    batch = _batch_or_404(request, batch_id)
    template = "courts/_batch.html" if request.htmx else "courts/batch.html"
    return render(request, template, {"batch": batch})


def _batch_or_404(request: HttpRequest, batch_id: int):
    if not can_refer(request.user):
        raise Http404
    try:
        return batches.own_batch(request.user, batch_id)
    except NotFound:
        raise Http404(gettext("导入批次不存在")) from None


@login_required
def template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind == "xlsx":
        body = imports.template_xlsx()
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif kind == "csv":
        body, content_type = imports.template_csv(), "text/csv; charset=utf-8"
    else:
        raise Http404
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="court-referrals.{kind}"'
    return response
