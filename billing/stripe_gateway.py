"""The only module that talks to Stripe: a configured client and typed failures.

Every call has an explicit timeout; Stripe's errors become ``PaymentFailed`` with
``retryable`` (network, rate limit, 5xx) or permanent (card declined, bad request).

stripe-python comes with the ``[payments]`` extra (``[production]`` includes it). Without it
payments are off, as they are without a secret key, and the rest of the studio runs as usual.
"""

from __future__ import annotations

import json
from functools import cache

from django.conf import settings

from billing.exceptions import PaymentFailed, PaymentsDisabled
from studio.exceptions import InvalidInput

try:
    import stripe
except ImportError:  # the [payments] extra is not installed
    stripe = None  # type: ignore[assignment]

INSTALLED = stripe is not None


class _StripeNotInstalled(Exception):
    """Stands in for ``stripe.StripeError`` without the package; nothing ever raises it."""


# What callers catch around a Stripe call.
StripeError: type[Exception] = stripe.StripeError if stripe is not None else _StripeNotInstalled


@cache
def _client(api_key: str, api_base: str, timeout: float) -> stripe.StripeClient:
    base_addresses = {"api": api_base} if api_base else None
    return stripe.StripeClient(
        api_key,
        base_addresses=base_addresses,
        http_client=stripe.HTTPXClient(timeout=timeout, allow_sync_methods=True),
        # We pass our own idempotency keys; stripe-python reuses them on its retries.
        max_network_retries=1,
    )


def client():
    """The ``v1`` services of a StripeClient configured from settings."""
    if not (settings.STRIPE_SECRET_KEY and INSTALLED):
        raise PaymentsDisabled("Payments are off on this installation; ask the operator for "
                               "credits.")
    return _client(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE,
                   settings.STRIPE_TIMEOUT_SECONDS).v1


def as_payment_failed(error: Exception) -> PaymentFailed:
    """Translate a Stripe error into our typed failure."""
    if not isinstance(error, stripe.StripeError):
        return PaymentFailed(str(error) or error.__class__.__name__, retryable=True)
    if isinstance(error, stripe.CardError):
        body = error.json_body.get("error", {}) if isinstance(error.json_body, dict) else {}
        payment_intent = body.get("payment_intent") or {}
        requires_action = error.code == "authentication_required"
        return PaymentFailed(
            error.user_message or str(error.code or "card_declined"),
            retryable=False, requires_action=requires_action,
            payment_intent_id=payment_intent.get("id", "") if isinstance(payment_intent, dict)
            else str(payment_intent),
        )
    retryable = isinstance(error, stripe.APIConnectionError | stripe.RateLimitError) or (
        error.http_status is not None and error.http_status >= 500
    )
    return PaymentFailed(error.user_message or str(error) or error.__class__.__name__,
                         retryable=retryable)


def to_dict(stripe_object) -> dict:
    """A plain dict of a StripeObject (for storing and for reading nested fields)."""
    return json.loads(str(stripe_object)) if stripe_object is not None else {}


def verify_webhook(*, payload: bytes, signature_header: str) -> dict:
    """Check the ``Stripe-Signature`` header (``t=...,v1=...``) with the endpoint secret and
    return the event as a dict. Raises ``InvalidInput`` (``invalid_signature``) otherwise."""
    if not INSTALLED:
        raise InvalidInput("Payments are off on this installation.", code="invalid_signature")
    try:
        stripe.WebhookSignature.verify_header(
            payload.decode("utf-8"), signature_header, settings.STRIPE_WEBHOOK_SECRET,
            tolerance=settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS,
        )
        return json.loads(payload)
    except (stripe.SignatureVerificationError, ValueError) as exc:
        raise InvalidInput("Invalid signature.", code="invalid_signature") from exc
