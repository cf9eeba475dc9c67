"""The command dashboard pages: 数据看板 inside the site and 指挥大屏, the same board full screen
and dark for the command room's 1920×1080 wall.

Both show the KPI cards (an htmx fragment polling every 30 s), the county map with a dot per
open case (the map endpoint polled every 15 s by dashboard/map.js), the filters as a GET form
and the towns' open cases that have no place on the map. A town's staff see their town; a
division outside the user's territory is refused with the 403 page, a bad filter with 422.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from concord.cases.choices import RiskLevel
from concord.core.errors import Forbidden, ServiceError
from concord.core.views import refusal_text
from concord.geo.models import Division, DivisionLevel

from . import kpis
from .map import RISK_COLOURS, MapFilters, open_cases, parse_filters, without_coordinates
from .map_forms import DashboardFilterForm
from .scope import territory

MAP_REFRESH_SECONDS = 15
# How close the map opens on a town or a village (ECharts geo zoom; the county is 1).
ZOOM = {DivisionLevel.TOWN: 2.5, DivisionLevel.VILLAGE: 5}


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    return _board(request, "dashboard/dashboard.html", screen=False)


@login_required
@require_GET
def screen(request: HttpRequest) -> HttpResponse:
    return _board(request, "dashboard/screen.html", screen=True)


def _board(request: HttpRequest, template: str, *, screen: bool) -> HttpResponse:
    user = request.user
    if user.organisation_id is None:
        raise PermissionDenied(_("数据看板仅供各单位工作人员查看"))
    home = territory(user)
    try:
        filters = parse_filters(request.GET)
        period = kpis.parse_period(request.GET.get("from"), request.GET.get("to"))
        cases, division = open_cases(user, filters)
    except Forbidden:
        raise PermissionDenied(_("无权查看该区划的数据")) from None
    except ServiceError as exc:
        form = DashboardFilterForm(initial=request.GET.dict(), home=home)
        context = {"form": form, "screen": screen, "error": refusal_text(exc)}
        return render(request, template, context, status=exc.status)
    initial = {**vars(filters), "division": division.code, "from": period.first, "to": period.last}
    kpi_query = {"division": division.code, "from": period.first, "to": period.last}
    if screen:
        kpi_query["theme"] = "dark"
    context = {
        "form": DashboardFilterForm(initial=initial, home=home, shown=division),
        "screen": screen,
        "division": division,
        "period": period,
        "unlocated": without_coordinates(cases),
        "map_url": f"{reverse('api:map_points')}?{urlencode(_map_query(division, filters))}",
        "panel_url": reverse("api:map_panel", kwargs={"case_id": 0}),
        "kpi_url": f"{reverse('dashboard:kpis')}?{urlencode(kpi_query)}",
        "volume_url": f"{reverse('dashboard:volume')}?{urlencode(kpi_query)}",
        "centre": _centre(division),
        "risks": [
            {"value": value, "label": label, "colour": RISK_COLOURS[value]}
            for value, label in RiskLevel.choices
        ],
        "towns": _town_names(home),
        "refresh_ms": MAP_REFRESH_SECONDS * 1000,
        "query": request.GET.urlencode(),
    }
    return render(request, template, context)


def _map_query(division: Division, filters: MapFilters) -> dict:
    query = {"division": division.code}
    for name in ("risk", "category", "channel"):
        if value := getattr(filters, name):
            query[name] = value
    return query


def _town_names(home: Division) -> list[dict]:
    """The towns' names to write on the map (the user's own town only, for a town's staff)."""
    towns = Division.objects.filter(
        level=DivisionLevel.TOWN, code__startswith=home.prefix, lat__isnull=False
    )
    return list(towns.values("name", "lng", "lat"))


def _centre(division: Division) -> dict | None:
    """Where the map opens on a town or a village: its centre, zoomed in. The county opens
    whole (None)."""
    if division.level not in ZOOM or division.lat is None or division.lng is None:
        return None
    return {"lng": division.lng, "lat": division.lat, "zoom": ZOOM[division.level]}
