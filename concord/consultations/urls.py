from django.urls import path

from . import views

app_name = "consultations"
urlpatterns = [
    path("", views.index, name="list"),
    path("cases/<int:case_id>/schedule", views.schedule, name="schedule"),
    path("cases/<int:case_id>/reception", views.reception, name="reception"),
    path("<int:consultation_id>/minutes", views.minutes, name="minutes"),
    path("<int:consultation_id>/minutes.<str:kind>", views.document, name="document"),
    path("decisions/<int:decision_id>/done", views.done, name="done"),
]
