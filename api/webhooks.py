"""Outbound webhooks: signed POSTs of job events, retried with backoff for 24 hours.

Each request carries two signatures over the same raw body, keyed with the workspace's webhook
secret:

* ``X-Dessert-Signature``: lowercase hex HMAC-SHA256 of the body (Dessert's scheme);
* Standard Webhooks (``webhook-id``, ``webhook-timestamp``, ``webhook-signature``), so stock
  verifier libraries work; their secret is ``whsec_`` + base64 of the workspace secret
  (``standard_webhooks_secret``).

Deliveries to an endpoint a workspace registered (the OpenAI-compatible surface's
``/api/v1/webhooks``) are signed instead with that endpoint's own secret, Pi's way:
``X-Pi-Signature: sha256=<hex>`` and ``X-Pi-Event``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from standardwebhooks.webhooks import Webhook

from api.models import WebhookDelivery
from brands.scrape.http import FetchFailed, OutboundRefused, SafeClient
from generations.files import asset_url
from generations.models import AssetKind, Job, JobStatus
from studio.models import Workspace

logger = logging.getLogger(__name__)

SUCCESS_TIMEOUT_SECONDS = 10  # Dessert: a 2xx within 10 s is success
RETRY_WINDOW = timedelta(hours=24)
MAX_BACKOFF = timedelta(hours=1)


def standard_webhooks_secret(workspace: Workspace) -> str:
    """The workspace secret in the ``whsec_…`` form Standard Webhooks libraries take."""
    return "whsec_" + base64.b64encode(workspace.webhook_secret.encode()).decode()


def dessert_signature(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signed_headers(*, workspace: Workspace, message_id: str, body: bytes,
                   sent_at: datetime) -> dict[str, str]:
    standard = Webhook(standard_webhooks_secret(workspace))
    return {
        "Content-Type": "application/json",
        "X-Dessert-Signature": dessert_signature(workspace.webhook_secret, body),
        "webhook-id": message_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": standard.sign(message_id, sent_at, body.decode()),
    }


def pi_signed_headers(*, delivery: WebhookDelivery, body: bytes) -> dict[str, str]:
    """A registered endpoint's flavour: ``X-Pi-Signature: sha256=<hex>`` of the raw body,
    keyed with that endpoint's own secret, and the event name in ``X-Pi-Event``."""
    assert delivery.endpoint is not None
    digest = hmac.new(delivery.endpoint.secret.encode(), body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Pi-Event": delivery.event,
            "X-Pi-Signature": f"sha256={digest}", "webhook-id": delivery.message_id}


def job_event_payload(job: Job) -> dict:
    """The Dessert delivery shape: the same as GET /v1/deliveries/{id}, plus ``event``."""
    ads = []
    for concept in job.concepts.prefetch_related("assets").order_by("index"):
        assets = list(concept.assets.all())
        for aspect in job.request.get("sizes", ["9:16", "4:5"]):
            static = next((a for a in assets if a.kind == AssetKind.STATIC and a.aspect == aspect
                           and a.mime_type == "image/png"), None)
            video = next((a for a in assets if a.kind == AssetKind.VIDEO and a.aspect == aspect),
                         None)
            shown = static or video
            if shown is None:
                continue
            ads.append({
                "ad_id": shown.public_id,
                "concept_id": concept.public_id,
                "orientation": shown.orientation,
                "aspect_ratio": aspect,
                "headline": concept.headline,
                "body": concept.body,
                "cta": concept.cta,
                "static_url": asset_url(static, absolute=True) if static else None,
                "video_url": asset_url(video, absolute=True) if video else None,
            })
    event = "delivery.completed" if job.status == JobStatus.COMPLETED else "delivery.failed"
    payload = {
        "event": event,
        "delivery_id": job.public_id,
        "request_id": job.request_id,
        "status": job.status,
        "format": job.format,
        "ad_count": len(ads),
        "ads": ads,
        "credits_charged": job.credits_charged,
        "credits_refunded": job.credits_refunded,
        "viewer_url": settings.SITE_URL + reverse("generations:job", args=[job.public_id]),
        "delivered_at": (job.finished_at or timezone.now()).isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
    }
    if job.correlation_id:
        payload["correlation_id"] = job.correlation_id
    if job.metadata:
        payload["metadata"] = job.metadata
    if job.error_code:
        payload["error"] = {"code": job.error_code, "message": job.error_message}
    return payload


# Surfaces whose webhook body is not Dessert's: surface -> "module.function" returning
# (event name, payload). Dotted paths, so the worker needs no surface imported up front.
SURFACE_EVENT_BUILDERS: dict[str, str] = {
    "inference": "api.surfaces.inference.shapes.webhook_event",
}


