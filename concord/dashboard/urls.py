from django.urls import path

from . import forecast_views, kpi_views, report_views, views

app_name = "dashboard"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("screen/", views.screen, name="screen"),
    path("kpis/", kpi_views.kpi_cards, name="kpis"),
    path("volume/", kpi_views.volume_tables, name="volume"),
    path("reports/", report_views.reports, name="reports"),
    path("reports/<int:report_id>/<str:kind>", report_views.report_file, name="report_file"),
    path("forecast/", forecast_views.forecast, name="forecast"),
]
