from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class RiskConfig(AppConfig):
    name = "concord.risk"
    verbose_name = pgettext_lazy("app name", "风险预警")

    def ready(self) -> None:
        from concord.cases.models import Case
        from concord.cases.signals import event_recorded

        from .receivers import on_event_recorded

        event_recorded.connect(on_event_recorded, sender=Case, dispatch_uid="risk-rescore")
