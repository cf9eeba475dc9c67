from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class PortalConfig(AppConfig):
    name = "concord.portal"
    verbose_name = pgettext_lazy("app name", "群众自助")
