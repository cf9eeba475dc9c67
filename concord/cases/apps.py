from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "concord.cases"
    verbose_name = "事项"
