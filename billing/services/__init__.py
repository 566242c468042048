"""Billing verbs. Import from here: ``from billing import services; services.debit(...)``."""

from billing.exceptions import InsufficientCredits, LedgerConflict, PaymentFailed
from billing.services.debits import debit
from billing.services.ledger import (
    WELCOME_BONUS_CREDITS,
    account_for_workspace,
    account_open,
    adjust,
    claw_back,
    grant,
    purchase,
    refund,
)
from billing.services.payments import checkout_start, stripe_event_handle
from billing.services.recharge import settings_update as auto_recharge_settings_update

__all__ = [
    "WELCOME_BONUS_CREDITS",
    "InsufficientCredits",
    "LedgerConflict",
    "PaymentFailed",
    "account_for_workspace",
    "account_open",
    "adjust",
    "auto_recharge_settings_update",
    "checkout_start",
    "claw_back",
    "debit",
    "grant",
    "purchase",
    "refund",
    "stripe_event_handle",
]
