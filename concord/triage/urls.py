from django.urls import path

from . import views

app_name = "triage"
urlpatterns = [
    path("suggestions", views.suggestions, name="suggestions"),
    path("accuracy", views.accuracy, name="accuracy"),
]
