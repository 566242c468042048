from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from api import keys, webhooks
from api.models import ApiKey, IdempotencyRecord, WebhookDelivery
from studio.exceptions import AppError


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


class ApiKeyAdminForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["workspace", "name", "scopes", "rate_limit_per_minute"]

    def clean_scopes(self):
        try:
            return keys.normalise_scopes(self.cleaned_data.get("scopes") or None)
        except AppError as exc:
            raise ValidationError(exc.message) from exc


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Operators create keys here too: the plaintext is shown once, in the success message."""

    list_display = ["name", "display", "workspace", "scopes", "created_by", "last_used_at",
                    "created_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "lookup", "workspace__name", "workspace__slug"]
    readonly_fields = ["display", "last_four", "created_by", "created_at", "last_used_at",
                       "revoked_at"]
    fields = ["workspace", "name", "scopes", "rate_limit_per_minute", *readonly_fields]
    actions = ["revoke"]
    form = ApiKeyAdminForm

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "workspace"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = keys.api_key_create(
            workspace=obj.workspace, name=obj.name, scopes=obj.scopes or None,
            created_by=request.user, rate_limit_per_minute=obj.rate_limit_per_minute)
        obj.pk = created.api_key.pk
        obj.__dict__.update({f.attname: getattr(created.api_key, f.attname)
                             for f in ApiKey._meta.concrete_fields})
        self.message_user(request, f"Key created; copy it now, it is not shown again: "
                                   f"{created.plaintext}", messages.WARNING)

    @admin.action(description="Revoke selected keys")
    def revoke(self, request, queryset):
        for api_key in queryset:
            keys.api_key_revoke(api_key=api_key)
        self.message_user(request, f"{queryset.count()} key(s) revoked.", messages.SUCCESS)


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    list_display = ["key", "surface", "workspace", "status_code", "created_at", "expires_at"]
    list_filter = ["surface"]
    search_fields = ["key", "workspace__slug"]
    readonly_fields = [f.name for f in IdempotencyRecord._meta.fields]
