"""The hosted video queue (submit → poll → fetch) and the speech adapter against their fakes."""

from __future__ import annotations

import base64
import io
from decimal import Decimal

import av
import pytest

from generations.models import ProviderCall
from generations.providers import registry, video_queue
from generations.providers.base import IMAGE_TO_VIDEO, ProviderError, ProviderUnavailable
from generations.providers.speech import VoiceOver, speech_available, synthesize_speech
from tests.providers.media_fakes.media import mp4_clip, scene_png
from tests.providers.media_fakes.openai_speech import spoken_seconds
from tests.providers.media_fakes.server import Fault

pytestmark = pytest.mark.django_db

FIRST = scene_png(576, 1024)
LAST = scene_png(576, 1024, colour=(40, 60, 90))


def _animate(**overrides):
    queue = registry.adapter(IMAGE_TO_VIDEO, provider="video_queue")
    arguments = {"first": FIRST, "prompt": "Slow orbit around the bottle", "duration": 5,
                 "model": "kling-v3-pro", "aspect_ratio": "9:16", **overrides}
    return queue.animate(**arguments)


def _seconds(content: bytes) -> float:
    with av.open(io.BytesIO(content)) as container:
        stream = container.streams.video[0]
        return float(stream.duration * stream.time_base)


# ------------------------------------------------------------------------------ video queue
def test_kling_is_submitted_polled_and_fetched(fal, polls):
    result = _animate()
    submit, *rest = fal.requests
    assert (submit.method, submit.path) == ("POST", "/fal-ai/kling-video/v3/pro/image-to-video")
    assert submit.headers["authorization"] == "Key fal-test-key"
    body = submit.json()
    assert body["prompt"] == "Slow orbit around the bottle"
    assert body["duration"] == "5"
    assert base64.b64decode(body["start_image_url"].split(",", 1)[1]) == FIRST
    assert body["start_image_url"].startswith("data:image/png;base64,")
    assert "image_url" not in body  # Kling 3.0 names the first frame start_image_url
    request_id = "7c1f0001-0000-4000-8000-00000000fa1a"
    base = f"/fal-ai/kling-video/requests/{request_id}"
    # Status and result paths leave the subpath out, as documented.
    assert [(r.method, r.path) for r in rest] == [
        ("GET", f"{base}/status")] * 3 + [("GET", base), ("GET", f"/files/{request_id}.mp4")]
    assert polls == [2.0, 2.0]  # IN_QUEUE, IN_PROGRESS, then COMPLETED
    assert result.mime_type == "video/mp4"
    assert _seconds(result.content) == 5.0
    calls = list(ProviderCall.objects.order_by("created_at", "pk")
                 .values_list("capability", "ok", "status", "cost_usd"))
    assert calls == [("image_to_video", True, 200, Decimal("0")),
                     ("image_to_video", True, 202, Decimal("0")),
                     ("image_to_video", True, 202, Decimal("0")),
                     ("image_to_video", True, 200, Decimal("0")),
                     ("image_to_video", True, 200, Decimal("0.560000"))]


def test_veo_takes_a_first_and_a_last_frame_and_its_duration_in_seconds(fal, polls):
    result = _animate(model="veo", last=LAST, duration=8, aspect_ratio="16:9")
    body = fal.requests[0].json()
    assert fal.requests[0].path == "/fal-ai/veo3.1/first-last-frame-to-video"
    assert (body["duration"], body["aspect_ratio"]) == ("8s", "16:9")
    assert base64.b64decode(body["first_frame_url"].split(",", 1)[1]) == FIRST
    assert base64.b64decode(body["last_frame_url"].split(",", 1)[1]) == LAST
    assert _seconds(result.content) == 8.0


def test_a_duration_the_model_does_not_make_is_refused_before_sending(fal):
    with pytest.raises(ProviderError) as caught:
        _animate(duration=7)
    assert (caught.value.status, caught.value.code) == (400, "invalid_duration")
    assert "makes clips of 5, 10 s" in caught.value.message
    assert fal.requests == [] and ProviderCall.objects.count() == 0


def test_429_on_submit_and_503_on_a_poll_are_retried(fal, waits, polls):
    fal.fail_next(Fault.rate_limited(retry_after="4"))
    result = _animate()
    assert waits == [4.0]
    assert _seconds(result.content) == 5.0
    fal.fail_next(Fault.server_error(503))
    _animate()
    assert len(waits) == 2  # the 503 poll: backoff, then the poll again


def test_a_failed_request_is_a_permanent_error(fal, polls):
    fal.fail_model = "Input image is too small"
    with pytest.raises(ProviderError) as caught:
        _animate()
    assert (caught.value.code, caught.value.retryable) == ("provider_failed", False)
    assert "Input image is too small" in caught.value.message
    assert not any(r.path.endswith(("/files/", ".mp4")) for r in fal.requests)


