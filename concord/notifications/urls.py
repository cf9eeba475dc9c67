from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read", views.read_all, name="read_all"),
    path("<int:notification_id>/read", views.read_one, name="read"),
]
