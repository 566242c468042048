"""videotok POST/GET /api/v1/slideshows: slide sequences rendered through the eager pipeline
into one MP4 (frames, size and file checked), priced per slide, and every refusal leaving
balance, jobs and ledger as they were."""

from __future__ import annotations

import io
import uuid

import av
import numpy as np
import pytest
from PIL import Image

from api.keys import api_key_create
from api.models import Scope
from billing import pricing
from billing import services as ledger
from generations import pipeline
from generations.models import Asset, Job, Upload
from generations.render.motion import FPS
from generations.render.samples import sample_brands
from generations.render.slideshow import (
    HOLD_SECONDS,
    TRANSITION_SECONDS,
    slide_concepts,
    slideshow_frames,
)
from generations.render.specs import ConceptSpec
from tests.api import test_videotok_generations as generations_tests
from tests.api.conftest import ApiClient, state

# The generations tests' fixture serving the example.com images (brand kit 42 and the eager
# pipeline are tests/api/conftest.py's).
fetched = generations_tests.fetched
SLIDESHOWS = "/api/v1/slideshows"
BODY = {
    "prompt": "Morning routine with the serum, calm and bright.",
    "title": "Glow routine",
    "slide_count": 3,
    "aspect_ratio": "9:16",
    "product_image_urls": ["https://example.com/product.png"],
    "brand_kit_id": 42,
    "language": "English",
    "product_context": "Vitamin C serum, 30 ml, fragrance-free.",
    "generate_text_overlays": True,
    "idempotency_key": "slides-001",
}


def _frames(slides: int) -> int:
    return slides * round(HOLD_SECONDS * FPS) + (slides - 1) * round(TRANSITION_SECONDS * FPS)


def _mp4(video_id: int) -> tuple[bytes, av.container.InputContainer]:
    asset = Asset.objects.get(job_id=video_id, kind="video")
    with asset.file.open("rb") as fh:
        content = fh.read()
    return content, av.open(io.BytesIO(content))


def test_a_slideshow_with_text_overlays_renders_one_mp4_of_its_slides(
        api, workspace, kit, funded, eager, fetched, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(SLIDESHOWS, BODY)

    assert response.status_code == 202
    accepted = response.json()
    price = 3 * pricing.SLIDESHOW_CREDITS_PER_SLIDE
    assert accepted == {"object": "slideshow_generation", "status": "queued",
                        "slideshow_id": accepted["slideshow_id"],
                        "video_id": accepted["video_id"], "title": "Glow routine",
                        "slide_count": 3, "credits_deducted": price,
                        "remaining_credits": 250 - price}
    assert uuid.UUID(accepted["slideshow_id"])
    assert fetched == ["https://example.com/product.png"]
    body = api.get(f"{SLIDESHOWS}/{accepted['slideshow_id']}").json()
    assert body["status"] == "completed", body["error"]
    assert body["video_url"].startswith("http")
    assert body["thumbnail_url"].startswith("http")
    content, container = _mp4(accepted["video_id"])
    with container:
        stream = container.streams.video[0]
        assert (stream.codec_context.name, stream.width, stream.height) == ("h264", 1080,
                                                                            1920)
        assert stream.frames == _frames(3)
    assert body["size_bytes"] == len(content) > 100_000
    assert body["duration"] == pytest.approx(_frames(3) / FPS)
    job = Job.objects.get(pk=accepted["video_id"])
    assert job.request["prompt"].endswith("Vitamin C serum, 30 ml, fragrance-free.")
    slides = job.concepts.get().render_report["sizes"]["9:16"]
    assert slides["ok"] is True
    funded.refresh_from_db()
    assert funded.balance == 250 - price


def test_a_slideshow_without_overlays_shows_the_products_alone(
        api, workspace, kit, funded, eager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(SLIDESHOWS, {"slide_count": 3, "aspect_ratio": "1:1"})

    assert response.status_code == 202
    assert response.json()["title"].startswith("Slide ")
    body = api.get(f"{SLIDESHOWS}/{response.json()['slideshow_id']}").json()
    assert body["status"] == "completed", body["error"]
    assert body["aspect_ratio"] == "1:1"
    content, container = _mp4(response.json()["video_id"])
    with container:
        stream = container.streams.video[0]
        assert (stream.width, stream.height, stream.frames) == (1080, 1080, _frames(3))
    assert body["size_bytes"] == len(content)


def test_a_retry_with_the_same_key_returns_the_same_slideshow(api, workspace, kit, funded,
                                                              fetched):
    first = api.post(SLIDESHOWS, BODY)
    again = api.post(SLIDESHOWS, BODY)
    changed = api.post(SLIDESHOWS, {**BODY, "slide_count": 4})

    assert again.json() == first.json()
    assert Job.objects.filter(workspace=workspace).count() == 1
    assert changed.status_code == 409
    assert changed.json()["error"]["code"] == "idempotency_conflict"


def test_a_failed_slideshow_is_refunded_in_full(api, workspace, kit, funded):
    accepted = api.post(SLIDESHOWS, {"slide_count": 6}).json()

    pipeline.fail_job(job_id=accepted["video_id"], code="render_failed", message="Failed.")

    body = api.get(f"{SLIDESHOWS}/{accepted['slideshow_id']}").json()
    assert body["status"] == "failed"
    assert body["credits_refunded"] == body["credits_deducted"] == 60
    funded.refresh_from_db()
    assert funded.balance == 250


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"slide_count": 7}, 400, "slide_count"),
    ({"slide_count": 2}, 400, "slide_count"),
    ({}, 400, "slide_count"),
    ({"slide_count": 3, "aspect_ratio": "16:9"}, 400, "aspect_ratio"),
    ({"slide_count": 3, "product_image_urls": ["https://example.com/p.png"] * 11}, 400,
     "product_image_urls"),
    ({"slide_count": 3, "product_image_urls": ["https://example.com/missing.png"]}, 400,
     "product_image_urls"),
    ({"slide_count": 3, "avatar_image_url": "https://example.com/face.png"}, 400,
     "avatar_image_url"),
    ({"slide_count": 3, "language": "Spanish"}, 400, "language"),
    ({"slide_count": 3, "avatar_id": "avatar_123"}, 404, "avatar_id"),
    ({"slide_count": 3, "brand_kit_id": 9999}, 404, "brand_kit_id"),
    ({"slide_count": 3, "custom_reference_inspiration_id": str(uuid.uuid4())}, 404,
     "custom_reference_inspiration_id"),
])
def test_refused_slideshows_change_nothing(api, workspace, kit, funded, fetched, body, status,
                                           field):
    before = state(workspace)

    response = api.post(SLIDESHOWS, body)

    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == ("bad_request" if status == 400 else "not_found")
    assert error["context"]["field"] == field
    assert state(workspace) == before
    assert not Upload.objects.exists()


