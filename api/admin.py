from django.contrib import admin, messages

from api import webhooks
from api.models import WebhookDelivery


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["event", "job_public_id", "workspace", "target_url", "status", "attempts",
                    "last_status_code", "next_attempt_at", "created_at"]
    list_filter = ["status", "event"]
    search_fields = ["job_public_id", "target_url", "message_id", "workspace__name"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    actions = ["redeliver"]

    @admin.action(description="Send again now")
    def redeliver(self, request, queryset):
        for delivery in queryset:
            webhooks.redeliver(delivery=delivery)
        self.message_user(request, f"{queryset.count()} delivery(ies) re-sent.", messages.SUCCESS)
