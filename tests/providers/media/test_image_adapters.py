"""The OpenAI Images and Gemini image adapters against fakes speaking each documented protocol."""

from __future__ import annotations

import base64
import io
from decimal import Decimal

import pytest
from PIL import Image

from generations.models import ProviderCall
from generations.providers import registry
from generations.providers.base import IMAGE_EDIT, IMAGE_GENERATE, ProviderError
from generations.providers.outputs import checked_image
from tests.providers.media_fakes.media import scene_png
from tests.providers.media_fakes.server import Fault

pytestmark = pytest.mark.django_db


def _cutout(size=(400, 600)) -> bytes:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    image.paste((220, 30, 140, 255), (100, 100, 300, 500))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _size(content: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(content)) as image:
        return image.size


# ------------------------------------------------------------------------------ OpenAI Images
def test_gpt_image_generation_sends_the_documented_body_and_decodes_b64_json(openai_images):
    images = registry.adapter(IMAGE_GENERATE, provider="openai_images")
    result = images.generate(prompt="A sunlit bathroom shelf", width=1080, height=1920,
                             model="gpt-image-1")
    sent = openai_images.calls("/v1/images/generations")[0]
    assert sent.headers["authorization"] == "Bearer sk-test-images"
    # gpt-image-1 always answers base64 and refuses response_format, so it is not sent.
    assert sent.json() == {"model": "gpt-image-1", "prompt": "A sunlit bathroom shelf",
                           "n": 1, "size": "1024x1536"}
    assert result.mime_type == "image/png"
    assert _size(result.content) == (1024, 1536)
    call = ProviderCall.objects.get()
    assert (call.provider, call.capability, call.model, call.ok, call.status, call.attempts,
            call.cost_usd) == ("openai_images", "image_generate", "gpt-image-1", True, 200, 1,
                               Decimal("0.042000"))


def test_the_size_asked_is_the_documented_one_nearest_the_ad(openai_images):
    images = registry.adapter(IMAGE_GENERATE, provider="openai_images")
    for width, height, expected in ((1080, 1080, "1024x1024"), (1920, 1080, "1536x1024"),
                                    (1080, 1350, "1024x1536"), (1080, 1920, "1024x1536")):
        images.generate(prompt="scene", width=width, height=height, model="gpt-image-1")
        assert openai_images.requests[-1].json()["size"] == expected


def test_an_edit_is_multipart_with_image_and_mask_files(openai_images):
    images = registry.adapter(IMAGE_EDIT, provider="openai_images")
    mask = _cutout()
    result = images.edit(image=_cutout(), mask=mask, prompt="Place it on a marble counter",
                         width=1024, height=1536, model="gpt-image-1")
    sent = openai_images.calls("/v1/images/edits")[0]
    assert sent.headers["content-type"].startswith("multipart/form-data; boundary=")
    parts = {(name, filename): (content, ctype) for name, filename, content, ctype in sent.form()}
    assert parts[("image[]", "image.png")][1] == "image/png"
    assert parts[("mask", "mask.png")][0] == mask
    assert parts[("prompt", None)][0] == b"Place it on a marble counter"
    assert parts[("size", None)][0] == b"1024x1536"
    assert _size(result.content) == (1024, 1536)
    assert ProviderCall.objects.get().capability == "image_edit"


def test_a_url_answer_is_fetched_through_the_safe_client(openai_images, settings):
    settings.PROVIDERS["openai_images"]["model"] = "dall-e-3"
    images = registry.adapter(IMAGE_GENERATE, provider="openai_images")
    original = images._parse

    # A DALL·E style server answers url; the adapter follows it like a user-supplied URL.
    def generate_url(**kwargs):
        body = {"model": "dall-e-3", "prompt": "scene", "size": "1024x1792",
                "response_format": "url"}
        return images.client.call("POST", "/images/generations", capability=IMAGE_GENERATE,
                                  json=body, parse=original)

    result = generate_url()
    assert openai_images.requests[-1].path.startswith("/files/img-")
    assert _size(result.content) == (1024, 1792)


