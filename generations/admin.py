from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.urls import path

from generations import pipeline
from generations.models import (
    Asset,
    Avatar,
    Concept,
    Job,
    JobStatus,
    ProviderBreaker,
    ProviderCall,
    Upload,
)
from generations.providers.health import provider_health


class ConceptInline(admin.TabularInline):
    model = Concept
    extra = 0
    fields = ["index", "status", "headline", "copy_angle", "template_slug", "style_id",
              "animation_prompt", "credits", "attempts", "error_code", "copy_source",
              "copy_fallback"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["public_id", "workspace", "brand", "surface", "format", "count", "status",
                    "progress", "credits_charged", "credits_refunded", "created_at"]
    list_filter = ["status", "surface", "format", "created_at"]
    search_fields = ["public_id", "request_id", "workspace__name", "workspace__slug",
                     "brand__name", "correlation_id", "idempotency_key"]
    readonly_fields = ["public_id", "request_id", "workspace", "brand", "created_by",
                       "api_key_id", "surface", "request", "format", "count", "status", "stage",
                       "progress", "attempts", "credits_charged", "credits_refunded",
                       "idempotency_key", "correlation_id", "metadata", "webhook_url",
                       "error_code", "error_message", "share_token", "created_at", "updated_at",
                       "started_at", "finished_at"]
    inlines = [ConceptInline]
    actions = ["retry_jobs", "fail_and_refund"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False  # jobs enter through submit_job only

    @admin.action(description="Re-queue stuck jobs (queued or planning)")
    def retry_jobs(self, request, queryset):
        # The sweeper's claim: a job a worker moved on meanwhile is left alone.
        retried = sum(pipeline.requeue_job(job_id=job_id)
                      for job_id in queryset.values_list("pk", flat=True))
        self.message_user(request, f"{retried} job(s) re-queued.", messages.SUCCESS)

    @admin.action(description="Fail and refund unfinished jobs")
    def fail_and_refund(self, request, queryset):
        count = 0
        for job in queryset.exclude(status__in=[JobStatus.COMPLETED, JobStatus.FAILED,
                                                JobStatus.CANCELLED]):
            pipeline.fail_job(job_id=job.pk, code="cancelled_by_operator",
                              message="Stopped by an operator; credits refunded.")
            count += 1
        self.message_user(request, f"{count} job(s) failed and refunded.", messages.SUCCESS)


@admin.register(Concept)
class ConceptAdmin(admin.ModelAdmin):
    list_display = ["public_id", "job", "index", "status", "headline", "template_slug",
                    "render_seconds"]
    list_filter = ["status", "copy_angle", "template_slug"]
    search_fields = ["public_id", "job__public_id", "headline"]
    raw_id_fields = ["job", "product"]


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = ["public_id", "job", "kind", "aspect", "width", "height", "mime_type",
                    "size_bytes", "created_at"]
    list_filter = ["kind", "aspect", "mime_type"]
    search_fields = ["public_id", "job__public_id", "checksum"]
    raw_id_fields = ["job", "concept"]


@admin.register(Upload)
class UploadAdmin(admin.ModelAdmin):
    list_display = ["public_id", "workspace", "original_name", "mime_type", "width", "height",
                    "size_bytes", "created_at"]
    search_fields = ["public_id", "original_name", "workspace__name"]
    raw_id_fields = ["workspace", "created_by"]


class ProviderCallInline(admin.TabularInline):
    model = ProviderCall
    extra = 0
    fields = ["created_at", "provider", "model", "capability", "ok", "status", "attempts",
              "latency_ms", "cost_usd", "error"]
    readonly_fields = fields
    can_delete = False


JobAdmin.inlines = [*JobAdmin.inlines, ProviderCallInline]


@admin.register(ProviderCall)
class ProviderCallAdmin(admin.ModelAdmin):
    """Every provider call; ``health/`` summarises them per provider."""

    list_display = ["created_at", "provider", "model", "capability", "ok", "status", "attempts",
                    "latency_ms", "cost_usd", "job", "error"]
    list_filter = ["provider", "capability", "ok", "created_at"]
    search_fields = ["provider", "model", "error", "job__public_id"]
    readonly_fields = list_display
    date_hierarchy = "created_at"
    change_list_template = "admin/generations/providercall/change_list.html"

    def has_add_permission(self, request):
        return False  # rows are written by the provider client only

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [path("health/", self.admin_site.admin_view(self.health_view),
                     name="generations_provider_health"), *super().get_urls()]

    def health_view(self, request):
        context = {**self.admin_site.each_context(request), "title": "Provider health",
                   "opts": self.model._meta, "providers": provider_health()}
        return TemplateResponse(request, "admin/generations/provider_health.html", context)


@admin.register(ProviderBreaker)
class ProviderBreakerAdmin(admin.ModelAdmin):
    """The breakers' raw state; clearing ``opened_at`` closes one by hand."""

    list_display = ["provider", "consecutive_failures", "opened_at", "last_success_at",
                    "last_failure_at", "last_error"]
    readonly_fields = ["provider", "last_success_at", "last_failure_at", "last_error"]


@admin.register(Avatar)
class AvatarAdmin(admin.ModelAdmin):
    list_display = ["public_id", "name", "workspace", "face_x", "face_y", "created_at"]
    search_fields = ["name", "workspace__name"]
    raw_id_fields = ["workspace", "upload", "created_by"]
    readonly_fields = ["face_x", "face_y", "face_size"]
