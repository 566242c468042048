"""Thin Celery tasks: ids in, one pipeline call each. Safe to run twice."""

from celery import shared_task
from django.db import OperationalError

from generations import pipeline

_TRANSIENT = (OperationalError, ConnectionError, TimeoutError)


@shared_task(autoretry_for=_TRANSIENT, retry_backoff=2, retry_backoff_max=60, max_retries=5)
def plan_job(job_id: int) -> None:
    for concept_id in pipeline.plan(job_id=job_id):
        render_concept.delay(concept_id)


@shared_task(autoretry_for=_TRANSIENT, retry_backoff=2, retry_backoff_max=60, max_retries=5)
def render_concept(concept_id: int) -> None:
    pipeline.render(concept_id=concept_id)


@shared_task
def sweep_stale_jobs() -> dict[str, int]:
    return pipeline.sweep()