def job_event_for_surface(job: Job) -> tuple[str, dict]:
    """The event name and body the job's surface sends (Dessert's by default)."""
    builder = SURFACE_EVENT_BUILDERS.get(job.surface)
    if builder is None:
        payload = job_event_payload(job)
        return payload["event"], payload
    return import_string(builder)(job)


def webhook_record_for_job(*, job_id: int) -> WebhookDelivery | None:
    """Write the outbox row for a terminal job that asked for a webhook.

    Called inside the transaction that makes the job terminal (``events.job_terminal``), so
    the row commits with the job or not at all; the send is published after commit and, if
    the broker is down then, the sweeper finds the row later. One row per job event and URL.
    """
    job = Job.objects.select_related("workspace").get(pk=job_id)
    if not job.webhook_url or not job.is_terminal:
        return None
    event, payload = job_event_for_surface(job)
    try:
        with transaction.atomic():
            delivery = WebhookDelivery.objects.create(
                workspace=job.workspace, event=event, job_public_id=job.public_id,
                target_url=job.webhook_url, payload=payload, next_attempt_at=timezone.now(),
            )
    except IntegrityError:
        return None  # this event was recorded already
    _send_after_commit(delivery)
    return delivery


def webhook_enqueue_for_job(*, job_id: int) -> WebhookDelivery | None:
    """Record (if not yet recorded) and send the terminal event of a finished job."""
    with transaction.atomic():
        return webhook_record_for_job(job_id=job_id)


def _publish(delivery_id: int) -> None:
    from api import tasks

    try:
        tasks.deliver_webhook.delay(delivery_id)
    except Exception:
        logger.warning("Could not publish webhook delivery %s; the sweeper will send it",
                       delivery_id, exc_info=True)


def send_after_commit(delivery: WebhookDelivery) -> None:
    """Publish the delivery once the transaction that wrote it commits."""
    _send_after_commit(delivery)


def _send_after_commit(delivery: WebhookDelivery) -> None:
    delivery_id = delivery.pk
    transaction.on_commit(lambda: _publish(delivery_id))


def dispatch_due_deliveries(*, grace_seconds: float = 5.0) -> int:
    """The outbox sweeper: publish every pending delivery due for at least ``grace_seconds``
    (a fresh one is being published by whoever wrote it). Returns how many were published."""
    due = due_deliveries(now=timezone.now() - timedelta(seconds=grace_seconds))
    for delivery_id in due:
        _publish(delivery_id)
    return len(due)


def _backoff(attempts: int) -> timedelta:
    base = timedelta(seconds=settings.STUDIO_WEBHOOK_RETRY_BASE_SECONDS)
    return min(base * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def deliver(*, delivery_id: int, client: SafeClient | None = None) -> WebhookDelivery:
    """Attempt one delivery if it is due; schedule the next attempt or give up after 24 h."""
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + timedelta(seconds=SUCCESS_TIMEOUT_SECONDS * 3))
    delivery = WebhookDelivery.objects.select_related("workspace", "endpoint").get(
        pk=delivery_id)
    if not claimed:
        return delivery  # delivered, given up, not yet due, or another worker is sending it
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    if delivery.endpoint is not None:
        headers = pi_signed_headers(delivery=delivery, body=body)
    else:
        headers = signed_headers(workspace=delivery.workspace, message_id=delivery.message_id,
                                 body=body, sent_at=now)
    status_code, error, permanent = None, "", False
    owned_client = client is None
    client = client or SafeClient(timeout=SUCCESS_TIMEOUT_SECONDS, max_bytes=64_000)
    try:
        response = client.request("POST", delivery.target_url, content=body, headers=headers,
                                  timeout=SUCCESS_TIMEOUT_SECONDS)
        status_code = response.status
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}: {response.text[:500]}"
    except OutboundRefused as exc:
        error, permanent = f"refused: {exc}", True
    except FetchFailed as exc:
        error, permanent = str(exc), not exc.retryable
    finally:
        if owned_client:
            client.close()

    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status_code = status_code
    delivery.last_error = error
    if not error:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = timezone.now()
        delivery.next_attempt_at = None
    else:
        next_attempt = now + _backoff(delivery.attempts)
        if permanent or next_attempt - delivery.created_at > RETRY_WINDOW:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = next_attempt
    delivery.save(update_fields=["attempts", "last_attempt_at", "last_status_code", "last_error",
                                 "status", "delivered_at", "next_attempt_at"])
    return delivery


def due_deliveries(*, now: datetime | None = None) -> list[int]:
    return list(WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now or timezone.now()
    ).values_list("pk", flat=True)[:500])


@transaction.atomic
def redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again now, whatever became of it (the log's Redeliver button)."""
    delivery.status = WebhookDelivery.Status.PENDING
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "next_attempt_at"])
    _send_after_commit(delivery)
    return delivery
