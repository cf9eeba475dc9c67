"""The county map outline and the town → village picker used by the intake form."""

import re

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from concord.geo.loader import county_outline
from concord.geo.models import Division, DivisionLevel

_TOWN_CODE = re.compile(r"\d{9}000")


@login_required
@require_GET
def county_geojson(request: HttpRequest) -> JsonResponse:
    """The configured county's outline, for echarts.registerMap on the command dashboard."""
    code = settings.CONCORD["COUNTY_CODE"] + "000000"
    outline = county_outline(code)
    if not outline:
        raise Http404("county outline not loaded (run `manage.py load_divisions`)")
    response = JsonResponse(outline, content_type="application/geo+json")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_GET
def village_options(request: HttpRequest) -> HttpResponse:
    """`<option>`s for the villages of ?town=<12-digit code>; ?selected=<code> preselects one."""
    town = request.GET.get("town", "")
    selected = request.GET.get("selected", "")
    villages = []
    if _TOWN_CODE.fullmatch(town):
        villages = Division.objects.filter(parent_id=town, level=DivisionLevel.VILLAGE).values_list(
            "code", "name"
        )
    html = format_html('<option value="">{}</option>', _("请选择村（社区）"))
    html += format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((code, " selected" if code == selected else "", name) for code, name in villages),
    )
    return HttpResponse(html)
