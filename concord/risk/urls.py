from django.urls import path

from . import views

app_name = "risk"
urlpatterns = [
    path("warnings", views.warnings, name="warnings"),
    path("warnings/<int:warning_id>/close", views.close, name="close"),
    path("letters", views.letters, name="letters"),
    path("letters/new", views.new_letter, name="new_letter"),
    path("letters/<int:letter_id>", views.letter, name="letter"),
    path("letters/<int:letter_id>/reply", views.reply, name="reply"),
    path("letters/<int:letter_id>/letter.<str:kind>", views.letter_file, name="letter_file"),
]
