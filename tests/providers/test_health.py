"""Provider health in admin, and the per-workspace paid-provider switch."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from generations.models import ProviderBreaker, ProviderCall
from generations.providers import registry
from generations.providers.health import provider_health
from studio.models import Workspace
from tests.providers.fakes import provider_settings
from tests.studio.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(email="ops@example.com", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def configured(settings):
    settings.PROVIDERS = {**settings.PROVIDERS,
                          "chat": provider_settings("http://127.0.0.1:9/v1", name="chat",
                                                    model="gpt-4o-mini")}


def _calls():
    now = timezone.now()
    for ok, cost in ((True, "0.0020"), (True, "0.0030"), (False, "0"), (False, "0")):
        ProviderCall.objects.create(provider="chat", model="gpt-4o-mini", capability="copy",
                                    ok=ok, status=200 if ok else 503, latency_ms=120,
                                    cost_usd=Decimal(cost))
    old = ProviderCall.objects.create(provider="chat", model="gpt-4o-mini", capability="copy",
                                      ok=True, status=200, cost_usd=Decimal("9"))
    ProviderCall.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=3))
    ProviderBreaker.objects.create(provider="chat", consecutive_failures=5, opened_at=now,
                                   last_error="chat answered 503: overloaded")


def test_health_summarises_each_provider(configured):
    _calls()
    [chat] = provider_health()
    assert (chat.provider, chat.configured, chat.paid, chat.model, chat.state) == (
        "chat", True, True, "gpt-4o-mini", "open")
    assert (chat.calls_24h, chat.failures_24h, chat.error_rate) == (4, 2, 0.5)
    assert chat.spend_today_usd == Decimal("0.005")
    assert chat.last_error == "chat answered 503: overloaded"
    assert chat.last_success_at is not None


def test_admin_health_page(superuser_client, configured):
    _calls()
    response = superuser_client.get("/admin/generations/providercall/health/")
    assert response.status_code == 200
    html = response.content.decode()
    row = html[html.index('<tr class="provider-chat">'):]
    row = row[:row.index("</tr>")]
    assert '<td class="breaker">open</td>' in row
    assert '<td class="error-rate">50%</td>' in row
    assert '<td class="spend">0.0050</td>' in row
    assert "chat answered 503: overloaded" in row
    listing = superuser_client.get("/admin/generations/providercall/")
    assert listing.status_code == 200
    assert b"/admin/generations/providercall/health/" in listing.content


def test_admin_health_page_without_providers(superuser_client):
    response = superuser_client.get("/admin/generations/providercall/health/")
    assert response.status_code == 200
    assert b"No model provider is configured" in response.content


def test_health_page_is_for_staff_only(owner_client):
    response = owner_client.get("/admin/generations/providercall/health/")
    assert response.status_code == 302


def test_workspace_switch_in_admin(superuser_client, workspace):
    response = superuser_client.get("/admin/studio/workspace/?allow_paid_providers__exact=1")
    assert response.status_code == 200
    assert workspace.name.encode() in response.content
    assert Workspace._meta.get_field("allow_paid_providers").default is True


def test_paid_providers_are_skipped_for_a_workspace_that_forbids_them(settings, workspace):
    settings.PROVIDERS = {**settings.PROVIDERS,
                          "chat": provider_settings("http://127.0.0.1:9/v1", name="chat")}
    assert registry.provider_allowed("chat", workspace=workspace) is True
    workspace.allow_paid_providers = False
    assert registry.provider_allowed("chat", workspace=workspace) is False
    assert registry.copy_writer(workspace=workspace) is None
    # A model server of the operator's own is not paid: still allowed.
    settings.PROVIDERS["chat"] = {**settings.PROVIDERS["chat"], "paid": False}
    assert registry.provider_allowed("chat", workspace=workspace) is True
