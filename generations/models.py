"""Jobs and what they produce. A Job is one unit of accepted work, whatever surface created it;
each API surface is a different serializer over the same rows."""

from __future__ import annotations

import secrets
import string

from django.conf import settings
from django.db import models

from studio.models import WorkspaceQuerySet

_ID_ALPHABET = string.ascii_letters + string.digits


def new_request_id() -> str:
    """``req_`` + 24 lowercase alphanumerics: the tracing id echoed in headers and webhooks."""
    return "req_" + "".join(secrets.choice(string.ascii_lowercase + string.digits)
                            for _ in range(24))


def new_public_id() -> str:
    """``rec`` + 14 base-62 characters: unguessable, and the shape Dessert's delivery ids have."""
    return "rec" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(14))


class Surface(models.TextChoices):
    STUDIO = "studio", "Studio (browser)"
    CLI = "cli", "Command line"
    DESSERT = "dessert", "Dessert API"
    OPENAI = "openai", "OpenAI-compatible API"
    ADCREATOR = "adcreator", "adcreator API"
    INFERENCE = "inference", "Inference tasks API"
    VIDEOTOK = "videotok", "videotok API"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    PROCESSING = "processing", "Processing"
    RENDERING = "rendering", "Rendering"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


TERMINAL_STATUSES = (JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED)


class AdFormat(models.TextChoices):
    FULL = "full", "Full (statics + MP4 videos)"
    STATIC = "static", "Static images"


class Job(models.Model):
    workspace = models.ForeignKey("studio.Workspace", on_delete=models.CASCADE,
                                  related_name="jobs")
    public_id = models.CharField(max_length=20, unique=True, default=new_public_id,
                                 editable=False)
    request_id = models.CharField(max_length=40, default=new_request_id, editable=False)
    brand = models.ForeignKey("brands.Brand", on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="jobs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    api_key_id = models.BigIntegerField(null=True, blank=True,
                                        help_text="The API key that submitted the job, if any.")
    surface = models.CharField(max_length=16, choices=Surface.choices, default=Surface.STUDIO)
    request = models.JSONField(default=dict, help_text="The normalised request.")
    format = models.CharField(max_length=8, choices=AdFormat.choices, default=AdFormat.FULL)
    count = models.PositiveSmallIntegerField(default=1)

    status = models.CharField(max_length=12, choices=JobStatus.choices,
                              default=JobStatus.QUEUED, db_index=True)
    stage = models.CharField(max_length=40, blank=True, default="accepted")
    progress = models.PositiveSmallIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)

    credits_charged = models.PositiveIntegerField(default=0)
    credits_refunded = models.PositiveIntegerField(default=0)

    idempotency_key = models.CharField(max_length=255, null=True, blank=True)
    correlation_id = models.CharField(max_length=200, blank=True, default="")
    metadata = models.JSONField(default=dict, blank=True)
    webhook_url = models.URLField(max_length=2000, blank=True, default="")

    error_code = models.CharField(max_length=64, blank=True, default="")
    error_message = models.TextField(blank=True, default="")

    share_token = models.CharField(max_length=64, null=True, blank=True, unique=True)

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["workspace", "-created_at"]),
                   models.Index(fields=["status", "updated_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "surface", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="job_idempotency_key_unique",
            ),
            models.CheckConstraint(condition=models.Q(progress__lte=100),
                                   name="job_progress_at_most_100"),
            models.CheckConstraint(condition=models.Q(credits_refunded__lte=models.F(
                "credits_charged")), name="job_refund_at_most_charge"),
        ]

    def __str__(self) -> str:
        return self.public_id

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @property
    def credits_net(self) -> int:
        return self.credits_charged - self.credits_refunded


class ConceptStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RENDERING = "rendering", "Rendering"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


