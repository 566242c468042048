"""The one provider HTTP call: retries with Retry-After, typed errors, breaker, call records."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from email.utils import formatdate

import pytest
from django.utils import timezone

from generations.models import ProviderBreaker, ProviderCall
from generations.providers import breaker, http
from generations.providers.base import CallContext, ProviderError, ProviderUnavailable
from tests.providers.fakes import FakeProvider, Reply, provider_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake():
    with FakeProvider() as server:
        yield server


def _client(fake, settings, **overrides):
    settings.PROVIDERS = {**settings.PROVIDERS,
                          "fake": provider_settings(fake.base_url, **overrides)}
    return http.ProviderClient("fake")


def _ok(response):
    return response.json()["ok"]


def test_retry_after_seconds_and_http_date():
    assert http.retry_after_seconds("7") == 7.0
    assert http.retry_after_seconds("garbage") is None
    assert http.retry_after_seconds(formatdate(1_000_060, usegmt=True), now=1_000_000) == 60.0


def test_429_with_retry_after_is_waited_then_succeeds(fake, settings, waits):
    fake.replies["/v1/thing"] = [
        Reply(429, {"error": {"message": "Rate limit reached", "type": "requests"}},
              headers={"Retry-After": "3"}),
        Reply(200, {"ok": "yes"})]
    client = _client(fake, settings)
    assert client.call("POST", "/thing", capability="copy", parse=_ok, json={"a": 1}) == "yes"
    assert waits == [3.0]
    assert [s.json() for s in fake.seen] == [{"a": 1}, {"a": 1}]
    assert fake.seen[0].headers["authorization"] == "Bearer sk-test"
    call = ProviderCall.objects.get()
    assert (call.provider, call.ok, call.status, call.attempts, call.cost_usd) == (
        "fake", True, 200, 2, Decimal("0.002000"))


def test_retry_after_beyond_the_cap_is_not_waited(fake, settings, waits):
    settings.PROVIDER_RETRY_AFTER_MAX_SECONDS = 10
    fake.replies["/v1/thing"] = [Reply(429, {"error": {"message": "slow down"}},
                                       headers={"Retry-After": "120"})]
    with pytest.raises(ProviderError) as caught:
        _client(fake, settings).call("POST", "/thing", capability="copy", parse=_ok)
    assert waits == []
    assert (caught.value.code, caught.value.status, caught.value.retryable) == (
        "provider_busy", 503, True)
    assert caught.value.details == {"provider": "fake", "upstream_status": 429,
                                    "retry_after": 120}
    assert len(fake.seen) == 1


def test_5xx_backs_off_exponentially_then_fails_retryable(fake, settings, waits):
    settings.PROVIDER_BACKOFF_BASE_SECONDS = 1.0
    fake.replies["/v1/thing"] = [Reply(500, {"error": {"message": "server had an error"}})]
    with pytest.raises(ProviderError) as caught:
        _client(fake, settings).call("POST", "/thing", capability="copy", parse=_ok,
                                     context=CallContext(job_id=None))
    assert len(fake.seen) == 3
    assert 1.0 <= waits[0] <= 2.0 and 2.0 <= waits[1] <= 3.0
    assert caught.value.message == "fake answered 500: server had an error"
    call = ProviderCall.objects.get()
    assert (call.ok, call.status, call.attempts, call.cost_usd) == (False, 500, 3, 0)


def test_400_is_not_retried_and_does_not_trip_the_breaker(fake, settings, waits):
    fake.replies["/v1/thing"] = [Reply(400, {"error": {"message": "bad schema"}})]
    with pytest.raises(ProviderError) as caught:
        _client(fake, settings).call("POST", "/thing", capability="copy", parse=_ok)
    assert (caught.value.retryable, caught.value.status) == (False, 502)
    assert len(fake.seen) == 1 and waits == []
    assert ProviderBreaker.objects.filter(provider="fake", consecutive_failures__gt=0).count() == 0


def test_malformed_body_is_retried(fake, settings, waits):
    fake.replies["/v1/thing"] = [Reply(200, "{not json"), Reply(200, {"ok": "second"})]
    assert _client(fake, settings).call("POST", "/thing", capability="copy",
                                        parse=_ok) == "second"
    assert len(fake.seen) == 2


def test_slow_answer_times_out(fake, settings, waits):
    fake.replies["/v1/thing"] = [Reply(200, {"ok": "late"}, delay=1.5)]
    with pytest.raises(ProviderError) as caught:
        _client(fake, settings, timeout=0.3, max_retries=0).call(
            "POST", "/thing", capability="copy", parse=_ok)
    assert (caught.value.code, caught.value.retryable) == ("provider_timeout", True)


def test_unconfigured_provider_is_unavailable_and_sends_nothing(fake, settings):
    with pytest.raises(ProviderUnavailable):
        _client(fake, settings, enabled=False).call("POST", "/thing", capability="copy",
                                                    parse=_ok)
    assert fake.seen == []


def test_breaker_opens_after_n_failures_half_opens_and_closes(fake, settings, waits):
    settings.PROVIDER_BREAKER_FAILURES = 2
    settings.PROVIDER_BREAKER_COOLDOWN_SECONDS = 30
    fake.replies["/v1/thing"] = [Reply(503, {"error": {"message": "overloaded"}}),
                                 Reply(503, {"error": {"message": "overloaded"}}),
                                 Reply(200, {"ok": "back"})]
    client = _client(fake, settings, max_retries=0)
    for _ in range(2):
        with pytest.raises(ProviderError):
            client.call("POST", "/thing", capability="copy", parse=_ok)
    assert breaker.state("fake") == "open"
    with pytest.raises(ProviderUnavailable) as caught:
        client.call("POST", "/thing", capability="copy", parse=_ok)
    assert caught.value.status == 503 and len(fake.seen) == 2  # refused without sending
    # The cool-down passes: one probe is let through, a second caller is refused meanwhile.
    ProviderBreaker.objects.filter(provider="fake").update(
        opened_at=timezone.now() - timedelta(seconds=31))
    assert breaker.state("fake") == "half-open"
    breaker.allow("fake")  # this caller holds the probe
    with pytest.raises(ProviderUnavailable):
        breaker.allow("fake")
    ProviderBreaker.objects.filter(provider="fake").update(probe_started_at=None)
    assert client.call("POST", "/thing", capability="copy", parse=_ok) == "back"
    assert breaker.state("fake") == "closed"
    row = ProviderBreaker.objects.get(provider="fake")
    assert (row.consecutive_failures, row.opened_at) == (0, None)


def test_failed_probe_reopens_the_breaker(fake, settings, waits):
    settings.PROVIDER_BREAKER_FAILURES = 1
    fake.replies["/v1/thing"] = [Reply(502, {"error": {"message": "bad gateway"}})]
    client = _client(fake, settings, max_retries=0)
    with pytest.raises(ProviderError):
        client.call("POST", "/thing", capability="copy", parse=_ok)
    ProviderBreaker.objects.filter(provider="fake").update(
        opened_at=timezone.now() - timedelta(seconds=3600))
    with pytest.raises(ProviderError):
        client.call("POST", "/thing", capability="copy", parse=_ok)
    assert breaker.state("fake") == "open"


def test_429_insufficient_quota_is_not_retried_and_counts_for_the_breaker(fake, settings, waits):
    fake.replies["/v1/thing"] = [Reply(429, {"error": {
        "message": "You exceeded your current quota, please check your plan and billing "
        "details.", "type": "insufficient_quota", "param": None, "code": "insufficient_quota"}})]
    with pytest.raises(ProviderError) as caught:
        _client(fake, settings).call("POST", "/thing", capability="copy", parse=_ok)
    assert (caught.value.code, caught.value.retryable) == ("provider_quota_exhausted", False)
    assert len(fake.seen) == 1 and waits == []
    assert ProviderBreaker.objects.get(provider="fake").consecutive_failures == 1


def test_an_answer_over_the_size_cap_is_refused_and_recorded(fake, settings, waits):
    settings.PROVIDER_MAX_RESPONSE_BYTES = 1000
    fake.replies["/v1/thing"] = [Reply(200, {"ok": "x" * 5000})]
    with pytest.raises(ProviderError) as caught:
        _client(fake, settings).call("POST", "/thing", capability="copy", parse=_ok)
    assert (caught.value.code, caught.value.retryable) == ("provider_bad_response", False)
    assert caught.value.message == "fake answered more than 1000 bytes."
    call = ProviderCall.objects.get()
    assert (call.ok, call.error) == (False, "fake answered more than 1000 bytes.")


def test_an_absolute_url_must_stay_on_the_providers_origin(fake, settings):
    client = _client(fake, settings)
    assert client.url(fake.base_url + "/requests/1") == fake.base_url + "/requests/1"
    with pytest.raises(ProviderError):
        client.url("http://169.254.169.254/latest/meta-data")


def test_the_auth_header_follows_the_providers_scheme(fake, settings):
    fake.replies["/v1/thing"] = [Reply(200, {"ok": "yes"})]
    _client(fake, settings, auth_header=("x-goog-api-key", "{key}")).call(
        "POST", "/thing", capability="copy", parse=_ok)
    _client(fake, settings, api_key="").call("POST", "/thing", capability="copy", parse=_ok)
    assert fake.seen[0].headers["x-goog-api-key"] == "sk-test"
    assert "authorization" not in fake.seen[0].headers
    assert "authorization" not in fake.seen[1].headers
