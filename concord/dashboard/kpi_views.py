"""The KPI cards of the dashboard and the command screen, as an htmx fragment that polls."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from concord.core.errors import ServiceError
from concord.core.views import refusal_text

from . import kpis, rollups
from .scope import sees_whole_division, stats_scope

TOP = 10  # categories listed; the rest are in the API


def _scoped(request: HttpRequest):
    """(cases, division, period, whole) from ?division=&from=&to=; raises ServiceError."""
    cases, division = stats_scope(request.user, request.GET.get("division"))
    period = kpis.parse_period(request.GET.get("from"), request.GET.get("to"))
    return cases, division, period, sees_whole_division(request.user)


def _refused(request: HttpRequest, exc: ServiceError, template: str) -> HttpResponse:
    return render(request, template, {"error": refusal_text(exc)}, status=exc.status)


@login_required
@require_GET
def kpi_cards(request: HttpRequest) -> HttpResponse:
    """Each KPI with its sample, the same period last year, and links to the cases behind."""
    try:
        cases, division, period, whole = _scoped(request)
    except ServiceError as exc:
        return _refused(request, exc, "dashboard/_kpis.html")
    figures = rollups.figures(cases, division, period, whole=whole)
    last_year = rollups.figures(cases, division, period.year_before(), whole=whole)
    cards = [
        {
            "figure": figure,
            "last_year": last_year[key],
            "change": _change(figure, last_year[key]),
            "sample_url": _behind(key, division.code, period, part=""),
            "good_url": _behind(key, division.code, period, part="good"),
        }
        for key, figure in figures.items()
    ]
    context = {
        "cards": cards,
        "division": division,
        "period": period,
        "minimum": kpis.min_sample(),
        "dark": request.GET.get("theme") == "dark",
    }
    return render(request, "dashboard/_kpis.html", context)


@login_required
@require_GET
def volume_tables(request: HttpRequest) -> HttpResponse:
    """受理量 by channel, category and town beside last year, and the months of the period."""
    try:
        cases, division, period, whole = _scoped(request)
    except ServiceError as exc:
        return _refused(request, exc, "dashboard/_volume.html")
    volume = rollups.volume(cases, division, period, whole=whole)
    parts = [
        (_("来源渠道"), volume.channel),
        (_("事项类别"), volume.category[:TOP]),
        (_("乡镇（街道）"), volume.town),
    ]
    tables = [
        {
            "title": title,
            "rows": [
                {"name": name, "n": n, "last_year": before, "change": _percent(n, before)}
                for _key, name, n, before in rows
            ],
            "max": max((n for _key, _name, n, _before in rows), default=0),
        }
        for title, rows in parts
    ]
    months = [
        {"month": month, "n": n, "last_year": before, "change": _percent(n, before)}
        for month, n, before in volume.month
    ]
    context = {"tables": tables, "months": months, "dark": request.GET.get("theme") == "dark"}
    return render(request, "dashboard/_volume.html", context)


def _percent(n: int, before: int) -> str:
    return f"{100 * (n - before) / before:+.0f}%" if before else ""


def _change(figure: kpis.Figure, before: kpis.Figure) -> dict | None:
    """The change against the same period last year: points for rates, % for counts.
    `better` says which way is good for this KPI."""
    if figure.value is None or before.value is None:
        return None
    if figure.kpi.is_rate:
        delta, text = figure.value - before.value, f"{figure.value - before.value:+.1f}"
    elif before.value:
        delta = figure.value - before.value
        text = f"{100 * delta / before.value:+.0f}%"
    else:
        return None
    better = delta < 0 if figure.lower_is_better else delta > 0
    return {"text": text, "better": better if delta else None}


def _behind(key: str, division: str, period: kpis.Period, part: str) -> str:
    query = {
        "division": division,
        "received_from": period.first.isoformat(),
        "received_to": period.last.isoformat(),
        "kpi": key,
    }
    if part:
        query["kpi_part"] = part
    return f"{reverse('cases:list')}?{urlencode(query)}"
