from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class DashboardConfig(AppConfig):
    name = "concord.dashboard"
    verbose_name = pgettext_lazy("app name", "指挥大屏与统计")
