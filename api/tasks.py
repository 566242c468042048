"""Thin Celery tasks for outbound webhooks (routed to the ``io`` queue)."""

from celery import shared_task

from api import idempotency, webhooks


@shared_task
def send_job_webhook(job_id: int) -> None:
    webhooks.webhook_enqueue_for_job(job_id=job_id)


@shared_task
def deliver_webhook(delivery_id: int) -> None:
    webhooks.deliver(delivery_id=delivery_id)


@shared_task
def deliver_due_webhooks() -> int:
    """Periodic: attempt every delivery whose retry time has come."""
    due = webhooks.due_deliveries()
    for delivery_id in due:
        deliver_webhook.delay(delivery_id)
    return len(due)


@shared_task
def purge_idempotency_records() -> int:
    """Periodic: drop Idempotency-Key records past their 24 hours."""
    return idempotency.purge_expired()
