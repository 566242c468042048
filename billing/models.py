"""The credit ledger: one CreditAccount per workspace and its append-only LedgerEntry rows.

Invariants kept by the database, not by Python:
- ``balance`` equals the sum of the account's entries (services write both in one locked
  transaction; ``manage.py verify_ledger`` checks it);
- one entry per ``(account, reference)``, so every money path is idempotent on its reference;
- a Stripe event or Checkout Session is processed once.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from studio.models import Workspace, WorkspaceQuerySet


class CreditPack(models.Model):
    """A top-up offered on the Billing page and used by auto-recharge (admin-editable)."""

    name = models.CharField(max_length=60)
    credits = models.PositiveIntegerField()
    price_cents = models.PositiveIntegerField(help_text="Price in the smallest currency unit.")
    currency = models.CharField(max_length=3, default="usd")
    stripe_price_id = models.CharField(
        max_length=255, blank=True,
        help_text="Optional Stripe Price; without it Checkout is given the amount inline.",
    )
    active = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "price_cents"]
        constraints = [
            models.CheckConstraint(condition=Q(credits__gt=0), name="creditpack_credits_positive"),
            models.CheckConstraint(condition=Q(price_cents__gt=0),
                                   name="creditpack_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.credits} credits for {self.price_display})"

    @property
    def price(self) -> Decimal:
        return Decimal(self.price_cents) / 100

    @property
    def price_display(self) -> str:
        symbol = {"usd": "$", "eur": "€", "gbp": "£"}.get(self.currency.lower(), "")
        amount = f"{self.price:,.2f}"
        return f"{symbol}{amount}" if symbol else f"{amount} {self.currency.upper()}"


class CreditAccount(models.Model):
    """A workspace's credit balance and how it is topped up."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE,
                                     related_name="credit_account")
    balance = models.IntegerField(default=0)
    lifetime_purchased = models.PositiveIntegerField(default=0)
    lifetime_used = models.PositiveIntegerField(default=0)
    unlimited = models.BooleanField(
        default=False, help_text="Debits never fail (the balance may go negative)."
    )

    auto_recharge_enabled = models.BooleanField(default=False)
    auto_recharge_threshold = models.PositiveIntegerField(default=20)
    auto_recharge_pack = models.ForeignKey(CreditPack, on_delete=models.SET_NULL, null=True,
                                           blank=True, related_name="+")
    # Each off-session charge attempt takes the next number; the Stripe idempotency key is
    # derived from it, so retrying one attempt can never charge twice.
    auto_recharge_sequence = models.PositiveIntegerField(default=0)
    # The last attempt whose outcome is known; while it lags behind ``auto_recharge_sequence``
    # the next attempt is a retry of the same charge and reuses its idempotency key.
    auto_recharge_settled_sequence = models.PositiveIntegerField(default=0)
    auto_recharge_started_at = models.DateTimeField(null=True, blank=True)
    auto_recharge_last_error = models.CharField(max_length=255, blank=True)
    # An off-session charge the bank wants the customer to authenticate (3-D Secure).
    pending_payment_intent_id = models.CharField(max_length=255, blank=True)

    stripe_customer_id = models.CharField(max_length=255, blank=True)
    default_payment_method_id = models.CharField(max_length=255, blank=True)
    card_brand = models.CharField(max_length=20, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    card_exp = models.CharField(max_length=7, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(auto_recharge_threshold__gte=0),
                                   name="creditaccount_threshold_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.workspace} · {self.balance} credits"

    @property
    def has_payment_method(self) -> bool:
        return bool(self.stripe_customer_id and self.default_payment_method_id)


class LedgerEntry(models.Model):
    """One signed change to a balance. Never updated or deleted."""

    class Kind(models.TextChoices):
        PURCHASE = "purchase", "Purchase"
        GRANT = "grant", "Grant"
        BONUS = "bonus", "Bonus"
        DEBIT = "debit", "Debit"
        REFUND = "refund", "Refund"
        AUTO_RECHARGE = "auto_recharge", "Auto-recharge"
        ADJUSTMENT = "adjustment", "Adjustment"
        CHARGEBACK = "chargeback", "Chargeback"

    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    amount = models.IntegerField(help_text="Signed: positive adds credits, negative removes.")
    balance_after = models.IntegerField()
    reference = models.CharField(max_length=200)
    job_id = models.CharField(max_length=64, blank=True, db_index=True)
    stripe_object_id = models.CharField(max_length=255, blank=True, db_index=True)
    # Money actually received for this entry (purchases and auto-recharges), for claw-backs.
    amount_paid_cents = models.PositiveIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    receipt_url = models.URLField(max_length=500, blank=True)
    memo = models.CharField(max_length=255, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "ledger entries"
        constraints = [
            models.UniqueConstraint(fields=["account", "reference"],
                                    name="ledgerentry_unique_reference"),
            models.CheckConstraint(condition=~Q(amount=0), name="ledgerentry_amount_nonzero"),
            models.CheckConstraint(
                condition=(
                    Q(kind__in=["purchase", "grant", "bonus", "refund", "auto_recharge"],
                      amount__gt=0)
                    | Q(kind__in=["debit", "chargeback"], amount__lt=0)
                    | Q(kind="adjustment")
                ),
                name="ledgerentry_sign_matches_kind",
            ),
        ]
        indexes = [models.Index(fields=["account", "kind", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount:+d} ({self.reference})"


class CheckoutSession(models.Model):
    """A Stripe Checkout Session we opened: a credit pack (``payment``; credits come from its
    webhook) or a card to keep for auto-recharge (``setup``)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        COMPLETE = "complete", "Complete"
        EXPIRED = "expired", "Expired"

    class Mode(models.TextChoices):
        PAYMENT = "payment", "Buy credits"
        SETUP = "setup", "Save a card"

    account = models.ForeignKey(CreditAccount, on_delete=models.CASCADE,
                                related_name="checkout_sessions")
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.PAYMENT)
    pack = models.ForeignKey(CreditPack, on_delete=models.PROTECT, related_name="+", null=True,
                             blank=True)
    stripe_session_id = models.CharField(max_length=255, unique=True)
    credits = models.PositiveIntegerField(default=0)
    amount_cents = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    url = models.URLField(max_length=1000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(mode="setup") | Q(pack__isnull=False, credits__gt=0),
                name="checkoutsession_payment_has_pack",
            ),
        ]

    def __str__(self) -> str:
        return self.stripe_session_id


class StripeEvent(models.Model):
    """Every verified webhook event we handled; a redelivered event is skipped."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    livemode = models.BooleanField(default=False)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"
