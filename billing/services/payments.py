"""Stripe Checkout top-ups and the webhook events that turn payments into credits.

Credits are granted only from a verified ``checkout.session.completed`` (or, for an
auto-recharge the customer confirmed on-session, ``payment_intent.succeeded``) event, each
idempotent on its ledger reference; refunds and disputes claw credits back.
"""

from __future__ import annotations

import logging
import uuid

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from billing import stripe_gateway
from billing.models import CheckoutSession, CreditAccount, CreditPack, LedgerEntry, StripeEvent
from billing.services import ledger
from studio.models import Membership, User
from studio.permissions import Action, authorize

logger = logging.getLogger(__name__)

Kind = LedgerEntry.Kind


def customer_ensure(*, account: CreditAccount, email: str) -> str:
    """The account's Stripe customer id, created once."""
    if account.stripe_customer_id:
        return account.stripe_customer_id
    try:
        customer = stripe_gateway.client().customers.create(
            params={"email": email, "name": account.workspace.name,
                    "metadata": {"credit_account": str(account.pk),
                                 "workspace": account.workspace.slug}},
            options={"idempotency_key": f"creditaccount-{account.pk}-customer"},
        )
    except stripe_gateway.StripeError as error:
        raise stripe_gateway.as_payment_failed(error) from error
    # Conditional update: a concurrent request that already stored one wins.
    CreditAccount.objects.filter(pk=account.pk, stripe_customer_id="").update(
        stripe_customer_id=customer.id)
    account.refresh_from_db(fields=["stripe_customer_id"])
    return account.stripe_customer_id


def checkout_start(*, account: CreditAccount, pack: CreditPack, user: User,
                   by: Membership | None, success_url: str, cancel_url: str) -> CheckoutSession:
    """Open a Checkout Session for ``pack``; the card is saved for off-session use."""
    authorize(membership=by, workspace=account.workspace_id, action=Action.CREDITS_BUY)
    customer_id = customer_ensure(account=account, email=user.email)
    if pack.stripe_price_id:
        line_item = {"price": pack.stripe_price_id, "quantity": 1}
    else:
        line_item = {"quantity": 1, "price_data": {
            "currency": pack.currency, "unit_amount": pack.price_cents,
            "product_data": {"name": f"{pack.credits:,} Creative Studio credits"},
        }}
    metadata = {"credit_account": str(account.pk), "pack": str(pack.pk),
                "credits": str(pack.credits), "purpose": "credit_pack"}
    try:
        session = stripe_gateway.client().checkout.sessions.create(
            params={
                "mode": "payment",
                "customer": customer_id,
                "client_reference_id": str(account.pk),
                "line_items": [line_item],
                "payment_intent_data": {"setup_future_usage": "off_session",
                                        "metadata": metadata},
                "metadata": metadata,
                "success_url": success_url + "?session_id={CHECKOUT_SESSION_ID}",
                "cancel_url": cancel_url,
            },
            options={"idempotency_key": f"creditaccount-{account.pk}-checkout-"
                                        f"{uuid.uuid4().hex}"},
        )
    except stripe_gateway.StripeError as error:
        raise stripe_gateway.as_payment_failed(error) from error
    return CheckoutSession.objects.create(
        account=account, pack=pack, stripe_session_id=session.id, credits=pack.credits,
        amount_cents=pack.price_cents, currency=pack.currency, url=session.url or "",
        created_by=user,
    )


def card_update_start(*, account: CreditAccount, user: User, by: Membership | None,
                      success_url: str, cancel_url: str) -> CheckoutSession:
    """Open a Checkout Session in ``setup`` mode: the customer enters a card on Stripe's page
    and it becomes the card auto-recharge charges (saved by the webhook)."""
    authorize(membership=by, workspace=account.workspace_id, action=Action.CARD_CHANGE)
    customer_id = customer_ensure(account=account, email=user.email)
    metadata = {"credit_account": str(account.pk), "purpose": "card_update"}
    try:
        session = stripe_gateway.client().checkout.sessions.create(
            params={
                "mode": "setup",
                "customer": customer_id,
                "client_reference_id": str(account.pk),
                "payment_method_types": ["card"],
                "setup_intent_data": {"metadata": metadata},
                "metadata": metadata,
                "success_url": success_url + "?session_id={CHECKOUT_SESSION_ID}",
                "cancel_url": cancel_url,
            },
            options={"idempotency_key": f"creditaccount-{account.pk}-card-"
                                        f"{uuid.uuid4().hex}"},
        )
    except stripe_gateway.StripeError as error:
        raise stripe_gateway.as_payment_failed(error) from error
    return CheckoutSession.objects.create(
        account=account, mode=CheckoutSession.Mode.SETUP, stripe_session_id=session.id,
        url=session.url or "", created_by=user,
    )


