"""Thin Celery tasks: ids in, one pipeline call each. Safe to run twice. The receivers below
publish them when the pipeline says work is queued."""

import logging

from celery import shared_task, signals
from django.db import OperationalError
from django.dispatch import receiver

from generations import events, pipeline
from generations.warmup import warm_up

logger = logging.getLogger(__name__)

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


@receiver(events.job_queued, dispatch_uid="generations.tasks.job_queued")
def _publish_plan(sender, *, job_id: int, **kwargs) -> None:
    plan_job.delay(job_id)


@receiver(events.concept_queued, dispatch_uid="generations.tasks.concept_queued")
def _publish_render(sender, *, concept_id: int, **kwargs) -> None:
    render_concept.delay(concept_id)


@signals.worker_process_init.connect(dispatch_uid="generations.tasks.warm_up")
def _warm_up(**kwargs) -> None:
    """Each pool process (or the solo worker) gets the engine ready before its first job."""
    try:
        warm_up()
    except Exception:  # a cold engine is slower, not broken: the worker still starts
        logger.exception("engine warm-up failed")
