from django.urls import path

from . import views

app_name = "duplicates"
urlpatterns = [
    path("cases/<int:case_id>/merge", views.merge, name="merge"),
    path("cases/<int:case_id>/unmerge", views.unmerge, name="unmerge"),
]
