from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class GeoConfig(AppConfig):
    name = "concord.geo"
    verbose_name = pgettext_lazy("app name", "行政区划")
