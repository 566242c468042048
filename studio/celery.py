"""The Celery application: reliable defaults, tasks discovered in every app."""

import os

from celery import Celery

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
    # CPU-bound rendering and I/O-bound fetching/webhooks scale on separate workers.
    task_routes={
        "generations.tasks.render_concept": {"queue": "render"},
        "api.tasks.*": {"queue": "io"},
        "brands.tasks.*": {"queue": "io"},
    },
    beat_schedule={
        "sweep-stale-jobs": {"task": "generations.tasks.sweep_stale_jobs", "schedule": 60.0},
        "deliver-due-webhooks": {"task": "api.tasks.deliver_due_webhooks", "schedule": 30.0},
        "purge-idempotency-records": {"task": "api.tasks.purge_idempotency_records",
                                      "schedule": 3600.0},
    },
)
app.autodiscover_tasks()
