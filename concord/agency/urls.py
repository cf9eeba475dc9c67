from django.urls import path

from . import views

app_name = "agency"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("cases/<int:case_id>/assign", views.assign, name="assign"),
    path("<int:agency_id>/errands", views.errand, name="errand"),
    path("<int:agency_id>/finish", views.finish, name="finish"),
]
