"""The dispatcher's pages: the queue of cases waiting for routing (分流调度), routing the
selected ones as the rules suggest, and the ping-pong report (踢皮球) by organisation pair."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from concord.accounts.models import User
from concord.cases.scope import visible_cases
from concord.core.dates import local_midnight
from concord.core.errors import InvalidInput, ServiceError
from concord.core.views import redirect_after_post

from .queue import flagged_cases, level_report, ping_pong_pairs, queue_rows, waiting_cases
from .services import ROUTERS, route

# One press of "按建议批量交办" routes at most this many cases (a page is smaller).
BULK_MAX = 100
REPORT_DAYS = 90


def _routers_only(request: HttpRequest) -> None:
    if request.user.role not in ROUTERS:
        raise Http404


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    _routers_only(request)
    page = Paginator(waiting_cases(request.user), settings.CONCORD["PAGE_SIZE"]).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "rows": queue_rows(list(page)),
        "now": timezone.now(),
        "hops": settings.CONCORD["PING_PONG_HOPS"],
    }
    return render(request, "routing/queue.html", context)


@login_required
@require_POST
def queue_route(request: HttpRequest) -> HttpResponse:
    """Route each selected case as the rules suggest. Each is its own transaction: one refused
    (someone routed it meanwhile, no rule names a lead) does not stop the others."""
    _routers_only(request)
    raw = request.POST.getlist("case")
    back = reverse("routing:queue")
    if page := request.POST.get("page", ""):
        back += f"?page={page}" if page.isdigit() and len(page) < 6 else ""
    if not raw:
        messages.error(request, gettext("请先勾选要交办的事项"))
    elif len(raw) > BULK_MAX:
        messages.error(
            request,
            ngettext("一次最多交办%(max)d件，未作处理", "一次最多交办%(max)d件，未作处理", BULK_MAX)
            % {"max": BULK_MAX},
        )
    else:
        _route_each(request, raw)
    return redirect_after_post(request, back)


def _route_each(request: HttpRequest, raw: list[str]) -> None:
    user: User = request.user
    ids: list[int] = []
    for value in dict.fromkeys(raw):
        if value.isdigit() and len(value) < 19:
            ids.append(int(value))
        else:
            messages.error(
                request, gettext("无效的事项编号「%(id)s」，未处理") % {"id": value[:20]}
            )
    found = visible_cases(user).select_related("category").in_bulk(ids)
    done = refused = 0
    for pk in ids:
        case = found.get(pk)
        if case is None:
            # Outside the scope reads as "no such case": say nothing about its existence.
            messages.error(
                request, gettext("事项 %(id)d 不存在或不在您的管辖范围，未处理") % {"id": pk}
            )
            continue
        try:
            case = route(case, actor=user)
        except ServiceError as exc:
            refused += 1
            messages.error(
                request,
                gettext("%(code)s 未交办：%(reason)s")
                % {"code": case.tracking_code, "reason": _reason(exc)},
            )
        else:
            done += 1
            messages.success(
                request,
                gettext("%(code)s 已交办，主办：%(org)s")
                % {"code": case.tracking_code, "org": case.lead_org.name},
            )
    if done and refused:
        messages.info(
            request,
            gettext("已交办 %(done)d 件，%(refused)d 件未交办")
            % {"done": done, "refused": refused},
        )


def _reason(exc: ServiceError) -> str:
    if isinstance(exc, InvalidInput):
        return pgettext("separator between error messages", "；").join(exc.errors.values())
    return exc.message


class RangeForm(forms.Form):
    start = forms.DateField(label=_("起始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(gettext("起始日期不能晚于截止日期"))
        return data


def _default_range() -> dict[str, dt.date]:
    today = timezone.localdate()
    return {"start": today - dt.timedelta(days=REPORT_DAYS), "end": today}


@login_required
def pingpong(request: HttpRequest) -> HttpResponse:
    _routers_only(request)
    given = {k: request.GET[k] for k in ("start", "end") if request.GET.get(k)}
    form = RangeForm({**{k: v.isoformat() for k, v in _default_range().items()}, **given})
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        span = {"start": local_midnight(start), "end": local_midnight(end + dt.timedelta(days=1))}
        report = ping_pong_pairs(request.user, **span)
        levels = level_report(request.user, **span)
    else:
        report = levels = None
    flagged = Paginator(flagged_cases(request.user), settings.CONCORD["PAGE_SIZE"]).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "report": report,
        "levels": levels,
        "flagged": flagged,
        "query": query.urlencode(),
        "hops": settings.CONCORD["PING_PONG_HOPS"],
    }
    return render(request, "routing/pingpong.html", context)
