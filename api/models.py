"""API-side records. Webhook deliveries live here; API keys and idempotency records join them
with the API surfaces."""

from __future__ import annotations

import secrets

from django.db import models

from studio.models import WorkspaceQuerySet


def new_message_id() -> str:
    return "msg_" + secrets.token_hex(12)


class WebhookDelivery(models.Model):
    """One event sent (or being sent) to one URL, with its attempts."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    workspace = models.ForeignKey("studio.Workspace", on_delete=models.CASCADE,
                                  related_name="webhook_deliveries")
    message_id = models.CharField(max_length=40, unique=True, default=new_message_id,
                                  editable=False)
    event = models.CharField(max_length=60)
    job_public_id = models.CharField(max_length=20, blank=True, default="", db_index=True)
    target_url = models.URLField(max_length=2000)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            # One delivery per job event and URL: a re-sent terminal event is not a second one.
            models.UniqueConstraint(fields=["job_public_id", "event", "target_url"],
                                    condition=~models.Q(job_public_id=""),
                                    name="webhook_one_per_job_event"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.target_url}"