def test_a_url_answer_pointing_at_a_private_address_is_refused(openai_images, settings):
    images = registry.adapter(IMAGE_GENERATE, provider="openai_images")
    from generations.providers.http import ProviderResponse

    answer = ProviderResponse(status=200, headers=None,  # type: ignore[arg-type]
                              content=b'{"data": [{"url": "http://10.0.0.8/steal.png"}]}')
    with pytest.raises(ValueError, match=r"10\.0\.0\.8 is a private address"):
        images._parse(answer)
    assert openai_images.requests == []


def test_429_with_retry_after_is_honoured_then_the_image_arrives(openai_images, waits):
    openai_images.fail_next(Fault.rate_limited(retry_after="2"))
    images = registry.adapter(IMAGE_GENERATE, provider="openai_images")
    result = images.generate(prompt="scene", width=1080, height=1080, model="gpt-image-1")
    assert _size(result.content) == (1024, 1024)
    assert waits == [2.0]
    call = ProviderCall.objects.get()
    assert (call.ok, call.attempts, call.status) == (True, 2, 200)


def test_a_malformed_answer_is_retried_and_then_a_retryable_error(openai_images, waits):
    openai_images.fail_next(Fault.malformed(), Fault.malformed(), Fault.malformed())
    images = registry.adapter(IMAGE_GENERATE, provider="openai_images")
    with pytest.raises(ProviderError) as caught:
        images.generate(prompt="scene", width=1080, height=1080, model="gpt-image-1")
    assert (caught.value.code, caught.value.retryable) == ("provider_bad_response", True)
    assert len(openai_images.requests) == 3
    assert len(waits) == 2
    call = ProviderCall.objects.get()
    assert (call.ok, call.attempts, call.cost_usd) == (False, 3, Decimal("0"))


def test_a_slow_answer_times_out_as_retryable(openai_images, settings, waits):
    settings.PROVIDERS["openai_images"].update(timeout=0.3, max_retries=0)
    openai_images.fail_next(Fault.slow(1.5))
    images = registry.adapter(IMAGE_GENERATE, provider="openai_images")
    with pytest.raises(ProviderError) as caught:
        images.generate(prompt="scene", width=1080, height=1080, model="gpt-image-1")
    assert (caught.value.code, caught.value.retryable, caught.value.status) == (
        "provider_timeout", True, 504)


def test_a_moderation_refusal_is_permanent_and_not_retried(openai_images, waits):
    images = registry.adapter(IMAGE_GENERATE, provider="openai_images")
    with pytest.raises(ProviderError) as caught:
        images.generate(prompt="moderation-test-blocked scene", width=1080, height=1080,
                        model="gpt-image-1")
    assert caught.value.retryable is False
    assert caught.value.details["upstream_status"] == 400
    assert "safety system" in caught.value.message
    assert len(openai_images.requests) == 1 and waits == []


def test_a_wrong_key_is_401_and_counts_against_the_breaker(openai_images, settings):
    settings.PROVIDERS["openai_images"]["api_key"] = "sk-wrong"
    images = registry.adapter(IMAGE_GENERATE, provider="openai_images")
    with pytest.raises(ProviderError) as caught:
        images.generate(prompt="scene", width=1080, height=1080, model="gpt-image-1")
    assert caught.value.code == "provider_auth_failed"
    assert "Incorrect API key provided" in caught.value.message


# ------------------------------------------------------------------------------ output checks
def test_output_of_other_proportions_or_not_an_image_does_not_count():
    with pytest.raises(ProviderError) as caught:
        checked_image(scene_png(1024, 1024), provider="gemini", width=1080, height=1920)
    assert (caught.value.code, caught.value.retryable) == ("provider_bad_output", True)
    assert "not the 1080 × 1920 proportions" in caught.value.message
    with pytest.raises(ProviderError, match="must be a PNG, JPEG"):
        checked_image(b"<html>no image</html>", provider="gemini", width=1, height=1)
    with pytest.raises(ProviderError, match="at least 256 px"):
        checked_image(scene_png(100, 100), provider="gemini", width=1, height=1)
    assert checked_image(scene_png(768, 1344), provider="gemini", width=1080,
                         height=1920).width == 768


