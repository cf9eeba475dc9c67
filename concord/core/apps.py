import os
import sys

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "concord.core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from concord.core.jobs import on_celery, start_embedded_scheduler
        from concord.core.staticfiles import trim

        trim()

        # `make run`: the development server's serving process (not its reloader) runs the
        # periodic jobs itself when there is no Celery.
        serving = "runserver" in sys.argv and os.environ.get("RUN_MAIN") == "true"
        if serving and not on_celery() and os.environ.get("CONCORD_SCHEDULER", "on") != "off":
            start_embedded_scheduler()
