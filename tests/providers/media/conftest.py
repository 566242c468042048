"""Fixtures for the media adapters: each fake running, the
settings pointing at it, and the framework's waits recorded instead of slept."""

from __future__ import annotations

import pytest

from generations.providers import http, video_queue
from tests.api.conftest import (  # noqa: F401  (surfaces, videotok)
    api,
    api_key,
    eager,
    funded,
    kit,
    ready_brand,
)
from tests.api.test_videotok_generations import fetched  # noqa: F401  (videotok)
from tests.generations.conftest import brand, credits, product  # noqa: F401  (pipeline tests)
from tests.providers.media_fakes.config import (
    media_provider,
    speech_settings,
    video_queue_settings,
)
from tests.providers.media_fakes.fal_queue import FalQueueFake
from tests.providers.media_fakes.gemini import GeminiFake
from tests.providers.media_fakes.openai_images import OpenAIImagesFake
from tests.providers.media_fakes.openai_speech import OpenAISpeechFake


@pytest.fixture
def waits(monkeypatch):
    """Backoff and Retry-After waits of the HTTP client, recorded instead of slept."""
    recorded: list[float] = []
    monkeypatch.setattr(http, "_sleep", recorded.append)
    return recorded


@pytest.fixture
def polls(monkeypatch):
    """The video queue's waits between status polls, recorded instead of slept."""
    recorded: list[float] = []
    monkeypatch.setattr(video_queue, "_sleep", recorded.append)
    return recorded


@pytest.fixture
def loopback(settings):
    # The fakes listen on 127.0.0.1; outputs they point at are fetched by the SSRF-safe client.
    settings.STUDIO_OUTBOUND_ALLOW_LOOPBACK = True


@pytest.fixture
def openai_images(settings, loopback, waits):
    with OpenAIImagesFake() as fake:
        settings.PROVIDERS = {**settings.PROVIDERS, "openai_images": media_provider(
            "openai_images", fake.base_url + "/v1", api_key=fake.api_key,
            model="gpt-image-1", cost_per_call_usd=0.042)}
        yield fake


@pytest.fixture
def gemini(settings, loopback, waits):
    with GeminiFake() as fake:
        settings.PROVIDERS = {**settings.PROVIDERS, "gemini": media_provider(
            "gemini", fake.base_url + "/v1beta", api_key=fake.api_key,
            model="gemini-2.5-flash-image", cost_per_call_usd=0.039,
            auth_header=("x-goog-api-key", "{key}"))}
        yield fake


@pytest.fixture
def fal(settings, loopback, waits, polls):
    with FalQueueFake() as fake:
        settings.PROVIDERS = {**settings.PROVIDERS,
                              "video_queue": video_queue_settings(fake.base_url,
                                                                  api_key=fake.api_key)}
        yield fake


@pytest.fixture
def speech(settings, loopback, waits):
    with OpenAISpeechFake() as fake:
        settings.PROVIDERS = {**settings.PROVIDERS,
                              "speech": speech_settings(fake.base_url + "/v1",
                                                        api_key=fake.api_key)}
        yield fake
