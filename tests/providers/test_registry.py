"""The model registry: which implementation serves each id, what models endpoints may list,
and the clear 4xx each surface gives for an id only an absent provider serves."""

from __future__ import annotations

import pytest

from billing import pricing
from generations.providers import base, registry
from generations.providers.base import ModelUnavailable
from tests.api.conftest import state
from tests.providers.fakes import provider_settings

pytestmark = pytest.mark.django_db


def test_reference_aliases_are_served_locally_without_a_provider():
    assert registry.resolve("nano-banana-2", base.IMAGE_GENERATE) == registry.Resolution(
        model_id="nano-banana-2", capability=base.IMAGE_GENERATE, served_by="local-image")
    assert registry.resolve("kling-v3-pro", base.IMAGE_TO_VIDEO).served_by == "local-motion"
    assert registry.resolve("veo", base.IMAGE_TO_VIDEO).served_by == "local-transition"
    assert registry.resolve("local-image", base.IMAGE_GENERATE).provider is None


def test_provider_only_ids_are_refused_with_the_reason():
    with pytest.raises(ModelUnavailable) as caught:
        registry.resolve("gpt-image-1", base.IMAGE_GENERATE)
    assert (caught.value.status, caught.value.code, caught.value.field) == (
        400, "model_unavailable", "model")
    assert caught.value.message == ("The model 'gpt-image-1' is not available: its provider "
                                    "is not configured on this server.")
    assert caught.value.details == {"model": "gpt-image-1", "provider": "openai_images"}
    with pytest.raises(ModelUnavailable) as unknown:
        registry.resolve("dall-e-9", base.IMAGE_GENERATE)
    assert unknown.value.code == "unknown_model"
    assert registry.unavailable("dall-e-9") is None
    assert registry.unavailable("nano-banana-2") is None
    assert registry.unavailable("hosted-video").code == "model_unavailable"


def test_available_models_lists_local_models_then_routed_ids():
    models = {m["id"]: m for m in registry.available_models(kind="image")}
    assert list(models) == ["local-image", "nano-banana-2", "gemini-2.5-flash-image",
                            "gpt-image-1"]
    assert (models["local-image"]["available"], models["local-image"]["provider"]) == (
        True, "local")
    assert (models["nano-banana-2"]["available"], models["nano-banana-2"]["servedBy"],
            models["nano-banana-2"]["provider"]) == (True, "local-image", "local")
    assert models["nano-banana-2"]["creditsCost"] == pricing.IMAGE_MODEL_CREDITS["local-image"]
    gpt = models["gpt-image-1"]
    assert (gpt["available"], gpt["provider"], gpt["servedBy"]) == (False, "openai_images", "")
    assert gpt["unavailableReason"] == "its provider is not configured on this server"
    assert gpt["creditsCost"] == pricing.IMAGE_MODEL_CREDITS["gpt-image-1"]
    videos = [m["id"] for m in registry.available_models(kind="video")]
    assert videos == ["local-motion", "local-transition", "kling-v3-pro", "veo", "hosted-video"]


def test_a_paid_provider_is_off_for_a_workspace_that_forbids_it(settings, workspace):
    settings.PROVIDERS = {**settings.PROVIDERS, "moderation": provider_settings(
        "http://127.0.0.1:9/v1", name="moderation")}
    assert registry.moderator(workspace=workspace) is not None
    workspace.allow_paid_providers = False
    assert registry.moderator(workspace=workspace) is None


def test_adcreator_refuses_a_provider_only_model_in_its_envelope(api, workspace, ready_brand,
                                                                 funded):
    before = state(workspace)
    response = api.post("/api/platform/generate", {
        "prompt": "A serum bottle on wet stone", "modelId": "gpt-image-1"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "model_unavailable"
    assert body["error"] == ("The model 'gpt-image-1' is not available: its provider is not "
                             "configured on this server.")
    assert state(workspace) == before
    video = api.post("/api/platform/videos", {
        "sourceGenerationId": "gen_missing", "prompt": "Slow push in on the bottle",
        "modelId": "hosted-video", "durationSeconds": 5})
    assert video.status_code == 400
    assert video.json()["code"] == "model_unavailable"
    assert state(workspace) == before
