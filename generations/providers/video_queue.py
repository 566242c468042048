"""Hosted image-to-video models behind a queue in fal.ai's protocol: submit → poll → fetch.

1. ``POST {base}/{endpoint}`` with the model's input answers ``request_id`` plus the
   ``status_url``, ``response_url`` and ``cancel_url`` of the request;
2. ``GET status_url`` until ``COMPLETED`` (``IN_QUEUE`` and ``IN_PROGRESS`` before it; a
   ``COMPLETED`` carrying ``error`` is a failed request), every ``poll_seconds``;
3. ``GET response_url`` gives the output, whose ``video.url`` is downloaded through the
   SSRF-safe client and checked (decodes, lasts what was asked) before it counts.

A request still open after ``max_wait_seconds`` is cancelled (``PUT cancel_url``) and the
call fails as retryable. Input images travel as base64 data URIs, so the studio's media never
has to be reachable from outside; fal documents these for "some models" (URLs, e.g. from its
CDN upload, work with every one), and the image-to-video endpoints configured here take them.

Which endpoint serves a reference id (``kling-v3-pro``, ``veo``) is the provider's
``endpoints`` setting; the endpoint's family decides the input field names and how the
duration is written.
"""

from __future__ import annotations

import base64
import contextlib
import time
from dataclasses import dataclass
from typing import Any

from .base import IMAGE_TO_VIDEO, NO_CONTEXT, CallContext, ProviderError, VideoResult
from .http import Malformed, ProviderClient, ProviderResponse, fetch_url
from .outputs import checked_video

_sleep = time.sleep  # a seam: tests count the polls instead of waiting between them
_clock = time.monotonic


@dataclass(frozen=True)
class Family:
    """How one family of endpoints names its inputs."""

    first_field: str
    last_field: str | None
    durations: tuple[int, ...]
    duration_suffix: str = ""
    sends_aspect_ratio: bool = False


FAMILIES = {
    "veo": Family(first_field="first_frame_url", last_field="last_frame_url",
                  durations=(4, 6, 8), duration_suffix="s", sends_aspect_ratio=True),
    # Kling 3.0 and later name the first frame ``start_image_url`` (fal: "Seedance 2.0 takes
    # image_url, while Kling 3.0 Pro takes start_image_url"); 1.x and 2.x say ``image_url``.
    "kling": Family(first_field="start_image_url", last_field="end_image_url",
                    durations=(5, 10)),
    "kling-v2": Family(first_field="image_url", last_field="tail_image_url", durations=(5, 10)),
}


def family_for(endpoint: str) -> Family:
    if "veo" in endpoint:
        return FAMILIES["veo"]
    if "/v1" in endpoint or "/v2" in endpoint:
        return FAMILIES["kling-v2"]
    return FAMILIES["kling"]


@dataclass(frozen=True)
class Queued:
    request_id: str
    status_url: str
    response_url: str
    cancel_url: str


def _data_uri(content: bytes) -> str:
    mime = "image/jpeg" if content[:3] == b"\xff\xd8\xff" else "image/png"
    return f"data:{mime};base64,{base64.b64encode(content).decode('ascii')}"