# ------------------------------------------------------------------------------ Gemini
def test_gemini_generation_sends_a_text_part_and_reads_the_inline_image(gemini):
    images = registry.adapter(IMAGE_GENERATE, provider="gemini")
    result = images.generate(prompt="A linen-draped vanity at golden hour", width=1080,
                             height=1920, model="gemini-2.5-flash-image")
    sent = gemini.requests[0]
    assert sent.path == "/v1beta/models/gemini-2.5-flash-image:generateContent"
    assert sent.headers["x-goog-api-key"] == "AIza-test-gemini"
    assert "authorization" not in sent.headers
    assert sent.json() == {
        "contents": [{"role": "user",
                      "parts": [{"text": "A linen-draped vanity at golden hour"}]}],
        "generationConfig": {"responseModalities": ["TEXT", "IMAGE"],
                             "imageConfig": {"aspectRatio": "9:16"}}}
    assert (result.mime_type, _size(result.content)) == ("image/png", (768, 1344))
    call = ProviderCall.objects.get()
    assert (call.provider, call.model, call.ok, call.cost_usd) == (
        "gemini", "gemini-2.5-flash-image", True, Decimal("0.039000"))


def test_gemini_edit_sends_the_product_as_an_inline_image_part(gemini):
    images = registry.adapter(IMAGE_EDIT, provider="gemini")
    product = _cutout((512, 768))
    result = images.edit(image=product, prompt="Place the bottle on a bathroom shelf",
                         width=1080, height=1350, model="gemini-2.5-flash-image")
    parts = gemini.requests[0].json()["contents"][0]["parts"]
    assert parts[0] == {"text": "Place the bottle on a bathroom shelf"}
    assert parts[1]["inlineData"]["mimeType"] == "image/png"
    assert base64.b64decode(parts[1]["inlineData"]["data"]) == product
    assert gemini.requests[0].json()["generationConfig"]["imageConfig"] == {
        "aspectRatio": "4:5"}
    # The fake answers an edit at the input image's size.
    assert _size(result.content) == (512, 768)


def test_gemini_safety_block_is_a_permanent_422_not_retried(gemini, waits):
    gemini.block_next = "IMAGE_SAFETY"
    images = registry.adapter(IMAGE_GENERATE, provider="gemini")
    with pytest.raises(ProviderError) as caught:
        images.generate(prompt="scene", width=1080, height=1080,
                        model="gemini-2.5-flash-image")
    assert (caught.value.code, caught.value.status, caught.value.retryable) == (
        "provider_content_refused", 422, False)
    assert len(gemini.requests) == 1 and waits == []


def test_gemini_text_without_an_image_is_malformed_and_retried(gemini, waits):
    gemini.text_only = True
    images = registry.adapter(IMAGE_GENERATE, provider="gemini")
    with pytest.raises(ProviderError) as caught:
        images.generate(prompt="scene", width=1080, height=1080,
                        model="gemini-2.5-flash-image")
    assert caught.value.code == "provider_bad_response"
    assert "no image part" in caught.value.message
    assert len(gemini.requests) == 3


def test_gemini_resource_exhausted_is_retried_with_backoff(gemini, waits, settings):
    settings.PROVIDER_BACKOFF_BASE_SECONDS = 0.5
    gemini.fail_next(Fault.rate_limited(retry_after="12"), Fault.server_error(503))
    images = registry.adapter(IMAGE_GENERATE, provider="gemini")
    result = images.generate(prompt="scene", width=1080, height=1080,
                             model="gemini-2.5-flash-image")
    assert _size(result.content) == (1024, 1024)
    assert [r.path for r in gemini.requests] == [
        "/v1beta/models/gemini-2.5-flash-image:generateContent"] * 3
    # Google states the wait in the body (RetryInfo.retryDelay "12s"), which is honoured; the
    # 503 without one gets the client's own backoff: 0.5 * 2**1 plus up to 0.5 of jitter.
    assert len(waits) == 2
    assert waits[0] == 12.0 and 1.0 <= waits[1] <= 1.5


def test_gemini_unknown_model_is_404_not_retried(gemini, waits):
    images = registry.adapter(IMAGE_GENERATE, provider="gemini")
    with pytest.raises(ProviderError) as caught:
        images.generate(prompt="scene", width=1080, height=1080, model="gemini-9-image")
    assert caught.value.details["upstream_status"] == 404
    assert "is not found for API version v1beta" in caught.value.message
    assert caught.value.retryable is False and waits == []