# --- webhook events -------------------------------------------------------------------------

def stripe_event_handle(*, event: dict) -> str:
    """Apply one verified Stripe event once. Returns ``handled``, ``ignored`` or
    ``duplicate``. An exception rolls everything back so Stripe's redelivery retries it."""
    handler = _HANDLERS.get(event.get("type", ""))
    with transaction.atomic():
        _, created = StripeEvent.objects.get_or_create(
            event_id=event["id"],
            defaults={"type": event.get("type", "")[:100],
                      "livemode": bool(event.get("livemode"))},
        )
        if not created:
            return "duplicate"
        if handler is None:
            return "ignored"
        handler(event["data"]["object"])
    return "handled"


def _checkout_completed(session: dict) -> None:
    row = (CheckoutSession.objects.select_for_update().select_related("account")
           .filter(stripe_session_id=session.get("id", "")).first())
    if row is None:
        logger.warning("Checkout Session %s is not ours; ignored.", session.get("id"))
        return
    if row.mode == CheckoutSession.Mode.SETUP:
        _card_saved(row=row, session=session)
        return
    if session.get("payment_status") != "paid":
        # Delayed payment methods: credits come with async_payment_succeeded.
        return
    payment_intent_id = session.get("payment_intent") or ""
    if isinstance(payment_intent_id, dict):
        payment_intent_id = payment_intent_id.get("id", "")
    payment_method_id, receipt_url = _payment_details(payment_intent_id)
    ledger.purchase(
        account=row.account, credits=row.credits,
        reference=f"checkout:{row.stripe_session_id}",
        amount_paid_cents=session.get("amount_total") or row.amount_cents,
        currency=session.get("currency") or row.currency,
        stripe_object_id=payment_intent_id or row.stripe_session_id,
        receipt_url=receipt_url,
        memo=f"{row.pack.name if row.pack else 'Credits'} via Stripe Checkout",
        actor=row.created_by,
    )
    row.status = CheckoutSession.Status.COMPLETE
    row.completed_at = timezone.now()
    row.save(update_fields=["status", "completed_at"])
    if payment_method_id:
        payment_method_save(account=row.account, payment_method_id=payment_method_id)


def _card_saved(*, row: CheckoutSession, session: dict) -> None:
    setup_intent_id = session.get("setup_intent") or ""
    if isinstance(setup_intent_id, dict):
        setup_intent_id = setup_intent_id.get("id", "")
    if not setup_intent_id:
        return
    try:
        setup_intent = stripe_gateway.to_dict(
            stripe_gateway.client().setup_intents.retrieve(setup_intent_id))
    except stripe_gateway.StripeError as error:
        raise stripe_gateway.as_payment_failed(error) from error
    method = setup_intent.get("payment_method") or ""
    if isinstance(method, dict):
        method = method.get("id", "")
    if setup_intent.get("status") == "succeeded" and method:
        payment_method_save(account=row.account, payment_method_id=method)
    row.status = CheckoutSession.Status.COMPLETE
    row.completed_at = timezone.now()
    row.save(update_fields=["status", "completed_at"])


def _payment_details(payment_intent_id: str) -> tuple[str, str]:
    """(payment method id, receipt url) of a PaymentIntent."""
    if not payment_intent_id:
        return "", ""
    try:
        payment_intent = stripe_gateway.to_dict(
            stripe_gateway.client().payment_intents.retrieve(payment_intent_id))
    except stripe_gateway.StripeError as error:
        raise stripe_gateway.as_payment_failed(error) from error
    charge = payment_intent.get("latest_charge")
    receipt_url = charge.get("receipt_url") if isinstance(charge, dict) else ""
    method = payment_intent.get("payment_method") or ""
    if isinstance(method, dict):
        method = method.get("id", "")
    return method, receipt_url or ""


def payment_method_save(*, account: CreditAccount, payment_method_id: str) -> None:
    """Keep ``payment_method_id`` as the card auto-recharge charges."""
    try:
        method = stripe_gateway.to_dict(
            stripe_gateway.client().payment_methods.retrieve(payment_method_id))
    except stripe_gateway.StripeError as error:
        raise stripe_gateway.as_payment_failed(error) from error
    card = method.get("card") or {}
    CreditAccount.objects.filter(pk=account.pk).update(
        default_payment_method_id=payment_method_id,
        card_brand=(card.get("brand") or "")[:20],
        card_last4=(card.get("last4") or "")[:4],
        card_exp=f"{card.get('exp_month', ''):>02}/{card.get('exp_year', '')}" if card else "",
    )