class VideoQueue:
    """ImageToVideo over a fal-style queue."""

    def __init__(self, *, client: ProviderClient) -> None:
        self.client = client

    @property
    def provider(self) -> str:
        return self.client.name

    def endpoint_for(self, model: str) -> str:
        """The queue endpoint of ``model``: a reference id from the ``endpoints`` setting, or
        an endpoint path itself (``owner/app[/subpath]``)."""
        endpoints = self.client.config.get("endpoints") or {}
        if model in endpoints:
            return str(endpoints[model]).strip("/")
        if "/" in model:
            return model.strip("/")
        raise ProviderError(f"No queue endpoint is configured for the model {model!r}.",
                            provider=self.provider, retryable=False,
                            code="provider_not_configured")

    def durations(self, model: str) -> tuple[int, ...]:
        return family_for(self.endpoint_for(model)).durations

    def animate(self, *, first: bytes, prompt: str, duration: float, model: str,
                aspect_ratio: str, last: bytes | None = None,
                context: CallContext = NO_CONTEXT) -> VideoResult:
        endpoint = self.endpoint_for(model)
        family = family_for(endpoint)
        seconds = round(duration)
        if seconds not in family.durations:
            raise ProviderError(f"{model} makes clips of "
                                f"{', '.join(map(str, family.durations))} s, not {duration:g} s.",
                                provider=self.provider, retryable=False, status=400,
                                code="invalid_duration")
        body: dict[str, Any] = {"prompt": prompt, family.first_field: _data_uri(first),
                                "duration": f"{seconds}{family.duration_suffix}"}
        if last is not None:
            if family.last_field is None:
                raise ProviderError(f"{model} does not take a last frame.",
                                    provider=self.provider, retryable=False, status=400)
            body[family.last_field] = _data_uri(last)
        if family.sends_aspect_ratio:
            body["aspect_ratio"] = aspect_ratio
        queued = self.client.call("POST", f"/{endpoint}", capability=IMAGE_TO_VIDEO,
                                  model=endpoint, json=body,
                                  parse=self._parse_queued, context=context, cost_usd=0.0)
        self._wait(queued, endpoint=endpoint, context=context)
        cost = float(self.client.config.get("cost_per_second_usd", 0.0)) * seconds
        url = self.client.call("GET", queued.response_url, capability=IMAGE_TO_VIDEO,
                               model=endpoint,
                               parse=self._parse_result, context=context, cost_usd=cost)
        content = fetch_url(url, provider=self.provider)
        checked = checked_video(content, provider=self.provider, duration=seconds)
        return VideoResult(content=checked.content, mime_type="video/mp4")

    def _wait(self, queued: Queued, *, endpoint: str, context: CallContext) -> None:
        deadline = _clock() + float(self.client.config.get("max_wait_seconds", 900.0))
        interval = float(self.client.config.get("poll_seconds", 3.0))
        while True:
            status = self.client.call("GET", queued.status_url, capability=IMAGE_TO_VIDEO,
                                      model=endpoint,
                                      parse=_json_object, context=context, cost_usd=0.0)
            state = status.get("status")
            if state == "COMPLETED":
                if status.get("error"):
                    # fal already retried runner failures itself; what reaches us is final.
                    raise ProviderError(f"{self.provider} could not make the video: "
                                        f"{status['error']}", provider=self.provider,
                                        retryable=False, code="provider_failed")
                return
            if state not in ("IN_QUEUE", "IN_PROGRESS"):
                raise ProviderError(f"{self.provider} reported an unknown status {state!r}.",
                                    provider=self.provider, retryable=True,
                                    code="provider_bad_response")
            if _clock() >= deadline:
                self._cancel(queued, endpoint=endpoint, context=context)
                raise ProviderError(f"{self.provider} did not finish the video in time; the "
                                    "request was cancelled.", provider=self.provider,
                                    retryable=True, status=504, code="provider_timeout")
            _sleep(interval)

    def _cancel(self, queued: Queued, *, endpoint: str, context: CallContext) -> None:
        # ALREADY_COMPLETED or unreachable: either way there is nothing more to stop.
        with contextlib.suppress(ProviderError):
            self.client.call("PUT", queued.cancel_url, capability=IMAGE_TO_VIDEO,
                             model=endpoint, parse=_json_object,
                             context=context, cost_usd=0.0, max_retries=0)

    def _parse_queued(self, response: ProviderResponse) -> Queued:
        body = _json_object(response)
        return Queued(request_id=str(body["request_id"]), status_url=str(body["status_url"]),
                      response_url=str(body["response_url"]),
                      cancel_url=str(body["cancel_url"]))

    def _parse_result(self, response: ProviderResponse) -> str:
        body = _json_object(response)
        video = body.get("video")
        if not isinstance(video, dict) or not video.get("url"):
            raise Malformed("the result has no video.url")
        return str(video["url"])


def _json_object(response: ProviderResponse) -> dict[str, Any]:
    body = response.json()
    if not isinstance(body, dict):
        raise Malformed("the answer is not an object")
    return body
