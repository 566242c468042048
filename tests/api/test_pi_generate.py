"""POST /api/v1/images/generations and its alias /api/v1/ads/generate: the reference's fields
verbatim, every documented limit at the boundary and just past it (nothing charged), Pi's
envelope, errors and headers, and the Dessert-shaped body the alias answers as Dessert."""

from __future__ import annotations

import re
import time

import pytest

from api.keys import api_key_create
from billing import services as ledger
from billing.services import account_for_workspace
from generations.models import Job, Surface
from tests.api.conftest import ApiClient, state

GENERATE = "/api/v1/images/generations"
ALIAS = "/api/v1/ads/generate"
# The reference's fields, with the `output` sub-fields every one of its examples uses.
EXAMPLE = {
    "prompt": "Launch ad for our vitamin C serum for women 25-40: bright, confident, premium. "
              "Headline in English with a clear call to action.",
    "output": {"aspect_ratio": "4:5", "resolution": "1K", "thinking_intensity": "high"},
    "client_reference_id": "campaign-42/ad-7",
    "metadata": {"campaign": "summer-launch", "agent": "planner-v2"},
}
REQUEST_ID = re.compile(r"^req_pi_[0-9a-f]{32}$")


@pytest.mark.parametrize("path", [GENERATE, ALIAS])
def test_the_example_is_queued_with_the_documented_202(api, workspace, ready_brand, funded,
                                                       path):
    response = api.post(path, EXAMPLE)

    assert response.status_code == 202
    body = response.json()
    job = Job.objects.get(workspace=workspace)
    assert body == {"id": body["id"], "object": "job", "status": "queued",
                    "created_at": int(job.created_at.timestamp()),
                    "data": {"job_id": job.public_id}, "error": None}
    assert REQUEST_ID.match(body["id"])
    assert response["X-Request-Id"] == body["id"] == job.request_id
    assert {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} <= set(
        response.headers)
    assert job.surface == Surface.OPENAI
    assert job.format == "static" and job.count == 1
    assert job.request["sizes"] == ["4:5"]
    assert job.request["prompt"] == EXAMPLE["prompt"]
    assert job.request["extra"]["output"] == EXAMPLE["output"]
    assert job.correlation_id == "campaign-42/ad-7"
    assert job.metadata == EXAMPLE["metadata"]
    funded.refresh_from_db()
    assert funded.balance == 245


def test_the_minimal_body_is_one_square_ad(api, workspace, ready_brand, funded):
    response = api.post(GENERATE, {"prompt": "An ad"})

    assert response.status_code == 202
    job = Job.objects.get(workspace=workspace)
    assert job.request["sizes"] == ["1:1"]
    assert job.correlation_id == "" and job.metadata == {}


def test_unknown_output_sub_fields_are_ignored(api, workspace, ready_brand, funded):
    response = api.post(GENERATE, {"prompt": "An ad", "output": {"aspect_ratio": "9:16",
                                                                 "camera": "35mm"}})

    assert response.status_code == 202
    assert Job.objects.get(workspace=workspace).request["sizes"] == ["9:16"]


def test_the_same_idempotency_key_replays_and_a_changed_body_is_409(api, workspace,
                                                                     ready_brand, funded):
    headers = {"Idempotency-Key": "agent-run-17"}
    first = api.post(GENERATE, EXAMPLE, headers=headers)
    again = api.post(GENERATE, EXAMPLE, headers=headers)
    before = state(workspace)

    changed = api.post(GENERATE, {**EXAMPLE, "prompt": "Another ad"}, headers=headers)

    assert first.status_code == again.status_code == 202
    assert again.json() == first.json()
    assert changed.status_code == 409
    assert changed.json()["error"]["code"] == "idempotency_key_mismatch"
    assert changed.json()["error"]["type"] == "idempotency_error"
    assert state(workspace) == before
    assert before["jobs"] == 1


# -- documented limits: the boundary is accepted, one past it is 422 and charges nothing --------
LIMITS = [
    ("prompt", {"prompt": "x" * 5000}, {"prompt": "x" * 5001}, "prompt_too_long"),
    ("client_reference_id", {"client_reference_id": "c" * 200},
     {"client_reference_id": "c" * 201}, "client_reference_id_too_long"),
    ("metadata", {"metadata": {f"k{i}": "v" for i in range(16)}},
     {"metadata": {f"k{i}": "v" for i in range(17)}}, "too_many_metadata_keys"),
    ("metadata.k", {"metadata": {"k": "v" * 500}}, {"metadata": {"k": "v" * 501}},
     "metadata_value_too_long"),
    ("n", {"n": 10, "response_format": "url"}, {"n": 11}, "invalid_n"),
]


