from django.urls import path

from . import views

app_name = "appointments"
urlpatterns = [
    path("", views.desk, name="desk"),
    path("book", views.book, name="book"),
    path("<int:appointment_id>/cancel", views.cancel, name="cancel"),
    path("<int:appointment_id>/mark", views.mark, name="mark"),
]
