"""One small interface per capability, and the provider errors.

The local engine implements every capability (copy: ``LocalCopywriter``; brand reading: the
scrape's heuristics; images and video: the renderer); an adapter implements the same call over
HTTP. Adapters raise only the errors below, which are ``AppError`` subclasses, so every surface
renders them in its own envelope and nothing is charged for a refused request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from generations.render.copy import CopyProvider
from studio.exceptions import AppError, ServiceUnavailable

# Capability names: the registry's keys, ``ProviderCall.capability`` and the models endpoints.
COPY = "copy"
BRAND_READING = "brand_reading"
IMAGE_GENERATE = "image_generate"
IMAGE_EDIT = "image_edit"  # edits and in-situ scenes: an image in, an image out
IMAGE_TO_VIDEO = "image_to_video"
SPEECH = "speech"
MODERATION = "moderation"
CAPABILITIES = (COPY, BRAND_READING, IMAGE_GENERATE, IMAGE_EDIT, IMAGE_TO_VIDEO, SPEECH,
                MODERATION)


class ProviderError(AppError):
    """A provider answered with an error, a malformed body or not at all. ``retryable`` says
    whether asking again later may succeed (429, 5xx, time-outs, connection errors)."""

    code = "provider_error"
    status = 502
    default_message = "The model provider could not complete the request."

    def __init__(self, message: str | None = None, *, provider: str, retryable: bool,
                 status: int | None = None, upstream_status: int | None = None,
                 code: str | None = None) -> None:
        super().__init__(message, code=code, status=status, retryable=retryable,
                         details={"provider": provider,
                                  **({"upstream_status": upstream_status}
                                     if upstream_status is not None else {})})
        self.provider = provider
        self.upstream_status = upstream_status


class ProviderUnavailable(ServiceUnavailable):
    """The provider is not configured, not allowed for this workspace, or its breaker is open:
    nothing was sent and nothing is charged."""

    code = "provider_unavailable"
    default_message = "The model provider is not available right now."

    def __init__(self, message: str | None = None, *, provider: str,
                 retry_after: float | None = None) -> None:
        super().__init__(message, details={"provider": provider,
                                           **({"retry_after": round(retry_after)}
                                              if retry_after is not None else {})})
        self.provider = provider
        self.retry_after = retry_after


class ModelUnavailable(AppError):
    """A model id that only a provider serves, asked for while that provider is off (or not
    allowed for the workspace). A 4xx: the caller can pick a listed model."""

    code = "model_unavailable"
    status = 400
    default_message = "This model is not available on this server."


# --------------------------------------------------------------------------- value types
@dataclass(frozen=True)
class BrandReading:
    """What a reader found in a site's text; empty fields mean "found nothing"."""

    tone: str = ""
    audience: str = ""
    value_props: tuple[str, ...] = ()
    language: str = ""


@dataclass(frozen=True)
class ImageResult:
    """Encoded image bytes as the provider returned them, before validation and storage."""

    content: bytes
    mime_type: str
    revised_prompt: str = ""


@dataclass(frozen=True)
class VideoResult:
    content: bytes
    mime_type: str = "video/mp4"


@dataclass(frozen=True)
class SpeechResult:
    content: bytes
    mime_type: str = "audio/mpeg"


@dataclass(frozen=True)
class ModerationResult:
    flagged: bool
    categories: tuple[str, ...] = ()  # the categories that were flagged
    scores: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class CallContext:
    """Who a call is for: recorded on the ``ProviderCall`` row and checked against the
    workspace's paid-provider switch."""

    job_id: int | None = None
    workspace_id: int | None = None


NO_CONTEXT = CallContext()


# --------------------------------------------------------------------------- capabilities
# Copy: the same call as the local copywriter (generations.render.copy.CopyProvider).
CopyWriter = CopyProvider


@runtime_checkable
class BrandReader(Protocol):
    def read(self, *, text: str, brand_name: str, language: str = "") -> BrandReading: ...


@runtime_checkable
class ImageGenerator(Protocol):
    def generate(self, *, prompt: str, width: int, height: int, model: str,
                 context: CallContext = NO_CONTEXT) -> ImageResult: ...


@runtime_checkable
class ImageEditor(Protocol):
    """Edits or places a product into a scene: ``image`` is the input (a cut-out for in-situ),
    ``mask`` optional (transparent where the model may paint)."""

    def edit(self, *, image: bytes, prompt: str, width: int, height: int, model: str,
             mask: bytes | None = None, context: CallContext = NO_CONTEXT) -> ImageResult: ...


@runtime_checkable
class ImageToVideo(Protocol):
    """Animates ``first`` (optionally towards ``last``: first-frame/last-frame models)."""

    def animate(self, *, first: bytes, prompt: str, duration: float, model: str,
                aspect_ratio: str, last: bytes | None = None,
                context: CallContext = NO_CONTEXT) -> VideoResult: ...


@runtime_checkable
class SpeechSynthesizer(Protocol):
    def speak(self, *, text: str, voice: str, model: str,
              context: CallContext = NO_CONTEXT) -> SpeechResult: ...


@runtime_checkable
class Moderator(Protocol):
    def moderate(self, *, text: str = "", image: bytes | None = None,
                 context: CallContext = NO_CONTEXT) -> ModerationResult: ...
