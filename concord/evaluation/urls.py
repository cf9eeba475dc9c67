from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("ranking/", views.ranking, name="ranking"),
    path("ranking.xlsx", views.ranking_export, name="ranking_export"),
    path("visits/", views.visits, name="visits"),
    path("visits/<int:visit_id>/record", views.record, name="record"),
    path("cases/<int:case_id>/rating", views.rate_staff, name="rate_staff"),
    path("reviews/<int:review_id>/decision", views.decide, name="decide"),
    # The citizen's door: no login, the signed token is the key.
    path("rate/<str:token>", views.rate, name="rate"),
]