class Concept(models.Model):
    """One ad idea in a job: product, angle, copy, template, style and motion."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="concepts")
    index = models.PositiveSmallIntegerField()
    public_id = models.CharField(max_length=20, unique=True, default=new_public_id,
                                 editable=False)
    product = models.ForeignKey("brands.Product", on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+")
    product_name = models.CharField(max_length=200, blank=True, default="")
    copy_angle = models.CharField(max_length=40)
    headline = models.CharField(max_length=200)
    body = models.CharField(max_length=400, blank=True, default="")
    cta = models.CharField(max_length=60, blank=True, default="")
    badge = models.CharField(max_length=40, blank=True, default="")
    template_slug = models.CharField(max_length=60)
    style_id = models.CharField(max_length=60)
    animation_prompt = models.CharField(max_length=80, blank=True, default="")
    in_situ = models.BooleanField(default=False)
    seed = models.PositiveIntegerField(default=0)
    credits = models.PositiveIntegerField(default=0, help_text="This concept's share of the "
                                          "job's charge, refunded if it fails.")
    refunded = models.BooleanField(default=False)

    status = models.CharField(max_length=12, choices=ConceptStatus.choices,
                              default=ConceptStatus.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True,
                                       help_text="A rendering worker holds the concept until "
                                       "then; after it, the sweeper may hand it to another.")
    error_code = models.CharField(max_length=64, blank=True, default="")
    error_message = models.TextField(blank=True, default="")
    render_seconds = models.FloatField(null=True, blank=True)
    render_report = models.JSONField(
        default=dict, blank=True, help_text="What the engine did: the copy each size shipped, "
        "every quality gate result, the re-layout attempts used and seconds per size.")
    copy_source = models.CharField(
        max_length=80, blank=True, default="local", help_text="Who wrote the copy: 'local' "
        "(the engine's copywriter) or the provider and model, e.g. 'chat:gpt-4o-mini'.")
    copy_fallback = models.CharField(
        max_length=300, blank=True, default="", help_text="Why a provider's copy was not used "
        "and the local copywriter's was (empty when no fallback happened).")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["job", "index"]
        constraints = [
            models.UniqueConstraint(fields=["job", "index"], name="concept_index_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.job.public_id}#{self.index}"


class AssetKind(models.TextChoices):
    STATIC = "static", "Static image"
    VIDEO = "video", "Video"
    AUDIO = "audio", "Audio"


def asset_upload_to(asset: Asset, filename: str) -> str:
    return f"jobs/{asset.job.public_id}/{filename}"


class Asset(models.Model):
    """A rendered file of a concept."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="assets")
    concept = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="assets")
    public_id = models.CharField(max_length=20, unique=True, default=new_public_id,
                                 editable=False)
    kind = models.CharField(max_length=8, choices=AssetKind.choices)
    aspect = models.CharField(max_length=8)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    duration = models.FloatField(null=True, blank=True)
    file = models.FileField(upload_to=asset_upload_to, max_length=300)
    poster = models.FileField(upload_to=asset_upload_to, max_length=300, blank=True,
                              default="", help_text="Videos: the first frame as a JPEG.")
    mime_type = models.CharField(max_length=40)
    size_bytes = models.PositiveBigIntegerField()
    checksum = models.CharField(max_length=64, help_text="SHA-256 of the file.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["concept__index", "kind", "aspect", "mime_type"]
        constraints = [
            models.UniqueConstraint(fields=["concept", "kind", "aspect", "mime_type"],
                                    name="asset_unique_per_concept"),
        ]

    def __str__(self) -> str:
        return f"{self.concept} {self.kind} {self.aspect} {self.mime_type}"

    @property
    def orientation(self) -> str:
        """Dessert's words for the two sizes."""
        return {"9:16": "vertical", "4:5": "square", "1:1": "square",
                "16:9": "landscape"}.get(self.aspect, self.aspect)


def upload_upload_to(upload: Upload, filename: str) -> str:
    return f"uploads/{upload.workspace_id}/{upload.public_id}/{filename}"


class Upload(models.Model):
    """A file a workspace uploaded for use in generations (reference or product image)."""

    workspace = models.ForeignKey("studio.Workspace", on_delete=models.CASCADE,
                                  related_name="uploads")
    public_id = models.CharField(max_length=20, unique=True, default=new_public_id,
                                 editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    file = models.FileField(upload_to=upload_upload_to, max_length=300)
    original_name = models.CharField(max_length=255, blank=True, default="")
    mime_type = models.CharField(max_length=40)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveBigIntegerField()
    checksum = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name or self.public_id


class ProviderCall(models.Model):
    """One call to a model provider (after its retries): what admin's provider health and the
    job's cost are computed from."""

    provider = models.CharField(max_length=40, db_index=True)
    model = models.CharField(max_length=120, blank=True, default="")
    capability = models.CharField(max_length=40)
    job = models.ForeignKey(Job, on_delete=models.SET_NULL, null=True, blank=True,
                            related_name="provider_calls")
    ok = models.BooleanField()
    status = models.PositiveSmallIntegerField(null=True, blank=True,
                                              help_text="The last HTTP status, if any.")
    attempts = models.PositiveSmallIntegerField(default=1)
    latency_ms = models.PositiveIntegerField(default=0)
    cost_usd = models.DecimalField(max_digits=10, decimal_places=6, default=0)
    error = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["provider", "-created_at"], name="providercall_recent")]

    def __str__(self) -> str:
        return f"{self.provider} {self.capability} {'ok' if self.ok else 'failed'}"


class ProviderBreaker(models.Model):
    """A provider's circuit breaker, one row per provider, shared by every web and worker
    process (the cache is per process in the embedded default; the database is not)."""

    provider = models.CharField(max_length=40, unique=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    opened_at = models.DateTimeField(null=True, blank=True,
                                     help_text="Set while open; calls are refused until the "
                                     "cool-down has passed, then one probe is let through.")
    probe_started_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True, default="")

    def __str__(self) -> str:
        return f"{self.provider} breaker"


class Avatar(models.Model):
    """A presenter a workspace uploaded for UGC videos: a portrait photo (an Upload) and where
    its face is. Built-in presenters are catalogue data (``generations/catalogue/avatars.json``);
    an uploaded one is addressed as ``avatar_<pk>``."""

    workspace = models.ForeignKey("studio.Workspace", on_delete=models.CASCADE,
                                  related_name="avatars")
    name = models.CharField(max_length=80)
    upload = models.ForeignKey(Upload, on_delete=models.CASCADE, related_name="avatars")
    face_x = models.FloatField(help_text="Face centre, as a fraction of the photo's width.")
    face_y = models.FloatField(help_text="Face centre, as a fraction of the photo's height.")
    face_size = models.FloatField(help_text="Face size, as a fraction of the photo's width.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(face_x__gte=0, face_x__lte=1,
                                                      face_y__gte=0, face_y__lte=1),
                                   name="avatar_face_inside_photo"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def public_id(self) -> str:
        return f"avatar_{self.pk}"
