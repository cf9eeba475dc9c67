from django.urls import path

from . import grid_views

urlpatterns = [
    path("report", grid_views.grid_report, name="grid_report"),
]
