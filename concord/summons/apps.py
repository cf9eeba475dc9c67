from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class SummonsConfig(AppConfig):
    name = "concord.summons"
    verbose_name = pgettext_lazy("app name", "吹哨报到")