def test_short_of_credits_is_402_with_the_slides_price(api, workspace, kit, funded):
    ledger.debit(account=funded, credits=200, reference="spent-elsewhere")
    before = state(workspace)

    response = api.post(SLIDESHOWS, {"slide_count": 10})

    assert response.status_code == 402
    assert response.json()["error"]["context"] == {
        **response.json()["error"]["context"],
        "credits_required": 10 * pricing.SLIDESHOW_CREDITS_PER_SLIDE, "credits_available": 50}
    assert state(workspace) == before


def test_slideshow_scopes_and_tenancy(workspace, kit, funded, other_api):
    read = ApiClient(api_key_create(workspace=workspace, name="read",
                                    scopes=[Scope.GENERATIONS_READ]).plaintext)
    write = ApiClient(api_key_create(workspace=workspace, name="write",
                                     scopes=[Scope.GENERATIONS_WRITE]).plaintext)
    before = state(workspace)
    assert read.post(SLIDESHOWS, {"slide_count": 3}).status_code == 403
    assert state(workspace) == before

    created = write.post(SLIDESHOWS, {"slide_count": 3}).json()
    path = f"{SLIDESHOWS}/{created['slideshow_id']}"

    assert write.get(path).status_code == read.get(path).status_code == 200
    assert other_api.get(path).status_code == 404
    assert other_api.get(path).json()["error"]["code"] == "not_found"


def test_slides_rotate_templates_and_never_repeat_a_headline():
    brand, product, style = sample_brands()["coffee"]
    first = ConceptSpec(template_slug="product-hero", style_id=style, animation_prompt="",
                        copy_angle="sensory", headline="Slow roast, deep notes", body="",
                        cta="Shop now", seed=4)

    slides = slide_concepts(brand=brand, products=[product], first=first, slide_count=8,
                            aspect="4:5", text_overlays=True)

    assert len(slides) == 8
    assert slides[0][1] == first
    headlines = [concept.headline for _, concept in slides]
    assert len(set(headlines)) == 8 and all(headlines)
    assert len({concept.template_slug for _, concept in slides}) >= 4
    with pytest.raises(ValueError):
        slide_concepts(brand=brand, products=[product], first=first, slide_count=7,
                       aspect="4:5", text_overlays=True)


def test_the_sequence_holds_each_slide_and_ends_on_the_last():
    colours = [(220, 30, 30), (30, 220, 30), (30, 30, 220)]
    images = [Image.new("RGB", (64, 96), colour) for colour in colours]

    frames, count = slideshow_frames(images)
    frames = list(frames)

    assert count == len(frames) == _frames(3)
    assert np.array_equal(np.asarray(frames[0]), np.asarray(images[0]))
    # The last frame is the last slide (pushed in, so its centre is exactly that colour).
    assert tuple(np.asarray(frames[-1])[48, 32]) == colours[2]
    middle = np.asarray(frames[round(HOLD_SECONDS * FPS) + 7])
    assert not np.array_equal(middle, np.asarray(images[0]))
