from django.urls import path

from . import views

app_name = "integrations"
urlpatterns = [
    path("deliveries/", views.deliveries, name="deliveries"),
    path("deliveries/<int:delivery_id>/resend", views.resend, name="resend"),
    # /integrations/feedback/12345.xlsx: the code of the system the cases came from.
    path("feedback/<slug:code>.xlsx", views.feedback_export, name="feedback_export"),
]
