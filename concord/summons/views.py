"""吹哨报到 pages: the card on the case page (summon, 签到, 到场), the summoned
organisation's list, and the timeliness report. Each view parses, checks, calls one service
and renders."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from concord.accounts.models import User
from concord.cases.models import Case
from concord.cases.scope import case_or_404, visible_cases
from concord.core.dates import local_midnight
from concord.core.errors import InvalidInput, NotFound, ServiceError
from concord.core.views import case_url, form_refused, redirect_after_post, refused
from concord.routing.queue_views import RangeForm

from . import services
from .forms import SummonsForm
from .models import SummonsTarget
from .queries import timeliness as timeliness_report

REPORT_DAYS = 90
LIST_MAX = 100


def _with_targets(summonses):
    return summonses.select_related("issuer_org", "issued_by").prefetch_related(
        Prefetch("targets", SummonsTarget.objects.select_related("organisation"))
    )


def case_card(case: Case, user: User, form: SummonsForm | None = None) -> dict:
    """What the 吹哨报到 card shows this user: the case's summonses with each organisation's
    state, and the summon form for a dispatcher, leader or admin (three queries)."""
    can_summon = services.can_summon(user)
    return {
        "case": case,
        "user": user,
        "now": timezone.now(),
        "summonses": list(_with_targets(case.summonses.all())),
        "can_summon": can_summon,
        "form": form or (SummonsForm() if can_summon else None),
    }


@login_required
@require_POST
def summon(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_or_404(request, case_id)
    form = SummonsForm(request.POST)
    if form.is_valid():
        try:
            summons = services.summon(case, actor=request.user, **form.params())
        except InvalidInput as exc:
            form.place_errors(exc)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            names = "、".join(t.organisation.name for t in summons.targets.all())
            messages.success(request, gettext("已吹哨召集%(names)s") % {"names": names})
            return redirect_after_post(request, reverse("cases:detail", args=[case.pk]))
    context = {"case": case, "form": form}
    return form_refused(request, form, "summons/_form.html", context, case_url(case.pk))


def _answer(request: HttpRequest, target_id: int, act) -> HttpResponse:
    target = get_object_or_404(
        SummonsTarget.objects.select_related("organisation", "summons"), pk=target_id
    )
    try:
        services.get_visible_summons(request.user, target.summons_id)
    except NotFound:
        raise Http404(gettext("吹哨报到不存在")) from None
    back = reverse("summons:mine")
    if request.POST.get("back") == "case":
        back = reverse("cases:detail", args=[target.case_id])
    try:
        target = act(target, actor=request.user)
    except ServiceError as exc:
        return refused(request, exc, back)
    text = gettext("已到场") if target.arrived_at else gettext("已签到")
    if target.arrive_late if target.arrived_at else target.ack_late:
        text = gettext("%(done)s（超时）") % {"done": text}
    messages.success(request, text)
    return redirect_after_post(request, back)


@login_required
@require_POST
def acknowledge(request: HttpRequest, target_id: int) -> HttpResponse:
    return _answer(request, target_id, services.acknowledge)


@login_required
@require_POST
def arrive(request: HttpRequest, target_id: int) -> HttpResponse:
    return _answer(request, target_id, services.arrive)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The user's organisation's summonses, open ones first (a supervisor sees every open
    summons on the cases in their scope)."""
    user = request.user
    summonses = services.visible_summonses(user)
    if services.can_summon(user):
        summonses = summonses.filter(targets__arrived_at=None).distinct()
    else:
        summonses = summonses.filter(targets__organisation_id=user.organisation_id)
    summonses = _with_targets(summonses.select_related("case")).order_by("-issued_at", "-pk")
    context = {
        "summonses": list(summonses[:LIST_MAX]),
        "now": timezone.now(),
        "can_summon": services.can_summon(user),
    }
    return render(request, "summons/mine.html", context)


@login_required
def timeliness(request: HttpRequest) -> HttpResponse:
    if not services.can_summon(request.user):
        raise Http404
    today = timezone.localdate()
    defaults = {"start": today - dt.timedelta(days=REPORT_DAYS), "end": today}
    given = {k: request.GET[k] for k in ("start", "end") if request.GET.get(k)}
    form = RangeForm({**{k: v.isoformat() for k, v in defaults.items()}, **given})
    rows = None
    if form.is_valid():
        rows = timeliness_report(
            visible_cases(request.user),
            start=local_midnight(form.cleaned_data["start"]),
            end=local_midnight(form.cleaned_data["end"] + dt.timedelta(days=1)),
            now=timezone.now(),
        )
    return render(request, "summons/timeliness.html", {"form": form, "rows": rows})
