"""Registered webhook endpoints' deliveries: ``job.completed`` / ``job.failed`` for jobs made
through this surface, written to the shared outbox (``api.webhooks``: retries for 24 h and the
delivery log) in the transaction that finishes the job, signed per endpoint at send time."""

from __future__ import annotations

import secrets
import time

from django.db import IntegrityError, transaction
from django.utils import timezone

from api.models import WebhookDelivery, WebhookEndpoint
from api.surfaces.pi import shapes
from api.webhooks import send_after_commit
from generations.models import Job, JobStatus, Surface


def event_payload(job: Job) -> dict:
    """``evt_pi_…`` (the same id on every retry), the event type, and the job's outcome with
    the caller's ``client_reference_id`` and ``metadata`` echoed."""
    record = shapes.job_record(job)
    return {
        "id": "evt_pi_" + secrets.token_hex(12),
        "object": "event",
        "type": "job.completed" if job.status == JobStatus.COMPLETED else "job.failed",
        "created": int(time.time()),
        "job_id": job.public_id,
        "job_type": record["type"],
        "status": record["status"],
        "result_url": record["result_url"],
        "error": record["error_log"],
        "client_reference_id": record["client_reference_id"],
        "metadata": record["metadata"],
        "data": record,
    }


def record_for_job(*, job_id: int) -> list[WebhookDelivery]:
    """One outbox row per active endpoint of the job's workspace (called inside the
    transaction that makes the job terminal)."""
    job = Job.objects.select_related("workspace").get(pk=job_id)
    if job.surface != Surface.OPENAI or not job.is_terminal:
        return []
    endpoints = list(WebhookEndpoint.objects.for_workspace(job.workspace_id)
                     .filter(is_active=True))
    if not endpoints:
        return []
    payload = event_payload(job)
    written = []
    for endpoint in endpoints:
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    workspace_id=job.workspace_id, endpoint=endpoint, event=payload["type"],
                    job_public_id=job.public_id, target_url=endpoint.endpoint_url,
                    payload=payload, next_attempt_at=timezone.now())
        except IntegrityError:
            continue  # this event was recorded for this URL already
        send_after_commit(delivery)
        written.append(delivery)
    return written
