from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "concord.geo"
    verbose_name = "行政区划"