def test_a_request_past_its_deadline_is_cancelled(fal, settings, monkeypatch):
    fal.polls_to_finish = 100
    settings.PROVIDERS["video_queue"]["max_wait_seconds"] = 6.0
    clock = [0.0]
    monkeypatch.setattr(video_queue, "_clock", lambda: clock[0])
    monkeypatch.setattr(video_queue, "_sleep", lambda seconds: clock.__setitem__(
        0, clock[0] + seconds))
    with pytest.raises(ProviderError) as caught:
        _animate()
    assert (caught.value.code, caught.value.retryable) == ("provider_timeout", True)
    cancel = fal.requests[-1]
    assert (cancel.method, cancel.path) == (
        "PUT", "/fal-ai/kling-video/requests/7c1f0001-0000-4000-8000-00000000fa1a/cancel")
    assert [r.method for r in fal.requests].count("GET") == 4  # polls at 0, 2, 4 and 6 s


def test_a_clip_of_the_wrong_length_or_not_a_video_does_not_count(fal, polls):
    fal.clip_seconds = 3.0
    with pytest.raises(ProviderError) as caught:
        _animate()
    assert caught.value.code == "provider_bad_output"
    assert "lasts 3.00 s, not the 5 s asked for" in caught.value.message
    fal.clip_seconds, fal.clip_bytes = None, b"\x00\x00\x00\x18ftypmp42 not really a video"
    with pytest.raises(ProviderError, match="cannot be decoded"):
        _animate()


def test_a_result_url_on_a_private_address_is_never_fetched(fal, polls, monkeypatch):
    from tests.providers.media_fakes import fal_queue

    original = fal_queue.FalQueueFake._result

    def private_url(self, queued):
        reply = original(self, queued)
        reply.body = reply.body.replace(self.base_url.encode(), b"http://192.168.1.20")
        return reply

    monkeypatch.setattr(fal_queue.FalQueueFake, "_result", private_url)
    with pytest.raises(ProviderError) as caught:
        _animate()
    assert "192.168.1.20 is a private address" in caught.value.message
    assert not any(r.path.startswith("/files/") for r in fal.requests)


def test_mp4_clip_helper_lasts_what_it_is_asked():
    assert _seconds(mp4_clip(seconds=2.0)) == 2.0


# ------------------------------------------------------------------------------ speech
def test_synthesize_speech_returns_checked_audio_and_its_length(speech):
    text = "Meet the serum that keeps up with your mornings."
    voice_over = synthesize_speech(text=text, voice="nova", language="de")
    sent = speech.requests[0]
    assert sent.headers["authorization"] == "Bearer sk-test-speech"
    assert sent.json() == {"model": "gpt-4o-mini-tts", "input": text, "voice": "nova",
                           "response_format": "mp3",
                           "instructions": "Speak in German, warmly and clearly, like a "
                                           "creator talking to camera."}
    assert isinstance(voice_over, VoiceOver)
    assert (voice_over.mime_type, voice_over.voice, voice_over.model, voice_over.provider) == (
        "audio/mpeg", "nova", "gpt-4o-mini-tts", "speech")
    assert abs(voice_over.duration_seconds - spoken_seconds(text)) < 0.08
    call = ProviderCall.objects.get()
    assert (call.capability, call.ok, call.cost_usd) == ("speech", True, Decimal("0.000720"))


@pytest.mark.parametrize(("fmt", "mime"), [("wav", "audio/wav"), ("aac", "audio/aac"),
                                           ("pcm", "audio/pcm"), ("opus", "audio/ogg")])
def test_every_format_is_decoded_and_measured(speech, settings, fmt, mime):
    settings.PROVIDERS["speech"]["format"] = fmt
    voice_over = synthesize_speech(text="Thirty characters of a script.")
    assert voice_over.mime_type == mime
    assert speech.requests[0].json()["response_format"] == fmt
    assert abs(voice_over.duration_seconds - 2.0) < 0.08


def test_tts_1_gets_no_instructions_and_the_default_voice(speech, settings):
    settings.PROVIDERS["speech"]["model"] = "tts-1"
    synthesize_speech(text="Hello there, friend.", language="fr")
    assert speech.requests[0].json() == {"model": "tts-1", "input": "Hello there, friend.",
                                         "voice": "alloy", "response_format": "mp3"}


def test_an_unknown_voice_is_the_providers_400_not_retried(speech, waits):
    with pytest.raises(ProviderError) as caught:
        synthesize_speech(text="Hello.", voice="robot")
    assert caught.value.retryable is False
    assert "Invalid value: 'robot'" in caught.value.message
    assert len(speech.requests) == 1 and waits == []


def test_audio_that_does_not_decode_does_not_count(speech):
    speech.answer_bytes = b"ID3\x04\x00 this is not an mp3 stream at all"
    with pytest.raises(ProviderError) as caught:
        synthesize_speech(text="Hello.")
    assert (caught.value.code, caught.value.retryable) == ("provider_bad_output", True)


def test_a_script_too_long_is_refused_before_sending(speech):
    with pytest.raises(ProviderError) as caught:
        synthesize_speech(text="a" * 4097)
    assert (caught.value.status, caught.value.code) == (400, "invalid_script")
    assert speech.requests == []


def test_without_a_speech_provider_nothing_is_sent(settings):
    settings.PROVIDERS = {**settings.PROVIDERS, "speech": {**settings.PROVIDERS["speech"],
                                                           "enabled": False}}
    assert speech_available() is False
    with pytest.raises(ProviderUnavailable) as caught:
        synthesize_speech(text="Hello.")
    assert caught.value.status == 503
    assert "PROVIDER_SPEECH_API_KEY" in caught.value.message
