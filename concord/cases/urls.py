from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("cases/", views.case_list, name="list"),
    path("cases/archive/", views.case_list, {"archive": True}, name="archive"),
    path("cases/export.xlsx", views.case_export, name="export"),
    path("cases/new", views.intake, name="intake"),
    path("cases/<int:case_id>/", views.case_detail, name="detail"),
    path("cases/<int:case_id>/act/<slug:action>", views.case_act, name="act"),
    path(
        "cases/<int:case_id>/attachments/<int:attachment_id>",
        views.attachment_file,
        name="attachment",
    ),
    path("cases/<int:case_id>/parties/<int:party_id>/reveal", views.party_reveal, name="reveal"),
]
