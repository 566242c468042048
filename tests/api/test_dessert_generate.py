"""POST /v1/ads/generate: the reference's example bodies verbatim, and every documented error
leaving the balance, the jobs and the ledger as they were."""

from __future__ import annotations

import pytest

from billing.services.recharge import RechargeOutcome
from brands.models import Brand
from generations.models import Job, Surface
from tests.api.conftest import state

# The reference's curl / Python / TypeScript body, byte for byte the same JSON.
EXAMPLE = {
    "count": 3,
    "format": "full",
    "creative": {
        "copy_angle": "sensory",
        "brand_tone": "clinical authority",
        "animation_prompts": ["Serum Droplets", "Lotion Texture"],
    },
    "webhook_url": "https://yourapp.com/dessert-callback",
}
CURL_BODY = b"""{
    "count": 3,
    "format": "full",
    "creative": {
      "copy_angle": "sensory",
      "brand_tone": "clinical authority",
      "animation_prompts": ["Serum Droplets", "Lotion Texture"]
    },
    "webhook_url": "https://yourapp.com/dessert-callback"
  }"""


def test_the_curl_example_is_accepted_with_the_documented_202(api, workspace, ready_brand,
                                                               funded):
    response = api.post("/v1/ads/generate", raw=CURL_BODY)

    assert response.status_code == 202
    body = response.json()
    job = Job.objects.get(workspace=workspace)
    assert body == {
        "delivery_id": job.public_id, "status": "queued", "request_id": job.request_id,
        "ad_count_expected": 3, "format": "full", "credits_charged": 45,
        "credits_balance_after": 205,
        "status_url": f"http://testserver/v1/deliveries/{job.public_id}", "eta_seconds": 480,
    }
    assert response["X-Request-Id"] == job.request_id
    assert job.surface == Surface.DESSERT
    assert job.webhook_url == "https://yourapp.com/dessert-callback"
    assert job.request["copy_angle"] == "sensory"
    assert job.request["brand_tone"] == "clinical authority"
    assert job.request["animation_prompts"] == ["Serum Droplets", "Lotion Texture"]
    assert job.request["brand_id"] == ready_brand.pk
    funded.refresh_from_db()
    assert funded.balance == 205


def test_the_python_example_with_its_idempotency_key_replays(api, workspace, ready_brand,
                                                             funded):
    headers = {"Idempotency-Key": "campaign-q2-2026-batch-01"}
    first = api.post("/v1/ads/generate", EXAMPLE, headers=headers)

    again = api.post("/v1/ads/generate", EXAMPLE, headers=headers)

    assert first.status_code == again.status_code == 202
    assert "replayed_from_idempotency_key" not in first.json()
    assert again.json() == {**first.json(), "replayed_from_idempotency_key": True}
    assert Job.objects.filter(workspace=workspace).count() == 1
    funded.refresh_from_db()
    assert funded.balance == 205


def test_an_empty_body_uses_every_default(api, workspace, ready_brand, funded):
    response = api.post("/v1/ads/generate", {})

    assert response.status_code == 202
    assert response.json()["ad_count_expected"] == 1
    assert response.json()["format"] == "full"
    assert response.json()["credits_charged"] == 15
    job = Job.objects.get(workspace=workspace)
    assert job.request["in_situ"] is False
    assert job.request["sizes"] == ["9:16", "4:5"]
    assert job.webhook_url == ""


def test_static_format_product_ids_and_in_situ(api, workspace, ready_brand, funded):
    product = ready_brand.products.get()
    response = api.post("/v1/ads/generate", {
        "count": 2, "format": "static", "brand_id": str(ready_brand.pk),
        "product_ids": [str(product.pk)], "in_situ": True,
        "creative": {"style_search": "warm honey drip on amber, minimal, slow"}})

    assert response.status_code == 202
    assert response.json()["eta_seconds"] == 180
    assert response.json()["credits_charged"] == 2 * 5 + 2 * 8
    job = Job.objects.get(workspace=workspace)
    assert job.request["product_ids"] == [product.pk]
    assert job.request["style_search"] == "warm honey drip on amber, minimal, slow"


