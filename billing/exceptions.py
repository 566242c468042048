"""Billing errors every surface maps to its own envelope (402 ``insufficient_credits`` ...)."""

from __future__ import annotations


class BillingError(Exception):
    code = "billing_error"


class InsufficientCredits(BillingError):
    """A debit the balance (after any auto-recharge) cannot cover. Surfaces answer 402."""

    code = "insufficient_credits"
    status = 402

    def __init__(self, needed: int, balance: int, *, auto_recharge_error: str = "") -> None:
        self.needed = needed
        self.balance = balance
        self.auto_recharge_error = auto_recharge_error
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return f"Balance {self.balance} credits, need {self.needed}."

    def message_with_top_up(self, billing_url: str) -> str:
        """Dessert's wording: "Balance 12 credits, need 45. Top up at <billing page>"."""
        return f"{self.message} Top up at {billing_url}"

    @property
    def context(self) -> dict[str, int]:
        """Machine-readable detail (videotok: ``credits_required`` / ``credits_available``)."""
        return {"credits_required": self.needed, "credits_available": self.balance}


class LedgerConflict(BillingError):
    """A reference already used for a different kind or amount of entry."""

    code = "ledger_conflict"


class PaymentsDisabled(BillingError):
    """Stripe is not configured: credits come from the operator."""

    code = "payments_disabled"


class PaymentFailed(BillingError):
    """A charge Stripe refused or could not make. ``retryable`` for network/5xx errors."""

    code = "payment_failed"

    def __init__(self, message: str, *, retryable: bool = False,
                 requires_action: bool = False, payment_intent_id: str = "") -> None:
        self.retryable = retryable
        self.requires_action = requires_action
        self.payment_intent_id = payment_intent_id
        super().__init__(message)
