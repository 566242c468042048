"""adcreator reads: credits, models, video models and styles, with prices from the one price
table; the surface's error body for a missing key and an unknown path."""

from __future__ import annotations

from billing import pricing
from billing import services as ledger
from generations import catalogue


def test_credits_has_the_documented_fields(api, workspace, funded):
    ledger.debit(account=funded, credits=8, reference="spend-1", memo="spent")

    response = api.get("/api/platform/credits")

    assert response.status_code == 200
    assert response.json() == {"balance": 242, "lifetimePurchased": 0, "lifetimeUsed": 8,
                               "unlimited": False}


def test_models_lists_the_local_image_model_priced_from_the_price_table(api, db):
    response = api.get("/api/platform/models")

    assert response.status_code == 200
    body = response.json()
    assert body["models"] == [{
        "id": "local-image", "displayName": "Studio Local Renderer",
        "creditsCost": pricing.IMAGE_MODEL_CREDITS["local-image"], "estimatedSeconds": 1,
        "supportsImageInput": True, "maxWidth": 2048, "maxHeight": 2048}]
    assert body["aspectRatios"] == [
        {"id": "9:16", "label": "Story", "width": 1080, "height": 1920},
        {"id": "4:5", "label": "Portrait", "width": 1080, "height": 1350},
        {"id": "1:1", "label": "Square", "width": 1080, "height": 1080},
        {"id": "16:9", "label": "Landscape", "width": 1920, "height": 1080},
    ]


def test_video_models_lists_what_animates_an_image_with_credits_per_duration(api, db):
    response = api.get("/api/platform/video-models")

    assert response.status_code == 200
    models = response.json()["models"]
    # local-transition needs a first and a last frame: POST /videos cannot drive it.
    assert [m["id"] for m in models] == ["local-motion"]
    motion = models[0]
    assert motion["durations"] == [2, 4, 6, 8, 10, 15]
    per_second = pricing.VIDEO_MODEL_CREDITS_PER_SECOND["local-motion"]
    assert motion["credits"] == {str(s): per_second * s for s in (2, 4, 6, 8, 10, 15)}
    assert motion["creditsPerSecond"] == per_second
    assert motion["supportsAudio"] is True
    assert motion["supportsNegativePrompt"] is False
    assert motion["supportsCfgScale"] is False


def test_styles_lists_every_preset_with_its_prompt_suffix(api, db):
    response = api.get("/api/platform/styles")

    assert response.status_code == 200
    styles = response.json()["styles"]
    assert len(styles) == len(catalogue.styles())
    assert styles[0] == {"id": "soft-gradient", "displayName": "Soft Gradient",
                         "category": "clean",
                         "promptSuffix": "soft pastel gradient backdrop, clean studio light"}
    assert all(set(style) == {"id", "displayName", "category", "promptSuffix"}
               for style in styles)


def test_a_request_without_a_key_is_401_in_the_surface_body(client, db):
    response = client.get("/api/platform/credits")

    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"error", "code", "requestId"}
    assert body["requestId"] == response["X-Request-Id"]


def test_an_unknown_path_is_a_json_404(api, db):
    response = api.get("/api/platform/nothing-here")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
