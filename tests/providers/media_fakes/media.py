"""Real, decodable media the fakes answer with: PNG scenes, H.264 MP4 clips, speech audio."""

from __future__ import annotations

import io
import math
from fractions import Fraction

import av
import numpy as np
from PIL import Image, ImageDraw

SCENE_WALL = (38, 166, 104)  # a green no test brand uses, so a render shows where it went


def scene_png(width: int, height: int, *, colour=SCENE_WALL, fmt: str = "PNG") -> bytes:
    """A lifestyle-scene stand-in: a wall, a table edge and a window of light."""
    image = Image.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, int(height * 0.68), width, height], fill=(120, 92, 64))
    draw.rectangle([int(width * 0.6), int(height * 0.08), int(width * 0.92),
                    int(height * 0.45)], fill=(236, 226, 204))
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def mp4_clip(*, seconds: float, width: int = 320, height: int = 568, fps: int = 30) -> bytes:
    """An H.264/yuv420p MP4 of exactly ``seconds`` (frames × 1/fps)."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.time_base = Fraction(1, fps)
        frames = round(seconds * fps)
        for index in range(frames):
            shade = int(80 + 120 * index / max(frames - 1, 1))
            array = np.full((height, width, 3), (shade, 90, 160), np.uint8)
            frame = av.VideoFrame.from_ndarray(array, format="rgb24")
            frame.pts = index
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


SPEECH_SAMPLE_RATE = 24_000  # OpenAI's pcm output: 24 kHz, 16-bit signed, mono, little-endian


def speech_samples(seconds: float) -> np.ndarray:
    count = round(seconds * SPEECH_SAMPLE_RATE)
    t = np.arange(count) / SPEECH_SAMPLE_RATE
    tone = 0.3 * np.sin(2 * math.pi * 220 * t) * (0.6 + 0.4 * np.sin(2 * math.pi * 3 * t))
    return (tone * 32767).astype("<i2")


def speech_audio(*, seconds: float, fmt: str) -> bytes:
    """``seconds`` of a voiced tone as the response_format asks (mp3, aac, opus, flac, wav, pcm)."""
    samples = speech_samples(seconds)
    if fmt == "pcm":
        return samples.tobytes()
    container_format, codec = {"mp3": ("mp3", "libmp3lame"), "aac": ("adts", "aac"),
                               "opus": ("ogg", "libopus"), "flac": ("flac", "flac"),
                               "wav": ("wav", "pcm_s16le")}[fmt]
    rate = 48_000 if fmt == "opus" else SPEECH_SAMPLE_RATE
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=container_format) as container:
        stream = container.add_stream(codec, rate=rate, layout="mono")
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = SPEECH_SAMPLE_RATE
        frame.pts = 0
        resampler = av.AudioResampler(format=stream.codec_context.format.name, layout="mono",
                                      rate=rate)
        for resampled in resampler.resample(frame) + resampler.resample(None):
            for packet in stream.encode(resampled):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()
