"""videotok with providers: GET /models lists what is served now, a model whose provider is off
is a 400 in videotok's envelope with nothing charged, and ``veo`` first-frame/last-frame goes to
the hosted video queue when it is configured."""

from __future__ import annotations

import base64

import pytest

from billing import pricing
from billing.services import account_for_workspace
from generations.models import Job, ProviderCall
from tests.api.test_videotok_generations import GENERATIONS, IMAGES, MODEL_IMAGE, MODEL_VIDEO

pytestmark = pytest.mark.django_db


def _ai_models(api) -> dict:
    return {m["slug"]: m for m in api.get("/api/v1/models").json()["ai_models"]}


def test_without_providers_the_reference_slugs_are_aliases_of_the_local_models(api):
    models = _ai_models(api)
    assert set(models) == {"local-image", "local-transition"}
    assert models["local-transition"]["aliases"] == ["veo"]


def test_configured_providers_list_their_models_with_their_durations(api, openai_images, fal):
    models = _ai_models(api)
    assert set(models) == {"local-image", "local-transition", "gpt-image-1", "veo"}
    assert models["local-transition"]["aliases"] == []
    veo = models["veo"]["variants"][0]
    assert (veo["id"], veo["durations"]) == ("first-frame-last-frame", [4, 6, 8])
    assert veo["estimated_credits"] == {"4": 32, "6": 48, "8": 64}
    assert models["gpt-image-1"]["variants"][0]["estimated_credits"] == {"1K": 4}


def test_an_unavailable_model_is_400_in_videotok_envelope_and_charges_nothing(api, workspace,
                                                                            kit, funded):
    response = api.post(GENERATIONS, {**MODEL_IMAGE, "model_slug": "gpt-image-1"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "bad_request"
    assert error["message"] == ("The model 'gpt-image-1' is not available: its provider is "
                                "not configured on this server.")
    assert error["retryable"] is False
    assert error["context"]["reason"] == "model_unavailable"
    assert error["context"]["field"] == "model_slug"
    assert account_for_workspace(workspace).balance == 250
    assert not Job.objects.filter(workspace=workspace).exists()


def test_veo_first_and_last_frame_are_animated_by_the_hosted_queue(
        api, workspace, kit, funded, eager, fetched, fal, polls,
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(GENERATIONS, MODEL_VIDEO)
    assert response.status_code == 202, response.json()
    price = pricing.price_for(kind="video", model="veo", duration_seconds=8)
    assert response.json()["credits_deducted"] == price == 64
    body = api.get(f"{GENERATIONS}/{response.json()['generation_id']}").json()
    assert body["status"] == "completed", body["error"]
    assert (body["model_slug"], body["variant_id"]) == ("veo", "first-frame-last-frame")
    assert body["duration"] == 8.0
    submit = fal.requests[0].json()
    assert fal.requests[0].path == "/fal-ai/veo3.1/first-last-frame-to-video"
    assert (submit["duration"], submit["aspect_ratio"]) == ("8s", "9:16")
    first = base64.b64decode(submit["first_frame_url"].split(",", 1)[1])
    last = base64.b64decode(submit["last_frame_url"].split(",", 1)[1])
    assert (first, last) == (IMAGES[MODEL_VIDEO["reference_image_urls"][0]],
                             IMAGES[MODEL_VIDEO["reference_image_urls"][1]])
    job = Job.objects.get(workspace=workspace)
    assert ProviderCall.objects.filter(job=job, ok=True).count() == 5
    assert account_for_workspace(workspace).balance == 250 - 64


def test_a_veo_duration_the_model_does_not_make_is_refused(api, workspace, kit, funded, fal):
    response = api.post(GENERATIONS, {**MODEL_VIDEO, "duration": 5})
    assert response.status_code == 400
    assert response.json()["error"]["context"]["field"] == "duration"
    assert account_for_workspace(workspace).balance == 250


def test_a_workspace_that_forbids_paid_providers_gets_neither_list_nor_model(
        api, workspace, kit, funded, openai_images):
    workspace.allow_paid_providers = False
    workspace.save(update_fields=["allow_paid_providers"])
    assert "gpt-image-1" not in _ai_models(api)
    response = api.post(GENERATIONS, {**MODEL_IMAGE, "model_slug": "gpt-image-1"})
    assert response.status_code == 400
    assert "does not allow paid model providers" in response.json()["error"]["message"]
    assert account_for_workspace(workspace).balance == 250
    assert openai_images.requests == []
