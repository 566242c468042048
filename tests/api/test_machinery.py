"""What every surface shares: bearer keys, scopes, rate limits, request ids, body limits."""

from __future__ import annotations

import pytest

from api.keys import api_key_create, api_key_revoke
from api.models import ApiKey
from tests.api.conftest import ApiClient, state


@pytest.mark.parametrize(("header", "code"), [
    (None, "missing_authorization"),
    ("", "missing_authorization"),
    ("Token dsrt_live_" + "a" * 40, "invalid_authorization_scheme"),
    ("Basic dXNlcjpwYXNz", "invalid_authorization_scheme"),
    ("Bearer", "invalid_authorization_scheme"),
    ("Bearer abc123", "invalid_key_format"),
    ("Bearer dsrt_live_not-hex-at-all-zzzzzzzzzzzzzzzzzzzzzzzz", "invalid_key_format"),
    ("Bearer dsrt_test_" + "a" * 40, "invalid_key_format"),
    # Dessert's documentation example: 32 hex characters, well-formed but unknown.
    ("Bearer dsrt_live_" + "0123456789abcdef" * 2, "invalid_api_key"),
    ("Bearer dsrt_live_" + "f" * 40, "invalid_api_key"),
])
def test_the_four_401_codes(db, header, code):
    headers = {"Authorization": header} if header is not None else {}

    response = ApiClient(None).get("/v1/balance", headers=headers)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == code
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_key_is_invalid_at_once(api, api_key, workspace, ready_brand, funded):
    assert api.get("/v1/balance").status_code == 200
    api_key_revoke(api_key=api_key.api_key)
    before = state(workspace)

    response = api.post("/v1/ads/generate", {})

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"
    assert state(workspace) == before


def test_a_key_with_a_wrong_secret_but_a_real_lookup_is_refused(api_key, db):
    secret = api_key.plaintext.removeprefix("dsrt_live_")
    forged = "dsrt_live_" + secret[:12] + "0" * 28

    response = ApiClient(forged).get("/v1/balance")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"


@pytest.mark.parametrize("prefix", ["dsrt_live_", "sk_live_", "vt_live_", "pi_live_", "inf_"])
def test_one_key_works_with_every_display_prefix(api_key, prefix):
    secret = api_key.plaintext.removeprefix("dsrt_live_")

    response = ApiClient(prefix + secret).get("/v1/balance")

    assert response.status_code == 200


def test_only_a_hash_is_stored_and_last_use_is_recorded(api, api_key):
    row = ApiKey.objects.get(pk=api_key.api_key.pk)
    secret = api_key.plaintext.removeprefix("dsrt_live_")
    assert api_key.plaintext.startswith("dsrt_live_")
    assert len(secret) == 40
    assert row.hashed_key.startswith("sha512$$")
    assert secret not in row.hashed_key
    assert row.last_four == secret[-4:]
    assert row.display == f"dsrt_live_{secret[:12]}…{secret[-4:]}"
    assert row.last_used_at is None

    api.get("/v1/balance")

    row.refresh_from_db()
    assert row.last_used_at is not None


def test_rate_limit_answers_429_with_retry_after_and_charges_nothing(workspace, ready_brand,
                                                                     funded):
    created = api_key_create(workspace=workspace, name="slow", rate_limit_per_minute=2)
    client = ApiClient(created.plaintext)

    first = client.get("/v1/balance")
    second = client.post("/v1/ads/generate", {"format": "static"})
    before = state(workspace)
    third = client.post("/v1/ads/generate", {"format": "static"})

    assert first["X-RateLimit-Limit"] == "2"
    assert first["X-RateLimit-Remaining"] == "1"
    assert second.status_code == 202
    assert second["X-RateLimit-Remaining"] == "0"
    assert third.status_code == 429
    assert third.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(third["Retry-After"]) <= 60
    assert third["X-RateLimit-Remaining"] == "0"
    assert int(third["X-RateLimit-Reset"]) == int(third["Retry-After"])
    assert state(workspace) == before


