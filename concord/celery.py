"""Celery for production: `celery -A concord worker` and `celery -A concord beat`."""

import os

from celery import Celery

from concord.core.jobs import PERIODIC

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concord.settings")

app = Celery("concord")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["concord.core"])
app.conf.beat_schedule = {
    path: {"task": "concord.run_job", "schedule": float(every), "args": (path,)}
    for path, every in PERIODIC
}
