"""The Celery application: reliable defaults, tasks discovered in every app."""

import os
from pathlib import Path

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")

app = Celery("studio")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    # A task is acknowledged only after it finished, and put back if its worker dies, so a
    # job accepted with 202 survives a killed worker. Tasks must therefore be idempotent.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_soft_time_limit=600,
    task_time_limit=660,
    task_ignore_result=True,
    task_default_queue="default",
    task_serializer="json",
    accept_content=["json"],
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
    # A pool process warms the render engine as it starts (generations.warmup, a few seconds
    # on a busy machine); the default 4 s would count a slow warm-up as a failed start.
    worker_proc_alive_timeout=60.0,
    # CPU-bound rendering and I/O-bound fetching/webhooks scale on separate workers.
    task_routes={
        "generations.tasks.render_concept": {"queue": "render"},
        "api.tasks.*": {"queue": "io"},
        "brands.tasks.*": {"queue": "io"},
    },
    beat_schedule={
        "sweep-stale-jobs": {"task": "generations.tasks.sweep_stale_jobs", "schedule": 60.0},
        "deliver-due-webhooks": {"task": "api.tasks.deliver_due_webhooks", "schedule": 30.0},
        "sweep-stale-scrapes": {"task": "brands.tasks.sweep_stale_scrapes", "schedule": 60.0},
        "purge-idempotency-records": {"task": "api.tasks.purge_idempotency_records",
                                      "schedule": 3600.0},
        "retry-brand-images": {"task": "brands.tasks.retry_pending_images", "schedule": 3600.0},
    },
)
app.autodiscover_tasks()

# runstudio asks its worker to keep one marker file per task it holds (received, not finished),
# so that stopping can tell an idle worker (stopped at once) from a busy one (warm shutdown).
ACTIVITY_DIR_ENV = "STUDIO_WORKER_ACTIVITY_DIR"


def _activity_marker(task_id: str | None) -> Path | None:
    folder = os.environ.get(ACTIVITY_DIR_ENV)
    return Path(folder) / task_id if folder and task_id else None


@signals.task_received.connect
def _mark_task_held(request=None, **kwargs) -> None:
    marker = _activity_marker(getattr(request, "id", None))
    if marker is not None:
        marker.touch()


@signals.task_postrun.connect
def _unmark_task_finished(task_id=None, **kwargs) -> None:
    marker = _activity_marker(task_id)
    if marker is not None:
        marker.unlink(missing_ok=True)


@signals.task_revoked.connect
def _unmark_task_revoked(request=None, **kwargs) -> None:
    marker = _activity_marker(getattr(request, "id", None))
    if marker is not None:
        marker.unlink(missing_ok=True)


@signals.worker_ready.connect
def _start_sweeper(**kwargs) -> None:
    from studio.worker import start_sweeper

    start_sweeper()


@signals.worker_shutdown.connect
def _stop_sweeper(**kwargs) -> None:
    from studio.worker import stop_sweeper

    stop_sweeper()