@pytest.mark.parametrize(("param", "at_limit", "past_limit", "code"), LIMITS,
                         ids=[limit[0] for limit in LIMITS])
def test_each_documented_limit_at_and_past_the_boundary(api, workspace, ready_brand, funded,
                                                        param, at_limit, past_limit, code):
    before = state(workspace)

    refused = api.post(GENERATE, {"prompt": "An ad", **past_limit})

    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == code
    assert error["type"] == "invalid_request_error"
    assert error["param"] == param
    assert REQUEST_ID.match(error["request_id"])
    assert state(workspace) == before

    accepted = api.post(GENERATE, {"prompt": "An ad", **at_limit})

    assert accepted.status_code == 202
    assert state(workspace)["jobs"] == before["jobs"] + 1


@pytest.mark.parametrize(("body", "status", "code"), [
    ({}, 400, "parameter_missing"),
    ({"prompt": ""}, 400, "parameter_missing"),
    ({"prompt": "   "}, 400, "parameter_missing"),
    ({"prompt": None}, 400, "parameter_missing"),
    ({"prompt": "An ad", "metadata": "campaign"}, 400, "parameter_invalid_type"),
    ({"prompt": "An ad", "metadata": {"k": {"nested": 1}}}, 400, "parameter_invalid_type"),
    ({"prompt": "An ad", "reference_images": "https://x.test/a.png"}, 400,
     "parameter_invalid_type"),
    ({"prompt": "An ad", "output": "4:5"}, 400, "parameter_invalid_type"),
    ({"prompt": "An ad", "output": {"aspect_ratio": "3:2"}}, 422, "unsupported_aspect_ratio"),
    ({"prompt": "An ad", "size": "huge"}, 422, "unsupported_size"),
    ({"prompt": "An ad", "n": 0}, 422, "invalid_n"),
    ({"prompt": "An ad", "response_format": "png"}, 422, "parameter_invalid"),
    ({"prompt": "An ad", "brand_id": "999999"}, 404, "brand_not_found"),
    ({"prompt": "An ad", "brand_id": "not-a-brand"}, 404, "brand_not_found"),
    ({"prompt": "An ad", "brand_identity_json": {"tagline": "no name"}}, 400,
     "invalid_brand_json"),
])
def test_bad_bodies_get_their_status_and_code_and_change_nothing(api, workspace, ready_brand,
                                                                 funded, body, status, code):
    before = state(workspace)

    response = api.post(GENERATE, body)

    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert set(response.json()["error"]) >= {"type", "code", "message", "request_id"}
    assert state(workspace) == before


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b"null"])
def test_a_body_that_is_not_a_json_object_is_400(api, workspace, ready_brand, funded, raw):
    before = state(workspace)

    response = api.post(GENERATE, raw=raw)

    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"
    assert state(workspace) == before


def _spend_everything(workspace) -> None:
    account = account_for_workspace(workspace)
    ledger.debit(account=account, credits=account.balance, reference="test-spend",
                 memo="spent elsewhere")


def test_out_of_credits_is_402_and_nothing_is_queued(api, workspace, ready_brand):
    _spend_everything(workspace)
    before = state(workspace)

    response = api.post(GENERATE, {"prompt": "An ad"})

    assert response.status_code == 402
    assert response.json()["error"]["code"] == "insufficient_credits"
    assert state(workspace) == before


def test_an_inline_brand_is_used_and_a_refused_submit_leaves_no_brand(api, workspace,
                                                                     ready_brand, funded):
    inline = {"name": "Noir Roast", "colors": {"primary": "#C8A165"},
              "fonts": {"heading": "Playfair Display", "body": "DM Sans"}}
    response = api.post(GENERATE, {"prompt": "Coffee ad", "brand_identity_json": inline})

    assert response.status_code == 202
    job = Job.objects.get(workspace=workspace)
    assert job.brand.name == "Noir Roast"
    assert job.brand.color_primary == "#c8a165"

    brands = workspace.brands.count()
    refused = api.post(GENERATE, {"prompt": "Coffee ad", "brand_identity_json": inline,
                                  "output": {"aspect_ratio": "4:5"}, "n": 100})
    assert refused.status_code == 422
    _spend_everything(workspace)
    broke = api.post(GENERATE, {"prompt": "Coffee ad", "brand_identity_json": inline})
    assert broke.status_code == 402
    assert workspace.brands.count() == brands


def test_a_stored_brand_by_id(api, workspace, ready_brand, funded):
    response = api.post(ALIAS, {"prompt": "An ad", "brand_id": str(ready_brand.pk)})

    assert response.status_code == 202
    assert Job.objects.get(workspace=workspace).brand == ready_brand


