"""API-side records. Webhook deliveries live here; API keys and idempotency records join them
with the API surfaces."""

from __future__ import annotations

import secrets
import uuid

from django.db import models
from django.utils import timezone

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
    # Set for deliveries to a registered endpoint: signed with its secret, Pi's headers.
    endpoint = models.ForeignKey("api.WebhookEndpoint", on_delete=models.CASCADE, null=True,
                                 blank=True, related_name="deliveries")

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


# ---------------------------------------------------------------------------------------------
# API keys and idempotency records
# ---------------------------------------------------------------------------------------------
class Scope(models.TextChoices):
    GENERATIONS_READ = "generations:read", "Read generations, deliveries and the catalogue"
    GENERATIONS_WRITE = "generations:write", "Create generations (spends credits)"
    BRANDS_READ = "brands:read", "Read brands and products"
    BRANDS_WRITE = "brands:write", "Create brands and start onboarding"
    CREDITS_READ = "credits:read", "Read the balance and usage"
    UPLOADS_WRITE = "uploads:write", "Upload images"


class ApiKey(models.Model):
    """A workspace's key for the public API. Only a hash of the secret is stored; ``lookup`` (its
    first characters) finds the row, the hash proves the rest in constant time."""

    workspace = models.ForeignKey("studio.Workspace", on_delete=models.CASCADE,
                                  related_name="api_keys")
    name = models.CharField(max_length=100)
    lookup = models.CharField(max_length=16, unique=True, editable=False)
    hashed_key = models.CharField(max_length=200, editable=False)
    last_four = models.CharField(max_length=4, editable=False)
    scopes = models.JSONField(default=list)
    rate_limit_per_minute = models.PositiveIntegerField(
        null=True, blank=True,
        help_text="Requests per minute; empty uses the API_RATE_LIMIT_PER_MINUTE setting.")
    created_by = models.ForeignKey("studio.User", on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.display})"

    @property
    def display(self) -> str:
        """What a person may see of the key: its display prefix and last four characters."""
        return f"dsrt_live_{self.lookup}…{self.last_four}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotencyRecord(models.Model):
    """The stored answer to a POST that created work, replayed for 24 h to the same key."""

    workspace = models.ForeignKey("studio.Workspace", on_delete=models.CASCADE,
                                  related_name="+")
    surface = models.CharField(max_length=16)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body.")
    status_code = models.PositiveSmallIntegerField(default=0)
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "surface", "key"],
                                    name="idempotency_record_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.surface}:{self.key}"


# ---------------------------------------------------------------------------------------------
# Webhook endpoints registered per workspace (the OpenAI-compatible surface's /api/v1/webhooks)
# ---------------------------------------------------------------------------------------------
class WebhookEndpoint(models.Model):
    """A URL that receives ``job.completed`` / ``job.failed`` for the workspace's jobs made
    through the OpenAI-compatible surface, signed with its own secret (``X-Pi-Signature``).
    The secret is kept to sign with and never shown again after it is set."""

    workspace = models.ForeignKey("studio.Workspace", on_delete=models.CASCADE,
                                  related_name="webhook_endpoints")
    public_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    endpoint_url = models.URLField(max_length=2000)
    secret = models.CharField(max_length=500)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.endpoint_url
