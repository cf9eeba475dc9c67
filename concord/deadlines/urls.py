from django.urls import path

from . import views

app_name = "deadlines"
urlpatterns = [
    path("overdue/", views.overdue, name="overdue"),
    path(
        "cases/<int:case_id>/<int:deadline_id>/extensions",
        views.ask_for_extension,
        name="ask_extension",
    ),
    path("extensions/<int:extension_id>/decision", views.decide, name="decide_extension"),
    path("cases/<int:case_id>/supervisions", views.supervise, name="supervise"),
    path("supervisions/<int:supervision_id>/letter.<str:kind>", views.letter, name="letter"),
]
