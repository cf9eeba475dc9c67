from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class MediationConfig(AppConfig):
    name = "concord.mediation"
    verbose_name = pgettext_lazy("app name", "调解")
