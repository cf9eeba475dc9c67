from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class LinkageConfig(AppConfig):
    name = "concord.linkage"
    verbose_name = pgettext_lazy("app name", "五调联动")

    def ready(self) -> None:
        from concord.cases.models import Case
        from concord.cases.signals import event_recorded

        from .automatic import on_event_recorded

        # The case knows nothing of the linkage: the linkage hears what happens to cases.
        event_recorded.connect(on_event_recorded, sender=Case, dispatch_uid="linkage.automatic")
