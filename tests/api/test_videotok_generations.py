"""videotok POST/GET /api/v1/generations, GET models and assets: the reference's example bodies
verbatim through the eager pipeline (files checked), batches, idempotency, scopes, tenancy and
every error code of the envelope leaving balance, jobs and ledger as they were."""

from __future__ import annotations

import io
import threading
import uuid
from pathlib import Path

import av
import pytest
from django.db import connection
from PIL import Image

from api.keys import api_key_create
from api.models import Scope
from billing import pricing
from billing import services as ledger
from billing.services import account_for_workspace
from brands.scrape.http import FetchedResponse
from generations import pipeline
from generations.models import Asset, Job, JobStatus, Surface, Upload
from generations.render.samples import dropper_bottle
from tests.api.conftest import ApiClient, state

STATIC = {
    "type": "static_ad",
    "template_slug": "product-shoot",
    "prompt": "Premium ad for a collagen drink.",
    "aspect_ratio": "1:1",
    "resolution": "1K",
    "brand_kit_id": 42,
    "request_count": 1,
    "idempotency_key": "static-001",
}
VIDEO = {
    "type": "video_ad",
    "template_slug": "motion-graphics",
    "prompt": "A fast hook-driven launch ad for an AI note-taking app.",
    "aspect_ratio": "9:16",
    "duration": 8,
    "quality_tier": "high",
    "brand_kit_id": 42,
    "avatar_id": "avatar_123",
    "reference_image_urls": ["https://example.com/product.png"],
    "preset_id": "egor",
    "idempotency_key": "video-001",
}
UGC = {
    "type": "ugc_ad",
    "template_slug": "ugc-product-video",
    "prompt": "Natural creator testimonial for a skincare serum.",
    "aspect_ratio": "9:16",
    "duration": 8,
    "quality_tier": "high",
    "avatar_id": "avatar_123",
    "reference_image_urls": ["https://example.com/product.png"],
    "idempotency_key": "ugc-001",
}
MODEL_IMAGE = {
    "type": "ai_model",
    "model_slug": "nano-banana-2",
    "variant_id": "image",
    "prompt": "Minimal e-commerce hero image for white sneakers on concrete.",
    "aspect_ratio": "1:1",
    "resolution": "1K",
    "idempotency_key": "model-image-001",
}
MODEL_VIDEO = {
    "type": "ai_model",
    "model_slug": "veo",
    "variant_id": "first-frame-last-frame",
    "prompt": "A cinematic product reveal from packed box to final table setup.",
    "aspect_ratio": "9:16",
    "duration": 8,
    "reference_image_urls": [
        "https://example.com/first-frame.png",
        "https://example.com/last-frame.png",
    ],
    "idempotency_key": "model-video-001",
}
GENERATIONS = "/api/v1/generations"


def _png(colour) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 960), colour).save(buffer, "PNG")
    return buffer.getvalue()


IMAGES = {"https://example.com/product.png": dropper_bottle(),
          "https://example.com/first-frame.png": _png((200, 40, 40)),
          "https://example.com/last-frame.png": _png((40, 40, 200))}


@pytest.fixture
def fetched(monkeypatch):
    """The reference images videotok's examples point at, served by the SSRF-safe client's
    seam (the examples' example.com URLs are not on the internet in tests)."""
    import httpx

    calls: list[str] = []

    def safe_get(url, **kwargs):
        calls.append(url)
        if url not in IMAGES:
            return FetchedResponse(url=url, status=404, headers=httpx.Headers(), content=b"")
        return FetchedResponse(url=url, status=200, content=IMAGES[url],
                               headers=httpx.Headers({"content-type": "image/png"}))

    monkeypatch.setattr("generations.services.safe_get", safe_get)
    return calls


def _balance(workspace) -> int:
    return account_for_workspace(workspace).balance


def _job(generation_id: str) -> Job:
    return Job.objects.get(metadata__videotok__id=generation_id)


