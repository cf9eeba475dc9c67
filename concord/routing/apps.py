from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import pgettext_lazy


class RoutingConfig(AppConfig):
    name = "concord.routing"
    verbose_name = pgettext_lazy("app name", "分流")

    def ready(self) -> None:
        from .models import RoutingRule
        from .services import rule_changed

        post_save.connect(rule_changed, sender=RoutingRule, dispatch_uid="routing-save")
        post_delete.connect(rule_changed, sender=RoutingRule, dispatch_uid="routing-delete")
        m2m_changed.connect(
            rule_changed, sender=RoutingRule.assisting_orgs.through, dispatch_uid="routing-m2m"
        )
