from django.urls import path

from . import views

app_name = "risk"
urlpatterns = [
    path("warnings", views.warnings, name="warnings"),
    path("warnings/<int:warning_id>/close", views.close, name="close"),
]
