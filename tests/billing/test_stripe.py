"""Stripe flows against the local Stripe-compatible server, webhooks delivered over HTTP to
the live test server: checkout → webhook → credits once; signatures; off-session
auto-recharge; refunds and disputes claw credits back."""

import hashlib
import hmac
import json
import time

import httpx
import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from billing import services
from billing.exceptions import InsufficientCredits
from billing.models import CheckoutSession, CreditAccount, LedgerEntry, StripeEvent
from billing.services import payments, recharge
from billing.tasks import auto_recharge_account
from studio.exceptions import InvalidInput
from tests.billing.conftest import wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # stripe-python's HTTPXClient passes bytes as data=; not ours to fix.
    pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning"),
]

VISA = "4242424242424242"
DECLINE_OFF_SESSION = "4000000000000341"
THREE_D_SECURE = "4000002500003155"


def kinds(account):
    return list(account.entries.order_by("id").values_list("kind", "amount"))


def deliveries(base, event_type):
    data = httpx.get(f"{base}/_config/test/webhook_deliveries").json()["deliveries"]
    return [d for d in data if d["type"] == event_type]


def save_card(client, account, owner, number=VISA):
    customer = payments.customer_ensure(account=account, email=owner.email)
    method = client.payment_methods.create(params={"type": "card", "card": {
        "number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"}})
    client.payment_methods.attach(method.id, params={"customer": customer})
    payments.payment_method_save(account=account, payment_method_id=method.id)
    account.refresh_from_db()
    return method.id


@pytest.fixture
def funded(stripe_on, pack, workspace, owner):
    """The owner's account (50 bonus credits) with Stripe on."""
    return services.account_open(workspace=workspace)


def buy_pack(owner_client, stripe_base, pack, card=VISA):
    response = owner_client.post(reverse("billing:checkout", args=[pack.pk]))
    assert response.status_code == 302
    session = CheckoutSession.objects.get()
    assert response["Location"] == session.url
    completed = httpx.post(
        f"{stripe_base}/_config/test/checkout/sessions/{session.stripe_session_id}/complete",
        data={"card_number": card})
    assert completed.status_code == 200, completed.text
    return session


def test_checkout_webhook_grants_credits_once(funded, owner_client, stripe_on, pack):
    session = buy_pack(owner_client, stripe_on, pack)

    entry = wait_for(lambda: LedgerEntry.objects.filter(kind="purchase").first())
    assert entry is not None
    assert (entry.amount, entry.balance_after) == (250, 300)
    assert entry.reference == f"checkout:{session.stripe_session_id}"
    assert entry.amount_paid_cents == 2500
    assert entry.receipt_url.startswith(stripe_on + "/receipts/ch_")
    funded.refresh_from_db()
    assert (funded.balance, funded.lifetime_purchased) == (300, 250)
    assert funded.card_last4 == "4242"
    assert funded.default_payment_method_id.startswith("pm_")
    session.refresh_from_db()
    assert session.status == "complete"

    # Stripe redelivers the same event: acknowledged, nothing granted twice.
    event_id = wait_for(lambda: deliveries(stripe_on, "checkout.session.completed"))[0]["event"]
    redelivery = httpx.post(f"{stripe_on}/_config/test/events/{event_id}/redeliver").json()
    assert [d["status"] for d in redelivery["deliveries"]] == [200]
    funded.refresh_from_db()
    assert funded.balance == 300
    assert LedgerEntry.objects.filter(kind="purchase").count() == 1
    assert StripeEvent.objects.filter(event_id=event_id).count() == 1


def signed(payload: bytes, secret: str) -> str:
    timestamp = int(time.time())
    signature = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload,
                         hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={signature}"


def completed_event(session_id: str, event_id: str = "evt_forged") -> bytes:
    return json.dumps({"id": event_id, "object": "event", "type": "checkout.session.completed",
                       "data": {"object": {"id": session_id, "object": "checkout.session",
                                           "payment_status": "paid", "amount_total": 2500,
                                           "currency": "usd", "payment_intent": None}}}).encode()


def test_bad_signature_is_refused_and_grants_nothing(funded, owner_client, client, pack):
    owner_client.post(reverse("billing:checkout", args=[pack.pk]))
    session = CheckoutSession.objects.get()
    payload = completed_event(session.stripe_session_id)
    url = reverse("billing:stripe_webhook")

    wrong = client.post(url, payload, content_type="application/json",
                        HTTP_STRIPE_SIGNATURE=signed(payload, "whsec_wrong"))
    missing = client.post(url, payload, content_type="application/json")
    tampered = client.post(url, payload.replace(b"2500", b"9900"),
                           content_type="application/json",
                           HTTP_STRIPE_SIGNATURE=signed(payload, funded_secret()))

    assert (wrong.status_code, missing.status_code, tampered.status_code) == (400, 400, 400)
    assert not LedgerEntry.objects.filter(kind="purchase").exists()
    # Only the forged event is checked: the Stripe server's own genuine events (the checkout
    # created a customer) may land at any moment.
    assert not StripeEvent.objects.filter(event_id="evt_forged").exists()
    funded.refresh_from_db()
    assert funded.balance == 50


