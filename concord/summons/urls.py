from django.urls import path

from . import views

app_name = "summons"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("timeliness", views.timeliness, name="timeliness"),
    path("cases/<int:case_id>", views.summon, name="summon"),
    path("targets/<int:target_id>/acknowledge", views.acknowledge, name="acknowledge"),
    path("targets/<int:target_id>/arrive", views.arrive, name="arrive"),
]
