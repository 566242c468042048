"""videotok ``ugc_ad``: the reference's example body verbatim end to end through the eager
pipeline (the MP4 checked), built-in and uploaded presenters in GET /assets, tiers and prices
in GET /models, a supplied voice track muxed as AAC, and every refusal leaving balance, jobs,
ledger and stored files as they were."""

from __future__ import annotations

import io

import av
import httpx
import pytest

from billing import pricing
from brands.scrape.http import FetchedResponse
from generations import catalogue, ugc
from generations.models import Asset, Avatar, Job, Upload
from generations.render.samples import dropper_bottle
from generations.render.ugc.presenter import portrait_preview
from tests.api.conftest import state
from tests.api.test_videotok_generations import UGC, _check_files
from tests.generations.test_ugc_render import voice_track
from tests.providers.media_fakes.config import speech_settings
from tests.providers.media_fakes.openai_speech import OpenAISpeechFake, spoken_seconds

GENERATIONS = "/api/v1/generations"
TRACK_URL = "https://example.com/voice.wav"


def _portrait() -> bytes:
    buffer = io.BytesIO()
    portrait_preview(catalogue.avatar_by_id("avatar_priya"), width=540).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def served(monkeypatch):
    """What the examples' URLs answer, through the SSRF-safe client's seam (the reference
    images and the voice track; example.com is not on the internet in tests)."""
    files = {"https://example.com/product.png": (dropper_bottle(), "image/png"),
             TRACK_URL: (voice_track(7.6), "audio/wav"),
             "https://example.com/noise.wav": (b"RIFF not really audio", "audio/wav")}
    calls: list[str] = []

    def safe_get(url, **kwargs):
        calls.append(url)
        if url not in files:
            return FetchedResponse(url=url, status=404, headers=httpx.Headers(), content=b"")
        content, kind = files[url]
        return FetchedResponse(url=url, status=200, content=content,
                               headers=httpx.Headers({"content-type": kind}))

    monkeypatch.setattr("generations.services.safe_get", safe_get)
    return calls


@pytest.fixture
def avatar_123(workspace, owner):
    """The workspace's uploaded presenter the reference's example names (``avatar_123``)."""
    avatar = ugc.avatar_create(workspace=workspace, content=_portrait(), name="Priya (photo)",
                               created_by=owner)
    Avatar.objects.filter(pk=avatar.pk).update(id=123)
    return Avatar.objects.get(pk=123)


def _video(body: dict):
    shown = next(a for a in body["assets"] if a["type"] == "video")
    with Asset.objects.get(public_id=shown["id"]).file.open("rb") as fh:
        content = fh.read()
    container = av.open(io.BytesIO(content))
    return container, shown


