from django.urls import path

from . import agreement_views, views

app_name = "mediation"
urlpatterns = [
    path("mediators/", views.mediator_list, name="mediators"),
    path("mediators/new/", views.mediator_new, name="mediator_new"),
    path("mediators/<int:mediator_id>/", views.mediator_edit, name="mediator_edit"),
    path("cases/<int:case_id>/start", views.start, name="start"),
    path("<int:mediation_id>/sessions", views.schedule, name="schedule"),
    path("<int:mediation_id>/finish", views.finish, name="finish"),
    path("sessions/<int:session_id>/record", views.session_record, name="session_record"),
    path("<int:mediation_id>/agreement", agreement_views.agreement_create, name="agreement"),
    path(
        "agreements/<int:agreement_id>/document.<str:kind>",
        agreement_views.agreement_document,
        name="agreement_document",
    ),
    path(
        "agreements/<int:agreement_id>/effective",
        agreement_views.agreement_effective,
        name="agreement_effective",
    ),
    path("agreements/<int:agreement_id>/scan", agreement_views.agreement_scan, name="scan"),
    path(
        "agreements/<int:agreement_id>/confirmation",
        agreement_views.confirmation_apply,
        name="confirmation",
    ),
    path(
        "confirmations/<int:confirmation_id>/ruling",
        agreement_views.confirmation_ruling,
        name="ruling",
    ),
    path("cases/<int:case_id>/litigation", agreement_views.litigation, name="litigation"),
]
