from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class AppointmentsConfig(AppConfig):
    name = "concord.appointments"
    verbose_name = pgettext_lazy("app name", "预约服务")
