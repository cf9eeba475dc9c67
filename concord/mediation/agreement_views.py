"""The 调解 card's actions after a mediation ended: make the agreement, download it, record
that it took effect, upload the signed scan, apply for judicial confirmation, record the
ruling, and send the case on to court. Each view parses, calls one service and redirects; a
refused form comes back in place (htmx) or as messages."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from concord.cases.scope import case_or_404
from concord.core.dates import local_time
from concord.core.errors import Forbidden, InvalidInput, NotFound, ServiceError
from concord.core.views import case_url, form_refused, redirect_to_case

from .agreements import (
    agreement_download,
    attach_scan,
    create_agreement,
    record_effect,
    scan_download,
)
from .chain import refer_to_court
from .confirmation import apply_for_confirmation, record_ruling
from .forms import AgreementForm, ConfirmationForm, EffectForm, LitigationForm, RulingForm, ScanForm
from .models import Agreement, Confirmation
from .views import mediation_or_404


def _agreement_or_404(request: HttpRequest, agreement_id: int) -> Agreement:
    agreement = get_object_or_404(Agreement.objects.select_related("mediation"), pk=agreement_id)
    agreement.mediation.case = case_or_404(request, agreement.mediation.case_id)
    return agreement


def _submit(
    request: HttpRequest,
    form,
    case_id: int,
    act: Callable[[], str],
    template: str,
    context: dict,
) -> HttpResponse:
    """Run `act` (the service call, returning the success message) on a valid form; else, or
    when the service refuses, the form comes back with the messages next to their fields."""
    if form.is_valid():
        try:
            text = act()
        except InvalidInput as exc:
            form.place(exc)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, text)
            return redirect_to_case(request, case_id)
    context = {**context, "form": form}
    return form_refused(request, form, template, context, case_url(case_id))


@login_required
@require_POST
def agreement_create(request: HttpRequest, mediation_id: int) -> HttpResponse:
    mediation = mediation_or_404(request, mediation_id)
    form = AgreementForm(request.POST, mediation=mediation)

    def act() -> str:
        agreement = create_agreement(mediation, actor=request.user, draft=form.draft())
        return gettext("已制作调解协议：%(number)s") % {"number": agreement.number}

    context = {"mediation": mediation}
    return _submit(request, form, mediation.case_id, act, "mediation/_agreement_form.html", context)


@login_required
@require_GET
def agreement_document(request: HttpRequest, agreement_id: int, kind: str) -> HttpResponse:
    agreement = _agreement_or_404(request, agreement_id)
    ip = request.META.get("REMOTE_ADDR")
    try:
        return agreement_download(agreement, actor=request.user, kind=kind, ip=ip)
    except NotFound:
        raise Http404 from None
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None


@login_required
@require_POST
def agreement_effective(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = _agreement_or_404(request, agreement_id)
    form = EffectForm(request.POST, agreement=agreement)

    def act() -> str:
        done = record_effect(agreement, actor=request.user, **form.params())
        return gettext("调解协议已于%(when)s生效") % {"when": local_time(done.effective_at)}

    context = {"agreement": agreement}
    case_id = agreement.mediation.case_id
    return _submit(request, form, case_id, act, "mediation/_effect_form.html", context)


@login_required
def agreement_scan(request: HttpRequest, agreement_id: int) -> HttpResponse:
    """GET: the signed scan, to the roles that see full personal data (audited); POST: upload
    it (a plain form)."""
    agreement = _agreement_or_404(request, agreement_id)
    case_id = agreement.mediation.case_id
    if request.method == "POST":
        form = ScanForm(request.POST, request.FILES, agreement=agreement)

        def act() -> str:
            attach_scan(agreement, actor=request.user, upload=form.cleaned_data["scan"])
            return gettext("已上传签字盖章扫描件")

        context = {"agreement": agreement}
        return _submit(request, form, case_id, act, "mediation/_scan_form.html", context)
    try:
        return scan_download(agreement, actor=request.user, ip=request.META.get("REMOTE_ADDR"))
    except NotFound as exc:
        raise Http404(exc.message) from None
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None


@login_required
@require_POST
def confirmation_apply(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = _agreement_or_404(request, agreement_id)
    form = ConfirmationForm(request.POST, agreement=agreement)

    def act() -> str:
        confirmation = apply_for_confirmation(agreement, actor=request.user, **form.params())
        return gettext("已登记向%(court)s申请司法确认") % {"court": confirmation.court.name}

    context = {"agreement": agreement}
    case_id = agreement.mediation.case_id
    return _submit(request, form, case_id, act, "mediation/_confirmation_form.html", context)


@login_required
@require_POST
def confirmation_ruling(request: HttpRequest, confirmation_id: int) -> HttpResponse:
    confirmation = get_object_or_404(
        Confirmation.objects.select_related("agreement__mediation"), pk=confirmation_id
    )
    case = case_or_404(request, confirmation.agreement.mediation.case_id)
    confirmation.agreement.mediation.case = case
    form = RulingForm(request.POST, confirmation=confirmation)

    def act() -> str:
        done = record_ruling(confirmation, actor=request.user, **form.params())
        return gettext("已登记司法确认裁定：%(ruling)s") % {"ruling": done.get_ruling_display()}

    context = {"confirmation": confirmation}
    return _submit(request, form, case.pk, act, "mediation/_ruling_form.html", context)


@login_required
@require_POST
def litigation(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_or_404(request, case_id)
    form = LitigationForm(request.POST, case_id=case.pk)

    def act() -> str:
        referral = refer_to_court(case, actor=request.user, **form.params())
        text = gettext("已引导至%(route)s（%(court)s）") % {
            "route": referral.get_route_display(),
            "court": referral.court.name,
        }
        if referral.legal_aid:
            text += gettext("，并转介%(org)s法律援助") % {"org": referral.aid_org.name}
        return text

    context = {"case": case}
    return _submit(request, form, case.pk, act, "mediation/_litigation_form.html", context)
