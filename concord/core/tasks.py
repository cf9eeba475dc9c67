"""The one Celery task: run a job function by its dotted path (see concord.core.jobs)."""

from celery import shared_task

from concord.core.jobs import run_job_now, run_queued


@shared_task(
    name="concord.run_job",
    acks_late=True,
    autoretry_for=(Exception,),
    max_retries=5,
    retry_backoff=True,
)
def run_job(path: str, kwargs: dict | None = None, key: str | None = None):
    """A periodic job (beat sends its path only), or a queued one by its row's `key`: that one
    runs only if no delivery of the same job ran or runs it."""
    if key is not None:
        return run_queued(key)
    return run_job_now(path, kwargs)
