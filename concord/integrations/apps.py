from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class IntegrationsConfig(AppConfig):
    name = "concord.integrations"
    verbose_name = pgettext_lazy("app name", "系统对接")

    def ready(self) -> None:
        from concord.cases.models import Case
        from concord.cases.signals import event_recorded

        from .webhooks import on_event_recorded

        event_recorded.connect(on_event_recorded, sender=Case, dispatch_uid="integrations-webhooks")
