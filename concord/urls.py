from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from concord.api.urls import api

urlpatterns = [
    path("", include("concord.cases.urls")),
    path("accounts/", include("concord.accounts.urls")),
    path("geo/", include("concord.geo.urls")),
    path("notifications/", include("concord.notifications.urls")),
    path("deadlines/", include("concord.deadlines.urls")),
    path("routing/", include("concord.routing.urls")),
    path("mediation/", include("concord.mediation.urls")),
    path("summons/", include("concord.summons.urls")),
    path("courts/", include("concord.courts.urls")),
    path("consultations/", include("concord.consultations.urls")),
    path("agency/", include("concord.agency.urls")),
    path("linkage/", include("concord.linkage.urls")),
    path("appointments/", include("concord.appointments.urls")),
    path("evaluation/", include("concord.evaluation.urls")),
    path("dashboard/", include("concord.dashboard.urls")),
    path("integrations/", include("concord.integrations.urls")),
    path("imports/", include("concord.imports.urls")),
    path("open311/v2/", include("concord.open311.urls")),
    path("portal/", include("concord.portal.urls")),
    path("triage/", include("concord.triage.urls")),
    path("risk/", include("concord.risk.urls")),
    path("duplicates/", include("concord.duplicates.urls")),
    path("audit/", include("concord.audit.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", include("concord.core.urls")),
    # One login page, with the lockout and the second factor: the admin site's sends there.
    path("admin/login/", RedirectView.as_view(pattern_name="accounts:login", query_string=True)),
    path("admin/", admin.site.urls),
]
