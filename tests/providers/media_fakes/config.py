"""Settings that point the media providers at running fakes (what ``studio.settings`` builds
from ``PROVIDER_<NAME>_*``)."""

from __future__ import annotations

from typing import Any


def media_provider(name: str, base_url: str, *, api_key: str, model: str,
                   **extra: Any) -> dict[str, Any]:
    return {"name": name, "enabled": True, "base_url": base_url.rstrip("/"), "api_key": api_key,
            "model": model, "timeout": 5.0, "connect_timeout": 2.0, "max_retries": 2,
            "concurrency": 4, "paid": True, "cost_per_call_usd": 0.04,
            "auth_header": ("Authorization", "Bearer {key}"), **extra}


def video_queue_settings(base_url: str, *, api_key: str = "fal-test-key") -> dict[str, Any]:
    return media_provider(
        "video_queue", base_url, api_key=api_key, auth_header=("Authorization", "Key {key}"),
        model="fal-ai/kling-video/v3/pro/image-to-video", cost_per_call_usd=0.0,
        endpoints={"kling-v3-pro": "fal-ai/kling-video/v3/pro/image-to-video",
                   "veo": "fal-ai/veo3.1/first-last-frame-to-video",
                   "hosted-video": "fal-ai/kling-video/v2.1/pro/image-to-video"},
        poll_seconds=2.0, max_wait_seconds=600.0, cost_per_second_usd=0.112)


def speech_settings(base_url: str, *, api_key: str = "sk-test-speech",
                    model: str = "gpt-4o-mini-tts", fmt: str = "mp3") -> dict[str, Any]:
    return media_provider("speech", base_url, api_key=api_key, model=model,
                          cost_per_call_usd=0.0, voice="alloy", format=fmt,
                          cost_per_1k_chars_usd=0.015)
