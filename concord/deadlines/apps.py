from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import pgettext_lazy


class DeadlinesConfig(AppConfig):
    name = "concord.deadlines"
    verbose_name = pgettext_lazy("app name", "时限")

    def ready(self) -> None:
        from concord.cases.models import Case
        from concord.cases.signals import event_recorded

        from .models import CalendarDay, CalendarYear, DeadlinePolicy, OfficeHours, PolicyNode
        from .services import on_event_recorded, policy_changed
        from .workdays import calendar_changed

        event_recorded.connect(on_event_recorded, sender=Case, dispatch_uid="deadlines-track")
        for model in (DeadlinePolicy, PolicyNode):
            post_save.connect(policy_changed, sender=model, dispatch_uid=f"policy-{model}")
            post_delete.connect(policy_changed, sender=model, dispatch_uid=f"policy-{model}")
        for model in (CalendarDay, CalendarYear, OfficeHours):
            post_save.connect(calendar_changed, sender=model, dispatch_uid=f"calendar-{model}")
            post_delete.connect(calendar_changed, sender=model, dispatch_uid=f"calendar-{model}")
