from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class AgencyConfig(AppConfig):
    name = "concord.agency"
    verbose_name = pgettext_lazy("app name", "信访代办")