def test_rate_limits_are_per_key(workspace):
    slow = ApiClient(api_key_create(workspace=workspace, name="a",
                                    rate_limit_per_minute=1).plaintext)
    other = ApiClient(api_key_create(workspace=workspace, name="b",
                                     rate_limit_per_minute=1).plaintext)

    assert slow.get("/v1/balance").status_code == 200
    assert slow.get("/v1/balance").status_code == 429
    assert other.get("/v1/balance").status_code == 200


@pytest.fixture
def redis_cache(settings):
    """The production cache: Redis (the broker's server and database, a key prefix of its
    own), emptied of this test's keys after."""
    import os
    import uuid

    from django.core.cache import caches

    prefix = f"test-rate-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0"),
        "KEY_PREFIX": prefix}}
    cache = caches["default"]
    yield cache
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


def test_rate_limit_counts_in_redis_and_the_window_expires(workspace, redis_cache):
    import time

    created = api_key_create(workspace=workspace, name="redis", rate_limit_per_minute=2)
    client = ApiClient(created.plaintext)

    answers = [client.get("/v1/balance") for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert [a["X-RateLimit-Remaining"] for a in answers] == ["1", "0", "0"]
    window = int(time.time() // 60) * 60
    counter = redis_cache.make_and_validate_key(f"api:rate:{created.api_key.pk}:{window}")
    raw = redis_cache._cache.get_client(counter)
    if raw.exists(counter):  # the minute may have turned between the requests and here
        assert int(raw.get(counter)) == 3
        assert 0 < raw.ttl(counter) <= 65
        assert redis_cache.get(f"api:rate:{created.api_key.pk}:{window}") == 3


def test_every_response_carries_a_request_id_and_errors_repeat_it(api, client, db):
    page = client.get("/healthz")
    ok = api.get("/v1/balance")
    error = api.get("/v1/deliveries/recNope")
    echoed = api.get("/v1/balance", headers={"X-Request-Id": "trace-1234-abcd"})
    unsafe = api.get("/v1/balance", headers={"X-Request-Id": "<script>"})

    assert page["X-Request-Id"].startswith("req_")
    assert ok["X-Request-Id"].startswith("req_")
    assert error.json()["error"]["request_id"] == error["X-Request-Id"]
    assert echoed["X-Request-Id"] == "trace-1234-abcd"
    assert unsafe["X-Request-Id"].startswith("req_")
    assert len({page["X-Request-Id"], ok["X-Request-Id"], error["X-Request-Id"]}) == 3


def test_a_body_over_the_limit_is_413_and_changes_nothing(api, workspace, ready_brand, funded,
                                                          settings):
    settings.API_MAX_BODY_BYTES = 200
    before = state(workspace)

    response = api.post("/v1/ads/generate", {"creative": {"brand_tone": "x" * 300}})

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert state(workspace) == before


def test_a_wrong_method_is_405_in_the_envelope(api, db):
    response = api.client.delete("/v1/balance", headers=api._headers(None))

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_an_unknown_path_is_a_json_404(db):
    response = ApiClient(None).get("/v1/campaigns")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_an_unexpected_failure_is_a_500_envelope_not_a_page(api, db, monkeypatch):
    def explode(workspace):
        raise RuntimeError("database on fire")

    monkeypatch.setattr("api.surfaces.dessert.views.balance_summary", explode)

    response = api.get("/v1/balance")

    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert "fire" not in response.json()["error"]["message"]


def test_unknown_scopes_are_refused_at_creation(workspace):
    from studio.exceptions import InvalidInput

    with pytest.raises(InvalidInput) as refused:
        api_key_create(workspace=workspace, name="x", scopes=["everything"])

    assert refused.value.code == "invalid_scope"
    assert ApiKey.objects.count() == 0
