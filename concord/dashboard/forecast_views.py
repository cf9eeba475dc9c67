"""趋势预测 (decision support): next month's forecast per category and town with its past
error, and the organisations and towns that moved most (concord.dashboard.forecast and
.movers compute them).

Any member of an organisation may look, at their territory or a division inside it (?division=);
a division outside it is refused with 403 and a malformed one with 422, on this page with the
reason and the picker to choose again.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from concord.core.errors import ServiceError
from concord.core.views import refusal_text
from concord.geo.models import Division

from . import forecast as service
from . import movers as moved
from .map_forms import DashboardFilterForm
from .scope import stats_scope, territory

TEMPLATE = "dashboard/forecast.html"


class ForecastForm(DashboardFilterForm):
    """The board's division choices and the movers' comparison; none of its other filters."""

    period = forms.ChoiceField(
        label=gettext_lazy("对比口径"),
        required=False,
        choices=[
            ("mtd", gettext_lazy("本月至今 对比 上月同期")),
            ("month", gettext_lazy("上月 对比 前月")),
        ],
    )

    def __init__(self, *args, home: Division, shown: Division | None = None, **kwargs):
        super().__init__(*args, home=home, shown=shown, **kwargs)
        for name in ("risk", "category", "channel", "from", "to"):
            del self.fields[name]


@login_required
@require_GET
def forecast(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.organisation_id is None:
        raise PermissionDenied(_("趋势预测仅供各单位工作人员查看"))
    home = territory(user)
    try:
        cases, division = stats_scope(user, request.GET.get("division"))
        comparison = moved.parse_comparison(request.GET.get("period"))
    except ServiceError as exc:
        form = ForecastForm(initial=request.GET.dict(), home=home)
        context = {"form": form, "error": refusal_text(exc)}
        return render(request, TEMPLATE, context, status=exc.status)
    initial = {"division": division.code, "period": comparison.kind}
    context = {
        "form": ForecastForm(initial=initial, home=home, shown=division),
        "division": division,
        "result": service.forecast(cases),
        "movers": moved.movers(cases, comparison),
        "min_base": moved.MIN_BASE,
        "top": moved.TOP,
    }
    return render(request, TEMPLATE, context)