@pytest.mark.parametrize(("body", "code"), [
    ({"count": 0}, "invalid_count"),
    ({"count": -2}, "invalid_count"),
    ({"count": "three"}, "invalid_count"),
    ({"count": 2.5}, "invalid_count"),
    ({"count": True}, "invalid_count"),
    ({"count": 11}, "invalid_count"),
    ({"format": "gif"}, "invalid_format"),
    ({"format": 5}, "invalid_format"),
    ({"creative": {"copy_angle": "fear"}}, "invalid_copy_angle"),
    ({"creative": {"animation_prompts": ["No Such Prompt"]}}, "invalid_animation_prompt"),
    ({"creative": {"featured_styles": ["no-such-style"]}}, "invalid_featured_style"),
    ({"creative": "bold"}, "invalid_request"),
    ({"webhook_url": "ftp://example.com/hook"}, "invalid_webhook_url"),
    ({"webhook_url": "http://yourapp.com/hook"}, "invalid_webhook_url"),
    ({"product_ids": "1,2"}, "invalid_request"),
])
def test_bad_fields_are_400_with_their_code_and_change_nothing(api, workspace, ready_brand,
                                                               funded, body, code):
    before = state(workspace)

    response = api.post("/v1/ads/generate", body)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert set(response.json()["error"]) == {"code", "message", "doc_url", "request_id"}
    assert state(workspace) == before


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b"\"text\"", b"null"])
def test_a_body_that_is_not_a_json_object_is_400_not_500(api, workspace, ready_brand, funded,
                                                         raw):
    before = state(workspace)

    response = api.post("/v1/ads/generate", raw=raw)

    assert response.status_code == 400
    assert response.json()["error"]["code"] in {"invalid_json", "invalid_request"}
    assert state(workspace) == before


def test_a_form_body_is_415(api, workspace, ready_brand, funded):
    before = state(workspace)

    response = api.post("/v1/ads/generate", raw=b"count=3",
                        content_type="application/x-www-form-urlencoded")

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"
    assert state(workspace) == before


def test_no_brand_selected(api, workspace, funded):
    before = state(workspace)

    response = api.post("/v1/ads/generate", EXAMPLE)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "no_brand_selected"
    assert state(workspace) == before


def test_insufficient_credits_is_402_with_the_top_up_message(api, workspace, ready_brand):
    before = state(workspace)  # the 50-credit welcome bonus

    response = api.post("/v1/ads/generate", {"count": 4})

    assert response.status_code == 402
    error = response.json()["error"]
    assert error["code"] == "insufficient_credits"
    assert error["message"] == ("Balance 50 credits, need 60. Top up at "
                                "http://127.0.0.1:8000/billing/")
    assert state(workspace) == before


def test_insufficient_credits_after_a_failed_auto_recharge(api, workspace, ready_brand,
                                                           monkeypatch):
    attempts = []
    monkeypatch.setattr("billing.services.recharge.is_possible", lambda account: True)

    def declined(*, account_id, needed):
        attempts.append(needed)
        return RechargeOutcome(succeeded=False, error="card_declined")

    monkeypatch.setattr("billing.services.recharge.run_isolated", declined)
    before = state(workspace)

    response = api.post("/v1/ads/generate", {"count": 4})

    assert attempts == [60]
    assert response.status_code == 402
    assert response.json()["error"]["code"] == "insufficient_credits"
    assert state(workspace) == before


def test_another_workspaces_brand_is_brand_not_found(api, other_api, workspace, ready_brand,
                                                     funded):
    other_brand = Brand.objects.create(workspace_id=other_api_workspace_id(other_api),
                                       name="Globex", status=Brand.Status.READY)
    before = state(workspace)

    for brand_id in (str(other_brand.pk), "recNotOurs123456", "999999"):
        response = api.post("/v1/ads/generate", {"brand_id": brand_id})
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "brand_not_found"
    assert state(workspace) == before


def other_api_workspace_id(client) -> int:
    from api.keys import split_key
    from api.models import ApiKey

    return ApiKey.objects.get(lookup=split_key(client.key)[:12]).workspace_id


def test_a_brand_still_onboarding_is_425(api, workspace, ready_brand, funded):
    Brand.objects.filter(pk=ready_brand.pk).update(status=Brand.Status.ONBOARDING)
    before = state(workspace)

    response = api.post("/v1/ads/generate", EXAMPLE)

    assert response.status_code == 425
    assert response.json()["error"]["code"] == "brand_onboarding_in_progress"
    assert state(workspace) == before


def test_a_dead_broker_is_502_orchestration_failed(api, workspace, ready_brand, funded,
                                                   monkeypatch):
    from studio.celery import app

    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    monkeypatch.setattr(app.conf, "broker_write_url", "redis://127.0.0.1:1/0")
    before = state(workspace)

    response = api.post("/v1/ads/generate", EXAMPLE,
                        headers={"Idempotency-Key": "retry-me"})

    assert response.status_code == 502
    assert response.json()["error"]["code"] == "orchestration_failed"
    assert state(workspace) == before
    monkeypatch.undo()
    retried = api.post("/v1/ads/generate", EXAMPLE, headers={"Idempotency-Key": "retry-me"})
    assert retried.status_code == 202
    assert "replayed_from_idempotency_key" not in retried.json()


def test_a_key_without_generations_write_is_403_naming_the_scope(workspace, ready_brand,
                                                                 funded):
    from api.keys import api_key_create
    from tests.api.conftest import ApiClient

    reader = ApiClient(api_key_create(workspace=workspace, name="reader",
                                      scopes=["generations:read"]).plaintext)
    before = state(workspace)

    response = reader.post("/v1/ads/generate", EXAMPLE)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "insufficient_scope"
    assert "generations:write" in response.json()["error"]["message"]
    assert state(workspace) == before
