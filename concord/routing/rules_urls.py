from django.urls import path

from . import rules_views as views

urlpatterns = [
    path("", views.rule_list, name="rules"),
    path("new", views.rule_new, name="rule_new"),
    path("<int:rule_id>/", views.rule_edit, name="rule"),
    path("<int:rule_id>/toggle", views.rule_toggle, name="rule_toggle"),
    path("<int:rule_id>/delete", views.rule_delete, name="rule_delete"),
]
