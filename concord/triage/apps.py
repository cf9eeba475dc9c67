from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class TriageConfig(AppConfig):
    name = "concord.triage"
    verbose_name = pgettext_lazy("app name", "智能分类")
