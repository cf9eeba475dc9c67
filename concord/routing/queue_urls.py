from django.urls import path

from . import queue_views

urlpatterns = [
    path("", queue_views.queue, name="queue"),
    path("route", queue_views.queue_route, name="queue_route"),
    path("pingpong", queue_views.pingpong, name="pingpong"),
]