def _checkout_expired(session: dict) -> None:
    CheckoutSession.objects.filter(stripe_session_id=session.get("id", ""),
                                   status=CheckoutSession.Status.OPEN).update(
        status=CheckoutSession.Status.EXPIRED)


def _payment_intent_succeeded(payment_intent: dict) -> None:
    """An auto-recharge charge that succeeded later (customer confirmed 3-D Secure) or whose
    synchronous grant was lost: grant it, once."""
    metadata = payment_intent.get("metadata") or {}
    if metadata.get("purpose") != "auto_recharge":
        return
    account = CreditAccount.objects.filter(pk=metadata.get("credit_account") or 0).first()
    if account is None:
        return
    charge = payment_intent.get("latest_charge")
    ledger.purchase(
        account=account, credits=int(metadata["credits"]),
        reference=f"auto_recharge:{payment_intent['id']}",
        amount_paid_cents=payment_intent.get("amount") or 0,
        currency=payment_intent.get("currency") or "usd",
        stripe_object_id=payment_intent["id"],
        receipt_url=(charge.get("receipt_url") or "") if isinstance(charge, dict) else "",
        memo="Auto-recharge", kind=Kind.AUTO_RECHARGE,
    )
    CreditAccount.objects.filter(pk=account.pk,
                                 pending_payment_intent_id=payment_intent["id"]).update(
        pending_payment_intent_id="", auto_recharge_last_error="")


def _paid_entry(*ids: str) -> LedgerEntry | None:
    ids = tuple(i for i in ids if i)
    if not ids:
        return None
    return (LedgerEntry.objects.select_related("account")
            .filter(stripe_object_id__in=ids, kind__in=[Kind.PURCHASE, Kind.AUTO_RECHARGE])
            .first())


def _already_clawed(entry: LedgerEntry) -> int:
    total = (LedgerEntry.objects.filter(account=entry.account, kind=Kind.CHARGEBACK,
                                        stripe_object_id=entry.stripe_object_id)
             .aggregate(total=Sum("amount"))["total"] or 0)
    return -total


def _credits_for(entry: LedgerEntry, cents: int) -> int:
    paid = entry.amount_paid_cents or 0
    if paid <= 0:
        return entry.amount
    return min(entry.amount, entry.amount * cents // paid)


def _charge_refunded(charge: dict) -> None:
    payment_intent = charge.get("payment_intent") or ""
    entry = _paid_entry(payment_intent, charge.get("id", ""))
    if entry is None:
        return
    refunded = int(charge.get("amount_refunded") or 0)
    owed = _credits_for(entry, refunded) - _already_clawed(entry)
    if owed <= 0:
        return
    ledger.claw_back(account=entry.account, credits=owed,
                     reference=f"stripe-refund:{charge['id']}:{refunded}",
                     stripe_object_id=entry.stripe_object_id,
                     memo=f"Card payment refunded ({charge['id']})")


def _dispute_created(dispute: dict) -> None:
    charge_id = dispute.get("charge") or ""
    if isinstance(charge_id, dict):
        charge_id = charge_id.get("id", "")
    entry = _paid_entry(dispute.get("payment_intent") or "", charge_id)
    if entry is None:
        return
    owed = min(_credits_for(entry, int(dispute.get("amount") or 0)),
               entry.amount - _already_clawed(entry))
    if owed <= 0:
        return
    ledger.claw_back(account=entry.account, credits=owed,
                     reference=f"stripe-dispute:{dispute['id']}",
                     stripe_object_id=entry.stripe_object_id,
                     memo=f"Card payment disputed ({charge_id})")


_HANDLERS = {
    "checkout.session.completed": _checkout_completed,
    "checkout.session.async_payment_succeeded": _checkout_completed,
    "checkout.session.expired": _checkout_expired,
    "payment_intent.succeeded": _payment_intent_succeeded,
    "charge.refunded": _charge_refunded,
    "charge.dispute.created": _dispute_created,
}


def payment_confirm_details(*, account: CreditAccount) -> dict | None:
    """What Stripe.js needs to let the customer confirm a charge their bank held for
    authentication: the PaymentIntent's client secret and the card."""
    if not account.pending_payment_intent_id:
        return None
    try:
        payment_intent = stripe_gateway.to_dict(stripe_gateway.client().payment_intents
                                                .retrieve(account.pending_payment_intent_id))
    except stripe_gateway.StripeError as error:
        raise stripe_gateway.as_payment_failed(error) from error
    if payment_intent.get("status") == "succeeded":
        return None
    return {"client_secret": payment_intent.get("client_secret", ""),
            "payment_method": account.default_payment_method_id,
            "amount": payment_intent.get("amount"), "currency": payment_intent.get("currency")}
