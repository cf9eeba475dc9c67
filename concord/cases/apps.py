from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class CasesConfig(AppConfig):
    name = "concord.cases"
    verbose_name = pgettext_lazy("app name", "事项")
