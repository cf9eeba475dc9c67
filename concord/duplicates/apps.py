from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class DuplicatesConfig(AppConfig):
    name = "concord.duplicates"
    verbose_name = pgettext_lazy("app name", "重复件与关联件")

    def ready(self) -> None:
        from concord.cases.models import Case
        from concord.cases.signals import event_recorded

        from .receivers import on_event_recorded

        event_recorded.connect(on_event_recorded, sender=Case, dispatch_uid="duplicates-index")
