"""Billing fixtures: a Stripe-compatible server (localstripe + the routes it lacks, see
tests/fixtures/stripe_server/server.py) started once per session on 127.0.0.1."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from django.urls import reverse

from billing import services
from billing.models import CreditPack
from tests.billing.factories import CreditAccountFactory

SERVER = Path(__file__).resolve().parents[1] / "fixtures" / "stripe_server" / "server.py"
SECRET_KEY = "sk_test_creative_studio"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def stripe_server():
    """Base URL of the running test server."""
    port = _free_port()
    process = subprocess.Popen([sys.executable, str(SERVER), "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while True:
        try:
            httpx.get(f"{base}/_config/test/webhook_deliveries", timeout=1)
            break
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("Stripe test server did not start: "
                                   + process.stderr.read().decode()) from None
            time.sleep(0.1)
    yield base
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def stripe_webhook_secret(stripe_server, live_server):
    """One webhook endpoint for the session, delivering to the live test server."""
    import stripe

    client = stripe.StripeClient(SECRET_KEY, base_addresses={"api": stripe_server},
                                 http_client=stripe.HTTPXClient(allow_sync_methods=True))
    endpoint = client.v1.webhook_endpoints.create(params={
        "url": live_server.url + reverse("billing:stripe_webhook"), "enabled_events": ["*"]})
    return endpoint.secret


@pytest.fixture
def stripe_on(settings, stripe_server, stripe_webhook_secret):
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_creative_studio"
    settings.STRIPE_API_BASE = stripe_server
    settings.STRIPE_WEBHOOK_SECRET = stripe_webhook_secret
    yield stripe_server
    # Webhooks arrive asynchronously: let this test's land before the next test starts, so
    # no test sees another's events.
    deadline = time.monotonic() + 10
    time.sleep(0.1)
    while time.monotonic() < deadline:
        state = httpx.get(f"{stripe_server}/_config/test/webhook_deliveries", timeout=5).json()
        if not state["in_flight"]:
            break
        time.sleep(0.05)


@pytest.fixture
def stripe_client(stripe_on):
    from billing import stripe_gateway

    return stripe_gateway.client()


@pytest.fixture
def pack(db):
    # get_or_create: transactional tests flush the packs the data migration made.
    return CreditPack.objects.get_or_create(
        price_cents=2500, currency="usd", defaults={"name": "Starter", "credits": 250})[0]


@pytest.fixture
def account(workspace, owner):
    """``workspace``'s account with the 50-credit welcome bonus."""
    return services.account_open(workspace=workspace)


@pytest.fixture
def empty_account(db):
    return CreditAccountFactory()


def wait_for(predicate, timeout: float = 8.0):
    """Poll until ``predicate()`` is truthy (webhooks arrive asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)
