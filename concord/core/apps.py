from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "concord.core"
    verbose_name = "基础"
