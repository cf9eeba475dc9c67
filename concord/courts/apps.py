from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class CourtsConfig(AppConfig):
    name = "concord.courts"
    verbose_name = pgettext_lazy("app name", "法院委派调解")

    def ready(self) -> None:
        from concord.cases.signals import event_recorded

        from .outcomes import on_event_recorded

        # A referred case's mediation ending answers the court (outcomes.on_event_recorded).
        event_recorded.connect(on_event_recorded, dispatch_uid="courts.answer_court")
