from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "concord.orgs"
    verbose_name = "组织机构"
