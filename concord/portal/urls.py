from django.urls import path

from . import views

app_name = "portal"
# The citizens' door: no login anywhere (SPEC §1, citizen). Rate limited per IP (throttle.py).
urlpatterns = [
    path("", views.home, name="home"),
    path("submit", views.submit, name="submit"),
    path("submitted", views.submitted, name="submitted"),
    path("track", views.track, name="track"),
    path("track/leave", views.leave, name="leave"),
    path("track/rate", views.rate, name="rate"),
    path("book", views.book, name="book"),
    path("booked", views.booked, name="booked"),
]
