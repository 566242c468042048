"""Billing errors every surface maps to its own envelope (402 ``insufficient_credits`` ...)."""

from __future__ import annotations

from studio.exceptions import AppError


class BillingError(AppError):
    code = "billing_error"
    status = 400


class InsufficientCredits(BillingError):
    """A debit the balance (after any auto-recharge) cannot cover. Surfaces answer 402."""

    code = "insufficient_credits"
    status = 402

    def __init__(self, needed: int, balance: int, *, auto_recharge_error: str = "") -> None:
        self.needed = needed
        self.balance = balance
        self.auto_recharge_error = auto_recharge_error
        super().__init__(f"Balance {balance} credits, need {needed}.",
                         details={"credits_required": needed, "credits_available": balance})

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
    status = 409


class PaymentsDisabled(BillingError):
    """Stripe is not configured: credits come from the operator."""

    code = "payments_disabled"
    status = 503


class PaymentFailed(BillingError):
    """A charge Stripe refused or could not make. ``retryable`` for network/5xx errors."""

    code = "payment_failed"
    status = 402

    def __init__(self, message: str, *, retryable: bool = False,
                 requires_action: bool = False, payment_intent_id: str = "") -> None:
        self.requires_action = requires_action
        self.payment_intent_id = payment_intent_id
        super().__init__(message, retryable=retryable)
