"""Operator screens: edit credit packs, grant or adjust credits (memo required), read the
ledger. Balances are never edited directly; every change is a ledger entry."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from billing import services
from billing.models import CheckoutSession, CreditAccount, CreditPack, LedgerEntry, StripeEvent


@admin.register(CreditPack)
class CreditPackAdmin(admin.ModelAdmin):
    list_display = ["name", "credits", "price_display", "currency", "stripe_price_id", "active",
                    "sort_order"]
    list_editable = ["active", "sort_order"]


class CreditChangeForm(forms.Form):
    KIND_CHOICES = [("grant", "Grant (free credits, positive)"),
                    ("adjustment", "Adjustment (correction, either sign)")]
    kind = forms.ChoiceField(choices=KIND_CHOICES)
    credits = forms.IntegerField(help_text="Adjustments may be negative.")
    memo = forms.CharField(max_length=255, help_text="Why; shown in the workspace's ledger.")

    def clean(self):
        data = super().clean()
        if data.get("kind") == "grant" and (data.get("credits") or 0) <= 0:
            raise forms.ValidationError("A grant must be a positive number of credits.")
        if data.get("credits") == 0:
            raise forms.ValidationError("Zero credits changes nothing.")
        return data


class LedgerEntryInline(admin.TabularInline):
    model = LedgerEntry
    fields = ["created_at", "kind", "amount", "balance_after", "reference", "memo", "actor"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ["-created_at", "-id"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(CreditAccount)
class CreditAccountAdmin(admin.ModelAdmin):
    list_display = ["workspace", "balance", "lifetime_purchased", "lifetime_used", "unlimited",
                    "auto_recharge_enabled"]
    search_fields = ["workspace__name", "workspace__slug", "stripe_customer_id"]
    list_select_related = ["workspace"]
    readonly_fields = ["workspace", "balance", "lifetime_purchased", "lifetime_used",
                       "change_credits_link", "auto_recharge_sequence",
                       "auto_recharge_settled_sequence", "auto_recharge_started_at",
                       "auto_recharge_last_error", "pending_payment_intent_id",
                       "stripe_customer_id", "default_payment_method_id", "card_brand",
                       "card_last4", "card_exp", "created_at", "updated_at"]
    fields = ["workspace", "balance", "change_credits_link", "lifetime_purchased",
              "lifetime_used", "unlimited", "auto_recharge_enabled", "auto_recharge_threshold",
              "auto_recharge_pack", *readonly_fields[6:]]
    inlines = [LedgerEntryInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Grant / adjust")
    def change_credits_link(self, obj: CreditAccount) -> str:
        if obj.pk is None:
            return "-"
        url = reverse("admin:billing_creditaccount_credits", args=[obj.pk])
        return format_html('<a class="button" href="{}">Grant or adjust credits</a>', url)

    def get_urls(self):
        return [
            path("<int:pk>/credits/", self.admin_site.admin_view(self.credits_view),
                 name="billing_creditaccount_credits"),
            *super().get_urls(),
        ]

    def credits_view(self, request, pk: int):
        account = get_object_or_404(CreditAccount.objects.select_related("workspace"), pk=pk)
        if not self.has_change_permission(request, account):
            return redirect("admin:index")
        form = CreditChangeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            if data["kind"] == "grant":
                services.grant(account=account, credits=data["credits"], memo=data["memo"],
                               actor=request.user)
            else:
                services.adjust(account=account, credits=data["credits"], memo=data["memo"],
                                actor=request.user)
            self.message_user(request, f"{data['credits']:+d} credits recorded; balance is "
                                       f"now {account.balance}.", messages.SUCCESS)
            return redirect("admin:billing_creditaccount_change", pk)
        context = {**self.admin_site.each_context(request), "title":
                   f"Grant or adjust credits: {account.workspace}", "form": form,
                   "account": account, "opts": self.model._meta}
        return TemplateResponse(request, "billing/admin_credits.html", context)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "account", "kind", "amount", "balance_after", "reference",
                    "memo", "actor"]
    list_filter = ["kind"]
    search_fields = ["reference", "job_id", "stripe_object_id", "account__workspace__slug"]
    list_select_related = ["account__workspace", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CheckoutSession)
class CheckoutSessionAdmin(admin.ModelAdmin):
    list_display = ["stripe_session_id", "account", "credits", "amount_cents", "status",
                    "created_at"]
    list_filter = ["status"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    list_display = ["event_id", "type", "received_at"]
    search_fields = ["event_id", "type"]

    def has_change_permission(self, request, obj=None):
        return False
