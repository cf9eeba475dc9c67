from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class NotificationsConfig(AppConfig):
    name = "concord.notifications"
    verbose_name = pgettext_lazy("app name", "通知")
