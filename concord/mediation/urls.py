from django.urls import path

from . import views

app_name = "mediation"
urlpatterns = [
    path("mediators/", views.mediator_list, name="mediators"),
    path("mediators/new/", views.mediator_new, name="mediator_new"),
    path("mediators/<int:mediator_id>/", views.mediator_edit, name="mediator_edit"),
    path("cases/<int:case_id>/start", views.start, name="start"),
    path("<int:mediation_id>/sessions", views.schedule, name="schedule"),
    path("<int:mediation_id>/finish", views.finish, name="finish"),
]
