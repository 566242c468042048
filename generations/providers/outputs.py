"""What a provider's image, video or audio must be before it counts: decodable, the size or
length that was asked for, and safe by the studio's one image gate (``studio.images``).

A provider output that fails is a retryable ``ProviderError`` (code ``provider_bad_output``):
asking again may well give a usable answer, and a concept whose output never passes fails and
is refunded like any other render failure.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings

from studio.images import CheckedImage, ImageRefused, check_image

from .base import ProviderError

# How far a returned image's proportions may stray from the ones asked for (models round their
# sizes to multiples of 8 or 64) and how far a clip's length may miss (codec frame rounding).
ASPECT_TOLERANCE = 0.04
DURATION_TOLERANCE_SECONDS = 0.35
MIN_OUTPUT_SIDE = 256


def _bad(provider: str, message: str) -> ProviderError:
    return ProviderError(message, provider=provider, retryable=True,
                         code="provider_bad_output")


def checked_image(content: bytes, *, provider: str, width: int, height: int) -> CheckedImage:
    """``content`` as a usable raster image whose proportions are ``width``:``height``."""
    try:
        checked = check_image(content, label=f"The {provider} image",
                              max_bytes=settings.PROVIDER_MAX_RESPONSE_BYTES)
    except ImageRefused as exc:
        raise _bad(provider, exc.message) from exc
    if min(checked.width, checked.height) < MIN_OUTPUT_SIDE:
        raise _bad(provider, f"The {provider} image is {checked.width} × {checked.height}; at "
                   f"least {MIN_OUTPUT_SIDE} px a side was expected.")
    asked, got = width / height, checked.width / checked.height
    if abs(got - asked) / asked > ASPECT_TOLERANCE:
        raise _bad(provider, f"The {provider} image is {checked.width} × {checked.height}, "
                   f"not the {width} × {height} proportions asked for.")
    return checked


@dataclass(frozen=True)
class CheckedVideo:
    content: bytes
    width: int
    height: int
    duration: float
    frames: int


def checked_video(content: bytes, *, provider: str, duration: float) -> CheckedVideo:
    """``content`` as an MP4 whose video stream decodes and lasts ``duration`` seconds."""
    import av

    try:
        with av.open(io.BytesIO(content), mode="r") as container:
            if not container.streams.video:
                raise _bad(provider, f"The {provider} file has no video stream.")
            stream = container.streams.video[0]
            frames = 0
            last_end = 0.0
            width = height = 0
            for frame in container.decode(stream):
                frames += 1
                width, height = frame.width, frame.height
                if frame.pts is not None and frame.time_base is not None:
                    step = (1 / float(stream.average_rate)) if stream.average_rate else 0.0
                    last_end = max(last_end, float(frame.pts * frame.time_base) + step)
    except ProviderError:
        raise
    except (av.FFmpegError, ValueError, IndexError, ZeroDivisionError) as exc:
        raise _bad(provider, f"The {provider} video cannot be decoded: {exc}") from exc
    if frames == 0:
        raise _bad(provider, f"The {provider} video has no frames.")
    if abs(last_end - duration) > DURATION_TOLERANCE_SECONDS:
        raise _bad(provider, f"The {provider} video lasts {last_end:.2f} s, not the "
                   f"{duration:g} s asked for.")
    return CheckedVideo(content=content, width=width, height=height,
                        duration=round(last_end, 3), frames=frames)


PCM_BYTES_PER_SECOND = 24_000 * 2  # OpenAI's ``pcm``: 24 kHz, 16-bit signed, mono


def audio_seconds(content: bytes, *, provider: str, mime_type: str) -> float:
    """How long ``content`` plays, measured by decoding every sample (container headers of
    streamed MP3 and ADTS files carry no reliable length)."""
    if mime_type == "audio/pcm":
        if not content or len(content) % 2:
            raise _bad(provider, f"The {provider} PCM audio is empty or cut mid-sample.")
        return round(len(content) / PCM_BYTES_PER_SECOND, 3)
    import av

    samples = 0
    rate = 0
    try:
        with av.open(io.BytesIO(content), mode="r") as container:
            if not container.streams.audio:
                raise _bad(provider, f"The {provider} file has no audio stream.")
            stream = container.streams.audio[0]
            for frame in container.decode(stream):
                samples += frame.samples
                rate = frame.sample_rate
    except ProviderError:
        raise
    except (av.FFmpegError, ValueError, IndexError) as exc:
        raise _bad(provider, f"The {provider} audio cannot be decoded: {exc}") from exc
    if samples == 0 or rate == 0:
        raise _bad(provider, f"The {provider} audio has no samples.")
    return round(samples / rate, 3)