def test_openai_size_picks_the_nearest_aspect_and_n_the_count(api, workspace, ready_brand,
                                                              funded):
    response = api.post(GENERATE, {"prompt": "An ad", "size": "1024x1792", "n": 2,
                                   "model": "gpt-image-1", "quality": "hd"})

    # No worker runs here, so the wait ends at its limit with the job to poll.
    assert response.status_code == 202
    assert response.json()["data"]["job_id"]
    job = Job.objects.get(workspace=workspace)
    assert job.request["sizes"] == ["9:16"]
    assert job.count == 2 and job.credits_charged == 10
    assert job.request["extra"]["model"] == "gpt-image-1"


def test_prefer_respond_async_queues_even_with_openai_fields(api, workspace, ready_brand,
                                                             funded, monkeypatch):
    def never(**kwargs):
        raise AssertionError("an async request must not wait for its job")

    monkeypatch.setattr("api.surfaces.pi.views.job_wait", never)

    response = api.post(GENERATE, {"prompt": "An ad", "response_format": "b64_json"},
                        headers={"Prefer": "respond-async"})

    assert response.status_code == 202
    assert response.json()["status"] == "queued"


def test_a_pi_body_queues_and_an_openai_sdk_request_waits(api, workspace, ready_brand, funded,
                                                          monkeypatch):
    waited = []

    def wait(**kwargs):
        waited.append(kwargs["public_id"])
        return Job.objects.get(public_id=kwargs["public_id"])

    monkeypatch.setattr("api.surfaces.pi.views.job_wait", wait)

    plain = api.post(GENERATE, {"prompt": "An ad"})
    sdk = api.post(GENERATE, {"prompt": "An ad"}, headers={"X-Stainless-Lang": "python"})

    assert plain.status_code == sdk.status_code == 202  # no worker here: still queued
    assert waited == [sdk.json()["data"]["job_id"]]


# -- authentication, rate limits, unknown paths -----------------------------------------------
def test_no_key_is_401_missing_authorization_header(db):
    response = ApiClient(None).post(GENERATE, {"prompt": "An ad"})

    assert response.status_code == 401
    assert response.json()["error"] == {
        "type": "authentication_error", "code": "missing_authorization_header",
        "message": "Missing Authorization header. Use Bearer <api_key>.",
        "request_id": response["X-Request-Id"]}
    assert REQUEST_ID.match(response["X-Request-Id"])


@pytest.mark.parametrize("key", ["pi_live_" + "0" * 40, "not-a-key", "Basic abc"])
def test_a_bad_or_malformed_key_is_401_invalid_api_key(db, key):
    client = ApiClient(None)

    response = client.client.post(GENERATE, "{}", content_type="application/json",
                                  headers={"Authorization": f"Bearer {key}"})

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"


def test_the_rate_limit_is_429_rate_limit_exceeded(workspace, owner, ready_brand, funded):
    key = api_key_create(workspace=workspace, name="slow", rate_limit_per_minute=1)
    client = ApiClient(key.plaintext)

    first = client.get("/api/v1/brands")
    second = client.post(GENERATE, {"prompt": "An ad"})

    assert first["X-RateLimit-Limit"] == "1"
    assert first["X-RateLimit-Remaining"] == "0"
    assert 0 < int(first["X-RateLimit-Reset"]) - time.time() <= 61
    assert second.status_code == 429
    assert second.json()["error"]["code"] == "rate_limit_exceeded"
    assert second.json()["error"]["type"] == "rate_limit_error"
    assert int(second["Retry-After"]) >= 1
    assert Job.objects.filter(workspace=workspace).count() == 0


def test_an_unknown_path_is_a_404_in_pis_envelope(api, db):
    response = api.get("/api/v1/no/such/thing")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert response.json()["error"]["type"] == "invalid_request_error"
    assert REQUEST_ID.match(response.json()["error"]["request_id"])


# -- the alias answers a Dessert-shaped body as Dessert ----------------------------------------
def test_a_dessert_shaped_body_on_the_alias_is_answered_as_dessert(api, workspace,
                                                                   ready_brand, funded):
    response = api.post(ALIAS, {"count": 2, "format": "static",
                                "creative": {"copy_angle": "sensory"}})

    assert response.status_code == 202
    body = response.json()
    job = Job.objects.get(workspace=workspace)
    assert body["delivery_id"] == job.public_id
    assert body["credits_charged"] == 10
    assert job.surface == Surface.DESSERT


def test_a_dessert_shaped_error_is_in_dessert_envelope(api, workspace, ready_brand, funded):
    before = state(workspace)

    response = api.post(ALIAS, {"count": 0})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_count"
    assert "doc_url" in response.json()["error"]
    assert state(workspace) == before
