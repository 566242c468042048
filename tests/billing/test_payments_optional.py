"""stripe-python is the [payments] extra: without it the studio runs with payments off, even
when a secret key is configured, and says why instead of failing."""

from __future__ import annotations

import pytest
from django.core import checks
from django.urls import reverse

from billing import stripe_gateway
from billing.apps import stripe_installed_when_configured
from billing.exceptions import PaymentsDisabled
from billing.models import CheckoutSession
from billing.selectors import stripe_enabled


@pytest.fixture
def without_stripe(monkeypatch, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_configured_but_not_installed"
    monkeypatch.setattr(stripe_gateway, "stripe", None)
    monkeypatch.setattr(stripe_gateway, "INSTALLED", False)


def test_payments_are_off_without_the_package(without_stripe):
    assert stripe_enabled() is False
    with pytest.raises(PaymentsDisabled):
        stripe_gateway.client()


def test_the_billing_page_says_payments_are_off(without_stripe, owner_client, account):
    response = owner_client.get(reverse("billing:overview"))

    assert response.status_code == 200
    assert "Buying credits is not switched on for this studio." in response.content.decode()


def test_checkout_is_refused_and_creates_nothing(without_stripe, owner_client, account, pack):
    response = owner_client.post(reverse("billing:checkout", args=[pack.pk]), follow=True)

    assert "Buying credits is not switched on for this studio" in response.content.decode()
    assert CheckoutSession.objects.count() == 0


def test_a_stripe_webhook_is_refused_cleanly(without_stripe, client, db, settings):
    settings.STRIPE_WEBHOOK_SECRET = "whsec_configured"

    response = client.post(reverse("billing:stripe_webhook"), data=b"{}",
                           content_type="application/json", HTTP_STRIPE_SIGNATURE="t=1,v1=x")

    assert response.status_code == 404
    assert response.content == b"Payments are off."


def test_the_system_check_names_the_extra(without_stripe):
    messages = stripe_installed_when_configured(None)

    assert [m.id for m in messages] == ["billing.W001"]
    assert messages[0].level == checks.WARNING
    assert "creative-studio[payments]" in messages[0].hint


def test_no_warning_when_installed_or_unconfigured(settings):
    settings.STRIPE_SECRET_KEY = ""
    assert stripe_installed_when_configured(None) == []
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    assert stripe_gateway.INSTALLED
    assert stripe_installed_when_configured(None) == []
