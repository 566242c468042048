"""Auto-recharge: charge the saved card off-session when credits run short.

An attempt is *claimed* under the account lock (one attempt in flight per account), the card
is charged with no lock held, and the outcome is *settled* under the lock again. The Stripe
idempotency key is ``creditaccount-<id>-auto-recharge-<sequence>``; the sequence only advances
once an attempt's outcome is known, so retrying after a time-out replays the same charge
instead of making a second one.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from billing import events, stripe_gateway
from billing.exceptions import PaymentFailed, PaymentsDisabled
from billing.models import CreditAccount, CreditPack, LedgerEntry
from billing.selectors import stripe_enabled
from billing.services import ledger, notifications
from studio.exceptions import InvalidInput
from studio.models import Membership
from studio.permissions import Action, authorize

logger = logging.getLogger(__name__)

IN_FLIGHT_STALE_AFTER = timedelta(minutes=2)
WAIT_FOR_OTHER_ATTEMPT_SECONDS = 15.0


@dataclass
class RechargeOutcome:
    succeeded: bool
    error: str = ""
    entry: LedgerEntry | None = None
    requires_action: bool = False
    skipped: bool = False


@dataclass
class _Attempt:
    account_id: int
    workspace_name: str
    sequence: int
    credits: int
    amount_cents: int
    currency: str
    customer_id: str
    payment_method_id: str

    @property
    def idempotency_key(self) -> str:
        return f"creditaccount-{self.account_id}-auto-recharge-{self.sequence}"


def is_possible(*, account: CreditAccount) -> bool:
    return bool(stripe_enabled() and account.auto_recharge_enabled
                and account.has_payment_method and account.auto_recharge_pack_id)


def schedule_if_below_threshold(*, account: CreditAccount, balance: int) -> None:
    """After commit, top up in the background when a debit left the balance under the
    threshold (the next request then never waits for Stripe)."""
    if account.unlimited or balance >= account.auto_recharge_threshold:
        return
    if not is_possible(account=account):
        return
    account_id = account.pk
    transaction.on_commit(lambda: events.recharge_wanted.send(sender=CreditAccount,
                                                              account_id=account_id))


def run_isolated(*, account_id: int, needed: int) -> RechargeOutcome:
    """Recharge now, committed independently of any transaction the caller has open.

    A debit inside the generation pipeline's submit transaction must not lose a successful
    charge (or the switch-off after a decline) when that transaction rolls back, so on
    PostgreSQL the attempt runs on its own connection in a helper thread.
    """
    in_outer = connection.in_atomic_block
    if not (in_outer and connection.vendor == "postgresql"
            and settings.BILLING_RECHARGE_ISOLATED):
        return run(account_id=account_id, trigger="insufficient", needed=needed)
    result: dict = {}

    def target() -> None:
        try:
            result["outcome"] = run(account_id=account_id, trigger="insufficient",
                                    needed=needed)
        except Exception as exc:  # noqa: BLE001 — re-raised in the caller's thread
            result["error"] = exc
        finally:
            close_old_connections()
            connection.close()

    thread = threading.Thread(target=target, name=f"auto-recharge-{account_id}", daemon=True)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["outcome"]


def run(*, account_id: int, trigger: str, needed: int = 0) -> RechargeOutcome:
    """One auto-recharge attempt. ``trigger`` is ``insufficient`` (a debit of ``needed``
    credits is waiting) or ``threshold`` (background top-up)."""
    deadline = time.monotonic() + WAIT_FOR_OTHER_ATTEMPT_SECONDS
    while True:
        attempt, outcome = _claim(account_id=account_id, trigger=trigger, needed=needed)
        if attempt is not None:
            break
        if outcome is not None:
            return outcome
        # Another request is charging the card right now: its credits will cover us too.
        if trigger != "insufficient" or time.monotonic() > deadline:
            return RechargeOutcome(succeeded=False, skipped=True,
                                   error="Another auto-recharge is in progress.")
        time.sleep(0.2)

    try:
        payment_intent = stripe_gateway.client().payment_intents.create(
            params={
                "amount": attempt.amount_cents,
                "currency": attempt.currency,
                "customer": attempt.customer_id,
                "payment_method": attempt.payment_method_id,
                "off_session": True,
                "confirm": True,
                "description": f"Creative Studio auto-recharge: {attempt.credits} credits",
                "metadata": {
                    "purpose": "auto_recharge",
                    "credit_account": str(attempt.account_id),
                    "credits": str(attempt.credits),
                    "sequence": str(attempt.sequence),
                },
            },
            options={"idempotency_key": attempt.idempotency_key},
        )
    except stripe_gateway.StripeError as error:
        return _settle_failure(attempt=attempt, failure=stripe_gateway.as_payment_failed(error))

    data = stripe_gateway.to_dict(payment_intent)
    if data.get("status") == "succeeded":
        return _settle_success(attempt=attempt, payment_intent=data)
    if data.get("status") == "requires_action":
        return _settle_failure(attempt=attempt, failure=PaymentFailed(
            "Your bank asks you to confirm this payment.", requires_action=True,
            payment_intent_id=data.get("id", "")))
    return _settle_failure(attempt=attempt, failure=PaymentFailed(
        f"The payment is {data.get('status', 'unknown')}; credits follow when it completes.",
        retryable=False))


def _lock(account_id: int) -> CreditAccount:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Never wait forever for a lock held by a caller's open transaction.
            cursor.execute("SET LOCAL lock_timeout = '5s'")
    return (CreditAccount.objects.select_for_update(of=("self",))
            .select_related("auto_recharge_pack", "workspace")
            .get(pk=account_id))


def _claim(*, account_id: int, trigger: str,
           needed: int) -> tuple[_Attempt | None, RechargeOutcome | None]:
    now = timezone.now()
    with transaction.atomic():
        account = _lock(account_id)
        if not is_possible(account=account):
            return None, RechargeOutcome(succeeded=False, skipped=True,
                                         error="Auto-recharge is off.")
        if trigger == "threshold" and account.balance >= account.auto_recharge_threshold:
            return None, RechargeOutcome(succeeded=True, skipped=True)
        if trigger == "insufficient" and account.balance >= needed:
            return None, RechargeOutcome(succeeded=True, skipped=True)
        started = account.auto_recharge_started_at
        if started and now - started < IN_FLIGHT_STALE_AFTER:
            return None, None
        if account.auto_recharge_settled_sequence >= account.auto_recharge_sequence:
            account.auto_recharge_sequence += 1
        account.auto_recharge_started_at = now
        account.save(update_fields=["auto_recharge_sequence", "auto_recharge_started_at"])
        pack = account.auto_recharge_pack
        if pack is None:  # is_possible() checked it; the row lock keeps it
            return None, RechargeOutcome(succeeded=False, skipped=True,
                                         error="Auto-recharge has no credit pack.")
        return _Attempt(
            account_id=account.pk, workspace_name=account.workspace.name,
            sequence=account.auto_recharge_sequence, credits=pack.credits,
            amount_cents=pack.price_cents, currency=pack.currency,
            customer_id=account.stripe_customer_id,
            payment_method_id=account.default_payment_method_id,
        ), None


def _settle_success(*, attempt: _Attempt, payment_intent: dict) -> RechargeOutcome:
    charge = payment_intent.get("latest_charge")
    receipt_url = charge.get("receipt_url", "") if isinstance(charge, dict) else ""
    with transaction.atomic():
        account = _lock(attempt.account_id)
        account.auto_recharge_settled_sequence = attempt.sequence
        account.auto_recharge_started_at = None
        account.auto_recharge_last_error = ""
        account.save(update_fields=["auto_recharge_settled_sequence",
                                    "auto_recharge_started_at", "auto_recharge_last_error"])
        entry, _ = ledger.purchase(
            account=account, credits=attempt.credits,
            reference=f"auto_recharge:{payment_intent['id']}",
            amount_paid_cents=attempt.amount_cents, currency=attempt.currency,
            stripe_object_id=payment_intent["id"], receipt_url=receipt_url or "",
            memo="Auto-recharge", kind=LedgerEntry.Kind.AUTO_RECHARGE,
        )
    return RechargeOutcome(succeeded=True, entry=entry)


def _settle_failure(*, attempt: _Attempt, failure: PaymentFailed) -> RechargeOutcome:
    message = str(failure)[:255]
    with transaction.atomic():
        account = _lock(attempt.account_id)
        account.auto_recharge_started_at = None
        account.auto_recharge_last_error = message
        fields = ["auto_recharge_started_at", "auto_recharge_last_error"]
        if not failure.retryable:
            # The outcome is known: a later attempt is a new charge with a new key.
            account.auto_recharge_settled_sequence = attempt.sequence
            account.auto_recharge_enabled = False
            account.pending_payment_intent_id = (failure.payment_intent_id
                                                 if failure.requires_action else "")
            fields += ["auto_recharge_settled_sequence", "auto_recharge_enabled",
                       "pending_payment_intent_id"]
        account.save(update_fields=fields)
        if not failure.retryable:
            account_id = account.pk
            transaction.on_commit(lambda: notifications.auto_recharge_failed(
                account_id=account_id, reason=message, requires_action=failure.requires_action))
    logger.info("Auto-recharge for account %s failed: %s", attempt.account_id, message)
    return RechargeOutcome(succeeded=False, error=message,
                           requires_action=failure.requires_action)


def settings_update(*, account: CreditAccount, enabled: bool, threshold: int,
                    pack_id: int | None, by: Membership | None) -> CreditAccount:
    """Change the auto-recharge settings (Billing page form)."""
    authorize(membership=by, workspace=account.workspace_id,
              action=Action.AUTO_RECHARGE_CHANGE)
    if threshold < 0 or threshold > 100_000:
        raise InvalidInput("The threshold must be between 0 and 100,000 credits.",
                           code="invalid_threshold", field="threshold")
    pack = CreditPack.objects.filter(pk=pack_id, active=True).first() if pack_id else None
    if enabled and not stripe_enabled():
        raise PaymentsDisabled("Card payments are off on this installation.")
    if enabled and pack is None:
        raise InvalidInput("Choose a credit pack to recharge with.", code="pack_required",
                           field="pack")
    if enabled and not account.has_payment_method:
        raise InvalidInput("Save a card first: buy credits once and the card is kept for "
                           "auto-recharge.", code="payment_method_required")
    with transaction.atomic():
        locked = CreditAccount.objects.select_for_update().get(pk=account.pk)
        locked.auto_recharge_enabled = enabled
        locked.auto_recharge_threshold = threshold
        locked.auto_recharge_pack = pack or locked.auto_recharge_pack
        if enabled:
            locked.auto_recharge_last_error = ""
        locked.save(update_fields=["auto_recharge_enabled", "auto_recharge_threshold",
                                   "auto_recharge_pack", "auto_recharge_last_error"])
    if enabled:
        schedule_if_below_threshold(account=locked, balance=locked.balance)
    return locked
