from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class ImportsConfig(AppConfig):
    name = "concord.imports"
    verbose_name = pgettext_lazy("app name", "批量导入")