def _check_files(body: dict) -> None:
    """Every asset the generation lists is stored, with the size it states."""
    assert body["assets"]
    for shown in body["assets"]:
        asset = Asset.objects.get(public_id=shown["id"])
        with asset.file.open("rb") as fh:
            content = fh.read()
        assert shown["size_bytes"] == len(content) == asset.size_bytes > 1000
        if shown["type"] == "image":
            with Image.open(io.BytesIO(content)) as image:
                assert image.size == (shown["width"], shown["height"])


def _video(asset_url_body: dict) -> tuple[int, int, float]:
    video = next(a for a in asset_url_body["assets"] if a["type"] == "video")
    with Asset.objects.get(public_id=video["id"]).file.open("rb") as fh, \
            av.open(io.BytesIO(fh.read())) as container:
        stream = container.streams.video[0]
        return stream.width, stream.height, stream.frames / float(stream.average_rate)


def test_the_static_example_renders_a_1k_square_ad(api, workspace, kit, funded, eager,
                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(GENERATIONS, STATIC)

    assert response.status_code == 202
    accepted = response.json()
    job = _job(accepted["generation_id"])
    assert accepted == {"object": "generation", "status": "queued", "type": "static_ad",
                        "generation_id": accepted["generation_ids"][0],
                        "generation_ids": accepted["generation_ids"], "request_count": 1,
                        "credits_deducted": pricing.STATIC_AD_CREDITS,
                        "remaining_credits": 250 - pricing.STATIC_AD_CREDITS,
                        "aspect_ratio": "1:1"}
    assert uuid.UUID(accepted["generation_id"])
    assert job.surface == Surface.VIDEOTOK
    assert job.brand_id == 42
    assert job.request["prompt"] == "Premium ad for a collagen drink."
    body = api.get(f"{GENERATIONS}/{accepted['generation_id']}").json()
    assert body["status"] == "completed", body["error"]
    assert body["progress"] == 100
    assert body["template_slug"] == "product-shoot"
    assert body["brand_kit_id"] == 42
    assert body["error"] is None
    png = next(a for a in body["assets"] if a["mime_type"] == "image/png")
    assert (png["width"], png["height"]) == (1080, 1080)
    assert body["asset_url"] == png["url"]
    assert body["asset_url"].startswith("http")
    _check_files(body)
    assert _balance(workspace) == 250 - pricing.STATIC_AD_CREDITS


def test_the_veo_example_is_a_first_to_last_frame_clip(api, workspace, kit, funded, eager,
                                                       fetched,
                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(GENERATIONS, MODEL_VIDEO)

    assert response.status_code == 202, response.json()
    price = pricing.price_for(kind="video", model="local-transition", duration_seconds=8)
    assert response.json()["credits_deducted"] == price
    assert fetched == MODEL_VIDEO["reference_image_urls"]
    body = api.get(f"{GENERATIONS}/{response.json()['generation_id']}").json()
    assert body["status"] == "completed", body["error"]
    assert (body["model_slug"], body["variant_id"]) == ("local-transition",
                                                        "first-frame-last-frame")
    width, height, seconds = _video(body)
    assert (width, height) == (1080, 1920)
    assert seconds == pytest.approx(8, abs=0.05)
    assert body["duration"] == pytest.approx(8, abs=0.05)
    assert body["thumbnail_url"]
    _check_files(body)
    assert Upload.objects.filter(workspace=workspace).count() == 2
    assert _balance(workspace) == 250 - price


def test_the_image_model_example_is_a_priced_product_image(api, workspace, kit, funded, eager,
                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(GENERATIONS, MODEL_IMAGE)

    assert response.status_code == 202
    assert response.json()["credits_deducted"] == pricing.IMAGE_MODEL_CREDITS["local-image"]
    body = api.get(f"{GENERATIONS}/{response.json()['generation_id']}").json()
    assert body["status"] == "completed", body["error"]
    assert body["model_slug"] == "local-image"
    png = next(a for a in body["assets"] if a["mime_type"] == "image/png")
    assert (png["width"], png["height"]) == (1080, 1080)
    _check_files(body)


def test_the_video_example_names_an_avatar_this_studio_does_not_have(api, workspace, kit,
                                                                     funded, fetched):
    before = state(workspace)

    response = api.post(GENERATIONS, VIDEO)

    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "not_found"
    assert error["retryable"] is False
    assert error["context"]["field"] == "avatar_id"
    assert state(workspace) == before
    assert fetched == []
    assert not Upload.objects.exists()


def test_the_video_example_renders_without_the_vendor_side_avatar_and_preset(
        api, workspace, kit, funded, eager, fetched, django_capture_on_commit_callbacks):
    body = {key: value for key, value in VIDEO.items() if key not in ("avatar_id",
                                                                       "preset_id")}

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(GENERATIONS, body)

    assert response.status_code == 202
    assert response.json()["credits_deducted"] == pricing.FULL_AD_CREDITS
    shown = api.get(f"{GENERATIONS}/{response.json()['generation_id']}").json()
    assert shown["status"] == "completed", shown["error"]
    width, height, seconds = _video(shown)
    assert (width, height) == (1080, 1920)
    assert seconds == pytest.approx(8, abs=0.05)
    assert shown["asset_url"] == next(a["url"] for a in shown["assets"]
                                      if a["type"] == "video")
    _check_files(shown)


def test_an_unknown_preset_is_a_bad_request(api, workspace, kit, funded):
    before = state(workspace)

    response = api.post(GENERATIONS, {**STATIC, "preset_id": "egor"})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"
    assert response.json()["error"]["context"]["reason"] == "invalid_preset"
    assert state(workspace) == before


def test_ten_generations_in_a_batch_and_a_retry_returns_the_same_ten(api, workspace, kit,
                                                                     funded):
    body = {**STATIC, "request_count": 10, "idempotency_key": "batch-10"}

    first = api.post(GENERATIONS, body)
    again = api.post(GENERATIONS, body)

    assert first.status_code == again.status_code == 202
    ids = first.json()["generation_ids"]
    assert len(set(ids)) == 10
    assert again.json() == first.json()
    jobs = Job.objects.filter(workspace=workspace, surface=Surface.VIDEOTOK)
    assert jobs.count() == 10
    assert sorted(j.metadata["videotok"]["batch_index"] for j in jobs) == list(range(10))
    assert {j.metadata["videotok"]["id"] for j in jobs} == set(ids)
    # One debit per generation.
    entries = account_for_workspace(workspace).entries.filter(kind="debit")
    assert entries.count() == 10
    assert {e.amount for e in entries} == {-pricing.STATIC_AD_CREDITS}
    assert first.json()["credits_deducted"] == 10 * pricing.STATIC_AD_CREDITS
    assert _balance(workspace) == 250 - 10 * pricing.STATIC_AD_CREDITS


def test_the_key_may_come_in_the_header_and_the_retry_in_the_body(api, workspace, kit, funded):
    body = {key: value for key, value in STATIC.items() if key != "idempotency_key"}

    first = api.post(GENERATIONS, body, headers={"Idempotency-Key": "static-001"})
    again = api.post(GENERATIONS, STATIC)

    assert again.json() == first.json()
    assert Job.objects.filter(workspace=workspace).count() == 1


def test_a_failed_generation_of_a_batch_is_refunded_alone(api, workspace, kit, funded):
    response = api.post(GENERATIONS, {**STATIC, "request_count": 3})
    ids = response.json()["generation_ids"]
    failed = _job(ids[1])

    pipeline.fail_job(job_id=failed.pk, code="render_failed", message="The render failed.")

    body = api.get(f"{GENERATIONS}/{ids[1]}").json()
    assert body["status"] == "failed"
    assert body["error"] == {"code": "render_failed", "message": "The render failed."}
    assert body["credits_refunded"] == pricing.STATIC_AD_CREDITS
    assert api.get(f"{GENERATIONS}/{ids[0]}").json()["credits_refunded"] == 0
    assert _balance(workspace) == 250 - 2 * pricing.STATIC_AD_CREDITS


def test_a_changed_payload_with_the_same_key_is_idempotency_conflict(api, workspace, kit,
                                                                     funded):
    api.post(GENERATIONS, STATIC)
    before = state(workspace)

    response = api.post(GENERATIONS, {**STATIC, "prompt": "Another ad."})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_conflict"
    assert response.json()["error"]["retryable"] is False
    assert state(workspace) == before


@pytest.mark.django_db(transaction=True)
def test_a_key_whose_first_request_is_still_processing_is_idempotency_conflict(
        api, workspace, kit, funded, monkeypatch):
    from api.surfaces.videotok import views

    entered, release = threading.Event(), threading.Event()
    real = views.create_generations

    def slow_create(**kwargs):
        entered.set()
        assert release.wait(30)
        return real(**kwargs)

    monkeypatch.setattr(views, "create_generations", slow_create)
    answers = {}

    def first_request():
        try:
            answers["first"] = api.post(GENERATIONS, STATIC)
        finally:
            connection.close()  # the thread's own connection, so the test database can go

    first = threading.Thread(target=first_request)
    first.start()
    assert entered.wait(30)

    during = api.post(GENERATIONS, STATIC)
    jobs_during = Job.objects.filter(workspace=workspace).count()
    release.set()
    first.join(30)
    after = api.post(GENERATIONS, STATIC)

    assert during.status_code == 409
    assert during.json()["error"]["code"] == "idempotency_conflict"
    assert during.json()["error"]["context"]["reason"] == "idempotency_key_in_progress"
    assert jobs_during == 0
    assert answers["first"].status_code == 202
    assert after.json() == answers["first"].json()
    assert Job.objects.filter(workspace=workspace).count() == 1


def test_insufficient_credits_names_what_the_batch_needs(api, workspace, kit, funded):
    ledger.debit(account=funded, credits=238, reference="spent-elsewhere")
    before = state(workspace)
    assert before["balance"] == 12

    response = api.post(GENERATIONS, {**STATIC, "request_count": 4})

    assert response.status_code == 402
    error = response.json()["error"]
    assert error["code"] == "insufficient_credits"
    assert error["context"]["credits_required"] == 4 * pricing.STATIC_AD_CREDITS
    assert error["context"]["credits_available"] == before["balance"]
    assert state(workspace) == before


@pytest.mark.parametrize(("body", "field"), [
    ({**STATIC, "request_count": 11}, "request_count"),
    ({**STATIC, "request_count": 0}, "request_count"),
    ({**STATIC, "aspect_ratio": "3:2"}, "aspect_ratio"),
    ({**STATIC, "template_slug": "no-such-template"}, "template_slug"),
    ({**STATIC, "resolution": "4K"}, "resolution"),
    ({**STATIC, "type": "gif"}, "type"),
    ({**VIDEO, "avatar_id": None, "preset_id": None, "duration": 7}, "duration"),
    ({**VIDEO, "avatar_id": None, "preset_id": None, "quality_tier": "ultra"}, "quality_tier"),
    ({**VIDEO, "avatar_id": None, "preset_id": None, "audio_url": "https://e.com/a.mp3"},
     "audio_url"),
    ({**MODEL_IMAGE, "model_slug": "sora-9"}, "model_slug"),
    ({**MODEL_IMAGE, "variant_id": "lip-sync"}, "variant_id"),
    ({**MODEL_VIDEO, "reference_image_urls": ["https://example.com/first-frame.png"]},
     "reference_image_urls"),
    ({**MODEL_VIDEO, "reference_image_urls": ["https://example.com/first-frame.png",
                                              "https://example.com/missing.png"]},
     "reference_image_urls"),
    ({**MODEL_VIDEO, "duration": 15}, "duration"),
])
def test_bad_fields_are_bad_request_and_change_nothing(api, workspace, kit, funded, fetched,
                                                       settings, body, field):
    before = state(workspace)

    response = api.post(GENERATIONS, body)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "bad_request"
    assert error["context"]["field"] == field
    assert error["retryable"] is False
    assert state(workspace) == before
    assert not Upload.objects.exists()
    # A reference image fetched before the refusal leaves no file behind either.
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_no_bearer_is_unauthorized_and_a_bad_key_is_invalid_api_key(workspace, kit, funded):
    before = state(workspace)

    missing = ApiClient(None).post(GENERATIONS, STATIC)
    wrong = ApiClient("vt_live_" + "0" * 40).post(GENERATIONS, STATIC)

    assert missing.status_code == wrong.status_code == 401
    assert missing.json()["error"]["code"] == "unauthorized"
    assert wrong.json()["error"]["code"] == "invalid_api_key"
    assert state(workspace) == before


def test_rate_limited_is_retryable_with_retry_after(workspace, kit, funded):
    client = ApiClient(api_key_create(workspace=workspace, name="slow",
                                      rate_limit_per_minute=1).plaintext)
    client.get("/api/v1/models")
    before = state(workspace)

    response = client.post(GENERATIONS, STATIC)

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert response.json()["error"]["retryable"] is True
    assert int(response["Retry-After"]) >= 1
    assert state(workspace) == before


def test_a_dead_broker_is_a_retryable_server_error(api, workspace, kit, funded, monkeypatch):
    from studio.celery import app

    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    monkeypatch.setattr(app.conf, "broker_write_url", "redis://127.0.0.1:1/0")
    before = state(workspace)

    response = api.post(GENERATIONS, {**STATIC, "request_count": 3})

    assert response.status_code == 502
    assert response.json()["error"]["code"] == "server_error"
    assert response.json()["error"]["retryable"] is True
    assert state(workspace) == before


def test_scopes_write_creates_read_or_write_polls(workspace, kit, funded):
    read = ApiClient(api_key_create(workspace=workspace, name="read",
                                    scopes=[Scope.GENERATIONS_READ]).plaintext)
    write = ApiClient(api_key_create(workspace=workspace, name="write",
                                     scopes=[Scope.GENERATIONS_WRITE]).plaintext)
    other_write = ApiClient(api_key_create(workspace=workspace, name="write 2",
                                           scopes=[Scope.GENERATIONS_WRITE]).plaintext)
    before = state(workspace)

    refused = read.post(GENERATIONS, STATIC)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    assert state(workspace) == before

    created = write.post(GENERATIONS, STATIC)
    assert created.status_code == 202
    path = f"{GENERATIONS}/{created.json()['generation_id']}"
    assert write.get(path).status_code == 200
    assert read.get(path).status_code == 200
    # A write-only key polls what it created, not what another key did.
    assert other_write.get(path).status_code == 404
    for client in (read, write):
        assert client.get("/api/v1/models").status_code == 200
        assert client.get("/api/v1/assets").status_code == 200
    no_scope = ApiClient(api_key_create(workspace=workspace, name="brands",
                                        scopes=[Scope.BRANDS_READ]).plaintext)
    assert no_scope.get(path).json()["error"]["code"] == "forbidden"


def test_another_workspace_gets_404_on_generations_and_brand_kits(api, other_api, workspace,
                                                                  kit, funded):
    generation_id = api.post(GENERATIONS, STATIC).json()["generation_id"]

    foreign = other_api.get(f"{GENERATIONS}/{generation_id}")
    kits = other_api.get("/api/v1/assets").json()
    used = other_api.post(GENERATIONS, {**STATIC, "idempotency_key": "theirs"})

    assert foreign.status_code == 404
    assert foreign.json()["error"]["code"] == "not_found"
    assert kits["brand_kits"] == []
    assert used.status_code == 404
    assert used.json()["error"]["context"]["field"] == "brand_kit_id"
    assert api.get(f"{GENERATIONS}/{uuid.uuid4()}").status_code == 404
    assert api.get(f"{GENERATIONS}/not-a-uuid").status_code == 404


def test_assets_lists_the_workspaces_brands_as_numeric_brand_kits(api, workspace, kit):
    from generations import catalogue

    body = api.get("/api/v1/assets").json()

    assert [a["id"] for a in body["avatars"]] == [a["id"] for a in catalogue.avatars()]
    assert body["reference_inspirations"] == []
    assert [(k["id"], k["name"], k["is_default"]) for k in body["brand_kits"]] == [
        (42, "Lumen Skin", True)]
    assert body["brand_kits"][0]["colors"]["primary"] == "#C8553D"


def test_models_lists_only_what_the_engine_renders_priced_from_the_price_table(api, db):
    from generations import catalogue

    body = api.get("/api/v1/models").json()

    assert [t["slug"] for t in body["ugc_ads"]] == ["ugc-product-video", "ugc-review"]
    static = {t["slug"]: t for t in body["static_ads"]}
    video = {t["slug"]: t for t in body["video_ads"]}
    assert static["product-shoot"]["estimated_credits"] == pricing.STATIC_AD_CREDITS
    assert set(static) == {"product-shoot"} | {t["slug"] for t in catalogue.templates()}
    assert video["motion-graphics"]["quality_tiers"] == [{
        "id": "high", "durations": [2, 4, 6, 8, 10, 15],
        "estimated_credits": {str(d): pricing.FULL_AD_CREDITS for d in (2, 4, 6, 8, 10, 15)}}]
    assert len(video) == 1 + len(catalogue.animation_prompts())
    models = {m["slug"]: m for m in body["ai_models"]}
    assert set(models) == {"local-image", "local-transition"}
    assert {m["id"] for m in catalogue.models()} >= set(models)
    assert models["local-transition"]["aliases"] == ["veo"]
    variant = models["local-transition"]["variants"][0]
    assert variant["estimated_credits"]["8"] == pricing.price_for(
        kind="video", model="local-transition", duration_seconds=8)
    assert models["local-image"]["variants"][0]["estimated_credits"] == {
        "1K": pricing.IMAGE_MODEL_CREDITS["local-image"]}
    assert {p["id"] for p in body["presets"]} == {s["id"] for s in catalogue.styles()}
    assert body["slideshows"]["credits_per_slide"] == pricing.SLIDESHOW_CREDITS_PER_SLIDE


def test_auto_aspect_takes_the_template_default_then_what_the_brand_ordered(api, workspace,
                                                                            kit, funded):
    first = api.post(GENERATIONS, {**STATIC, "aspect_ratio": "auto",
                                   "idempotency_key": "auto-1"})
    api.post(GENERATIONS, {**STATIC, "aspect_ratio": "9:16", "idempotency_key": "tall"})
    second = api.post(GENERATIONS, {**STATIC, "aspect_ratio": "auto",
                                    "idempotency_key": "auto-2"})

    assert first.json()["aspect_ratio"] == "1:1"  # product-shoot's designed size
    assert second.json()["aspect_ratio"] == "9:16"  # the size this brand ordered last
    assert _job(second.json()["generation_id"]).request["sizes"] == ["9:16"]


def test_a_generation_in_progress_reports_processing_without_assets(api, workspace, kit,
                                                                    funded):
    generation_id = api.post(GENERATIONS, STATIC).json()["generation_id"]
    Job.objects.filter(metadata__videotok__id=generation_id).update(
        status=JobStatus.RENDERING, progress=40)

    body = api.get(f"{GENERATIONS}/{generation_id}").json()

    assert (body["status"], body["progress"]) == ("processing", 40)
    assert body["assets"] == [] and body["asset_url"] is None
    assert body["completed_at"] is None
