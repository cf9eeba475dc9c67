"""The one Celery task: run a job function by its dotted path (see concord.core.jobs)."""

from celery import shared_task

from concord.core.jobs import run_job_now


@shared_task(
    name="concord.run_job",
    acks_late=True,
    autoretry_for=(Exception,),
    max_retries=5,
    retry_backoff=True,
)
def run_job(path: str, kwargs: dict | None = None):
    return run_job_now(path, kwargs)