def test_the_ugc_example_renders_a_presenter_video(api, workspace, kit, funded, eager, served,
                                                   avatar_123,
                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(GENERATIONS, UGC)

    assert response.status_code == 202, response.json()
    price = pricing.price_for(kind="ugc", tier="high", duration_seconds=8)
    assert price == 20
    accepted = response.json()
    assert (accepted["type"], accepted["credits_deducted"], accepted["remaining_credits"],
            accepted["aspect_ratio"]) == ("ugc_ad", price, 250 - price, "9:16")
    body = api.get(f"{GENERATIONS}/{accepted['generation_id']}").json()
    assert body["status"] == "completed", body["error"]
    assert (body["template_slug"], body["avatar_id"], body["quality_tier"]) == (
        "ugc-product-video", "avatar_123", "high")
    container, shown = _video(body)
    with container:
        video = container.streams.video[0]
        assert (video.width, video.height) == (1080, 1920)
        assert video.frames == 240
        assert not container.streams.audio
    assert shown["duration"] == pytest.approx(8, abs=0.05)
    assert body["asset_url"] == shown["url"]
    assert body["thumbnail_url"]
    _check_files(body)
    assert served == ["https://example.com/product.png"]
    job = Job.objects.get(metadata__videotok__id=accepted["generation_id"])
    concept = job.concepts.get()
    assert job.request["extra"]["ugc"]["avatar"]["upload"] == avatar_123.upload.public_id
    assert concept.render_report
    # The concept shows the script: the hook it opens on names the product (the brand kit has
    # no products, so the brand stands in for it).
    assert "Lumen Skin" in concept.headline
    assert job.credits_charged == price and job.credits_refunded == 0


def test_a_built_in_presenter_with_a_voice_track_is_muxed_as_aac(
        api, workspace, kit, funded, eager, served, django_capture_on_commit_callbacks):
    body = {**UGC, "avatar_id": "avatar_marcus", "audio_url": TRACK_URL, "duration": 8,
            "idempotency_key": "ugc-voice"}

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(GENERATIONS, body)

    assert response.status_code == 202, response.json()
    assert response.json()["credits_deducted"] == pricing.price_for(
        kind="ugc", tier="high", duration_seconds=8)
    shown = api.get(f"{GENERATIONS}/{response.json()['generation_id']}").json()
    assert shown["status"] == "completed", shown["error"]
    container, asset = _video(shown)
    with container:
        audio = container.streams.audio[0]
        assert audio.codec_context.name == "aac"
        assert float(audio.duration * audio.time_base) == pytest.approx(7.6, abs=0.1)
        assert container.streams.video[0].frames == round(7.6 * 30)
    assert asset["duration"] == pytest.approx(7.6, abs=1 / 30)
    assert Upload.objects.filter(workspace=workspace, mime_type="audio/wav").count() == 1


def test_assets_lists_the_built_in_presenters_and_the_uploaded_ones(api, workspace, kit,
                                                                    avatar_123, other_api):
    body = api.get("/api/v1/assets").json()

    ids = [a["id"] for a in body["avatars"]]
    assert ids == [a["id"] for a in catalogue.avatars()] + ["avatar_123"]
    assert len(catalogue.avatars()) >= 8
    maya = body["avatars"][0]
    assert maya["type"] == "built_in" and maya["image_url"].endswith("/avatars/avatar_maya.png")
    assert body["avatars"][-1]["type"] == "uploaded"
    assert body["avatars"][-1]["image_url"].startswith("http")
    # Another workspace sees the built-ins only, and cannot use this one's presenter.
    assert "avatar_123" not in [a["id"] for a in other_api.get("/api/v1/assets").json()[
        "avatars"]]


def test_models_lists_ugc_tiers_priced_from_the_price_table_and_says_voice_needs_a_provider(
        api, db):
    entries = {t["slug"]: t for t in api.get("/api/v1/models").json()["ugc_ads"]}

    assert set(entries) == {"ugc-product-video", "ugc-review"}
    tiers = {t["id"]: t for t in entries["ugc-product-video"]["quality_tiers"]}
    assert tiers["high"]["durations"] == [8, 10, 15, 20, 30]
    assert tiers["high"]["estimated_credits"]["15"] == 30
    assert tiers["low"]["estimated_credits"]["15"] == 18
    voice = entries["ugc-product-video"]["voice"]
    assert voice["generate_audio"] is False and voice["audio_url"] is True
    assert "speech provider" in voice["requires"]


@pytest.fixture
def speech(settings, monkeypatch):
    """The OpenAI-compatible speech fake as the studio's speech provider."""
    from generations.providers import http as provider_http

    monkeypatch.setattr(provider_http, "_sleep", lambda seconds: None)
    settings.STUDIO_OUTBOUND_ALLOW_LOOPBACK = True
    with OpenAISpeechFake() as fake:
        settings.PROVIDERS = {**settings.PROVIDERS,
                              "speech": speech_settings(fake.base_url + "/v1",
                                                        api_key=fake.api_key)}
        yield fake


def test_generate_audio_speaks_through_the_speech_provider(
        api, workspace, kit, funded, eager, served, speech,
        django_capture_on_commit_callbacks):
    models = api.get("/api/v1/models").json()["ugc_ads"][0]["voice"]
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(GENERATIONS, {**UGC, "avatar_id": "avatar_jonas",
                                          "generate_audio": True,
                                          "idempotency_key": "ugc-tts"})

    assert models["generate_audio"] is True and models["requires"] is None
    assert response.status_code == 202, response.json()
    shown = api.get(f"{GENERATIONS}/{response.json()['generation_id']}").json()
    assert shown["status"] == "completed", shown["error"]
    sent = [r.json() for r in speech.requests]
    assert len(sent) == 1
    assert sent[0]["voice"] == "echo" and sent[0]["input"].strip()
    spoken = spoken_seconds(sent[0]["input"])
    container, _asset = _video(shown)
    with container:
        audio = container.streams.audio[0]
        assert audio.codec_context.name == "aac"
        # The video runs as long as the spoken script (captions follow the audio).
        assert abs(float(container.duration / av.time_base) - spoken) < 0.5


def test_generate_audio_without_paid_providers_is_refused_and_charges_nothing(
        api, workspace, kit, funded, speech):
    workspace.allow_paid_providers = False
    workspace.save(update_fields=["allow_paid_providers"])
    response = api.post(GENERATIONS, {**UGC, "avatar_id": "avatar_jonas",
                                      "generate_audio": True, "idempotency_key": "ugc-tts-off"})
    assert response.status_code == 400, response.json()
    assert response.json()["error"]["context"]["field"] == "generate_audio"
    assert not Job.objects.filter(workspace=workspace).exists()
    assert speech.requests == []
    funded.refresh_from_db()
    assert funded.balance == 250


@pytest.mark.parametrize(("change", "status", "field", "reason"), [
    ({"avatar_id": "avatar_999"}, 404, "avatar_id", None),
    ({"avatar_id": "avatar_nobody"}, 404, "avatar_id", None),
    ({"duration": 9}, 400, "duration", "invalid_duration"),
    ({"duration": 45}, 400, "duration", "invalid_duration"),
    ({"quality_tier": "ultra"}, 400, "quality_tier", "invalid_quality_tier"),
    ({"template_slug": "dance-video"}, 400, "template_slug", "invalid_template"),
    ({"audio_url": "https://example.com/missing.mp3"}, 400, "audio_url", "invalid_audio"),
    ({"audio_url": "https://example.com/noise.wav"}, 400, "audio_url", "invalid_audio"),
    ({"audio_url": "ftp://example.com/voice.wav"}, 400, "audio_url", "invalid_audio"),
    ({"audio_url": TRACK_URL, "duration": 7}, 400, "audio_url", "audio_too_long"),
    ({"generate_audio": True}, 400, "generate_audio", "voice_unavailable"),
    ({"generate_audio": True, "audio_url": TRACK_URL}, 400, "generate_audio",
     "conflicting_inputs"),
    ({"source_video_url": "https://example.com/a.mp4"}, 400, "source_video_url",
     "unsupported_input"),
])
def test_bad_ugc_input_is_the_videotok_error_and_charges_nothing(api, workspace, kit, funded,
                                                                 served, change, status,
                                                                 field, reason):
    before = state(workspace)
    uploads = Upload.objects.count()

    response = api.post(GENERATIONS, {**UGC, "avatar_id": "avatar_maya", **change})

    assert response.status_code == status, response.json()
    error = response.json()["error"]
    assert set(error) == {"code", "message", "retryable", "context"}
    assert error["code"] == ("not_found" if status == 404 else "bad_request")
    assert error["retryable"] is False
    assert error["context"]["field"] == field
    if reason:
        assert error["context"]["reason"] == reason
    assert state(workspace) == before
    assert Upload.objects.count() == uploads  # no voice track or product photo kept


def test_another_workspaces_presenter_is_not_found(api, other_api, workspace, kit, funded,
                                                   avatar_123):
    response = other_api.post(GENERATIONS, {**UGC, "avatar_id": "avatar_123"})

    assert response.status_code == 404
    assert response.json()["error"]["context"]["field"] == "avatar_id"


def test_a_presenter_on_a_video_ad_is_refused_as_unsupported(api, workspace, kit, funded):
    before = state(workspace)

    response = api.post(GENERATIONS, {"type": "video_ad", "avatar_id": "avatar_maya"})

    assert response.status_code == 400
    assert response.json()["error"]["context"]["reason"] == "unsupported_input"
    assert state(workspace) == before


def test_a_render_failure_refunds_the_ugc_generation(api, workspace, kit, funded, eager,
                                                     served, monkeypatch,
                                                     django_capture_on_commit_callbacks):
    def broken(**kwargs):
        raise RuntimeError("encoder exploded")

    monkeypatch.setattr("generations.render.ugc.render_ugc", broken)

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(GENERATIONS, {**UGC, "avatar_id": "avatar_maya"})

    shown = api.get(f"{GENERATIONS}/{response.json()['generation_id']}").json()
    assert shown["status"] == "failed"
    assert shown["credits_refunded"] == shown["credits_deducted"] == 20
    assert state(workspace)["balance"] == 250