def funded_secret():
    from django.conf import settings

    return settings.STRIPE_WEBHOOK_SECRET


def test_two_events_for_one_session_grant_once(funded, owner_client, client, pack):
    owner_client.post(reverse("billing:checkout", args=[pack.pk]))
    session = CheckoutSession.objects.get()
    url = reverse("billing:stripe_webhook")

    for event_id in ("evt_one", "evt_two"):
        payload = completed_event(session.stripe_session_id, event_id)
        response = client.post(url, payload, content_type="application/json",
                               HTTP_STRIPE_SIGNATURE=signed(payload, funded_secret()))
        assert response.status_code == 200

    assert LedgerEntry.objects.filter(kind="purchase").count() == 1
    assert StripeEvent.objects.filter(event_id__in=["evt_one", "evt_two"]).count() == 2
    funded.refresh_from_db()
    assert funded.balance == 300


def test_refund_claws_credits_back_and_blocks_generation(funded, owner_client, stripe_on, pack,
                                                         stripe_client):
    buy_pack(owner_client, stripe_on, pack)
    purchase = wait_for(lambda: LedgerEntry.objects.filter(kind="purchase").first())
    services.debit(account=funded, credits=100, reference="job:1")

    stripe_client.refunds.create(params={"payment_intent": purchase.stripe_object_id,
                                         "amount": 1000})
    partial = wait_for(lambda: LedgerEntry.objects.filter(kind="chargeback").first())
    assert partial.amount == -100
    stripe_client.refunds.create(params={"payment_intent": purchase.stripe_object_id})

    assert wait_for(lambda: LedgerEntry.objects.filter(kind="chargeback").count() == 2)
    funded.refresh_from_db()
    assert funded.balance == 300 - 100 - 250
    assert sum(LedgerEntry.objects.filter(kind="chargeback").values_list("amount", flat=True)
               ) == -250
    with pytest.raises(InsufficientCredits, match=r"Balance -50 credits, need 5\."):
        services.debit(account=funded, credits=5, reference="job:2")


def test_dispute_claws_credits_back(funded, owner_client, stripe_on, pack, stripe_client):
    buy_pack(owner_client, stripe_on, pack)
    purchase = wait_for(lambda: LedgerEntry.objects.filter(kind="purchase").first())
    charge = stripe_client.payment_intents.retrieve(purchase.stripe_object_id).latest_charge
    charge_id = charge if isinstance(charge, str) else charge["id"]

    httpx.post(f"{stripe_on}/_config/test/charges/{charge_id}/dispute")

    clawed = wait_for(lambda: LedgerEntry.objects.filter(kind="chargeback").first())
    assert clawed.amount == -250
    assert clawed.reference.startswith("stripe-dispute:dp_")
    funded.refresh_from_db()
    assert funded.balance == 50


def enable_auto_recharge(account, pack, threshold=20):
    return recharge.settings_update(account=account, enabled=True, threshold=threshold,
                                    pack_id=pack.pk, by=None)


def test_auto_recharge_pays_for_a_debit_the_balance_cannot(funded, owner, pack, stripe_client):
    save_card(stripe_client, funded, owner)
    enable_auto_recharge(funded, pack)

    entry = services.debit(account=funded, credits=60, reference="job:big")

    assert entry.balance_after == 240
    funded.refresh_from_db()
    assert kinds(funded) == [("bonus", 50), ("auto_recharge", 250), ("debit", -60)]
    recharge_entry = funded.entries.get(kind="auto_recharge")
    payment_intent = stripe_client.payment_intents.retrieve(recharge_entry.stripe_object_id)
    assert payment_intent.status == "succeeded"
    assert payment_intent.amount == 2500
    assert payment_intent.metadata["purpose"] == "auto_recharge"
    assert (funded.auto_recharge_sequence, funded.auto_recharge_settled_sequence) == (1, 1)
    assert funded.lifetime_purchased == 250
    # The payment_intent.succeeded webhook for the same charge grants nothing more.
    time.sleep(0.5)
    assert funded.entries.filter(kind="auto_recharge").count() == 1


def test_auto_recharge_decline_refuses_switches_off_and_emails(funded, owner, pack,
                                                               stripe_client):
    save_card(stripe_client, funded, owner, number=DECLINE_OFF_SESSION)
    enable_auto_recharge(funded, pack)

    with pytest.raises(InsufficientCredits, match=r"Balance 50 credits, need 60\.") as info:
        services.debit(account=funded, credits=60, reference="job:big")

    assert "declined" in info.value.auto_recharge_error
    funded.refresh_from_db()
    assert funded.auto_recharge_enabled is False
    assert "declined" in funded.auto_recharge_last_error
    assert kinds(funded) == [("bonus", 50)]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [owner.email]
    assert mail.outbox[0].subject == "Auto-recharge failed for Acme Skincare"


