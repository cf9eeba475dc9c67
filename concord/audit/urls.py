from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.search, name="search"),
    path("export/<str:kind>", views.search_export, name="export"),
    path("access/", views.access, name="access"),
    path("access/export/<str:kind>", views.access_export, name="access_export"),
]
