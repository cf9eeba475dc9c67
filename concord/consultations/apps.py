from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class ConsultationsConfig(AppConfig):
    name = "concord.consultations"
    verbose_name = pgettext_lazy("app name", "联合会商")
