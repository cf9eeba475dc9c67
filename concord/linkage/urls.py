from django.urls import path

from . import views

app_name = "linkage"
urlpatterns = [
    path("", views.report, name="report"),
    path("cases/<int:case_id>/handovers", views.hand_over, name="hand_over"),
    path("cases/<int:case_id>/returns", views.record_return, name="record_return"),
]