def test_card_needing_authentication_asks_the_customer(funded, owner, pack, stripe_client,
                                                       stripe_on, owner_client):
    save_card(stripe_client, funded, owner, number=THREE_D_SECURE)
    enable_auto_recharge(funded, pack)

    with pytest.raises(InsufficientCredits):
        services.debit(account=funded, credits=60, reference="job:big")

    funded.refresh_from_db()
    assert funded.pending_payment_intent_id.startswith("pi_")
    assert funded.auto_recharge_enabled is False
    assert mail.outbox[0].subject == "Confirm your payment for Acme Skincare"
    page = owner_client.get(reverse("billing:overview"))
    assert b"Confirm payment" in page.content
    assert b"_secret_" in page.content  # the client secret Stripe.js confirms with

    # The customer authenticates on-session; the webhook grants the credits once.
    httpx.post(f"{stripe_on}/_config/test/payment_intents/"
               f"{funded.pending_payment_intent_id}/confirm").raise_for_status()
    entry = wait_for(lambda: funded.entries.filter(kind="auto_recharge").first())
    assert entry.amount == 250
    funded.refresh_from_db()
    assert funded.pending_payment_intent_id == ""
    assert funded.balance == 300


def test_successful_charge_survives_the_callers_rollback(funded, owner, pack, stripe_client):
    save_card(stripe_client, funded, owner)
    enable_auto_recharge(funded, pack)

    with pytest.raises(RuntimeError), transaction.atomic():
        services.debit(account=funded, credits=60, reference="job:big")
        raise RuntimeError("creating the job failed")

    funded.refresh_from_db()
    assert kinds(funded) == [("bonus", 50), ("auto_recharge", 250)]
    assert funded.balance == 300


def test_network_failure_retries_with_the_same_idempotency_key(funded, owner, pack,
                                                               stripe_client, settings):
    save_card(stripe_client, funded, owner)
    enable_auto_recharge(funded, pack)
    real_base = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens: connection refused

    outcome = recharge.run(account_id=funded.pk, trigger="insufficient", needed=60)

    assert not outcome.succeeded
    funded.refresh_from_db()
    assert funded.auto_recharge_enabled is True  # retryable: not switched off
    assert (funded.auto_recharge_sequence, funded.auto_recharge_settled_sequence) == (1, 0)

    settings.STRIPE_API_BASE = real_base
    entry = services.debit(account=funded, credits=60, reference="job:big")

    assert entry.balance_after == 240
    funded.refresh_from_db()
    assert (funded.auto_recharge_sequence, funded.auto_recharge_settled_sequence) == (1, 1)


def test_debit_under_threshold_recharges_in_background(funded, owner, pack, stripe_client,
                                                       monkeypatch):
    save_card(stripe_client, funded, owner)
    enable_auto_recharge(funded, pack)
    ran = []
    monkeypatch.setattr(auto_recharge_account, "delay",
                        lambda account_id: ran.append(auto_recharge_account(account_id)))

    services.debit(account=funded, credits=40, reference="job:1")

    assert ran == ["recharged"]
    funded.refresh_from_db()
    assert funded.balance == 260
    # Above the threshold now: running the task again does nothing.
    assert auto_recharge_account(funded.pk) == "skipped"
    assert funded.entries.filter(kind="auto_recharge").count() == 1


def test_auto_recharge_needs_a_saved_card(funded, pack):
    with pytest.raises(InvalidInput, match="Save a card first"):
        enable_auto_recharge(funded, pack)
    assert CreditAccount.objects.get(pk=funded.pk).auto_recharge_enabled is False


def test_replace_card_through_setup_checkout(funded, owner_client, owner, stripe_on,
                                             stripe_client):
    save_card(stripe_client, funded, owner)
    assert funded.card_last4 == "4242"

    response = owner_client.post(reverse("billing:card_update"))

    assert response.status_code == 302
    session = CheckoutSession.objects.get(mode="setup")
    assert response["Location"] == session.url
    httpx.post(f"{stripe_on}/_config/test/checkout/sessions/{session.stripe_session_id}"
               "/complete", data={"card_number": "5555555555554444"}).raise_for_status()
    assert wait_for(lambda: CreditAccount.objects.get(pk=funded.pk).card_last4 == "4444")
    session.refresh_from_db()
    assert session.status == "complete"
    assert kinds(funded) == [("bonus", 50)]  # saving a card grants nothing


def test_member_cannot_replace_the_card(funded, client, member):
    client.force_login(member)

    response = client.post(reverse("billing:card_update"))

    assert response.status_code == 403
    assert not CheckoutSession.objects.exists()
