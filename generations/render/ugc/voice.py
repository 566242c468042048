"""The voice-over of a UGC video: a supplied track, or speech from a provider, or none.

Without a voice the video is silent and its captions run at reading speed. A supplied track
(videotok ``audio_url``) is decoded here with PyAV to 44.1 kHz stereo and the captions are
spread over the part of it that holds speech. Generated speech comes from the speech provider
(``generations.providers.speech``), called by the pipeline, and is decoded here the same way.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import av
import numpy as np

RATE = 44100
MIN_SECONDS = 2.0
SILENCE = 0.02  # envelope level (of the loudest part) under which a frame is not speech


class AudioRefused(ValueError):
    """The bytes are not a usable audio track (no audio stream, undecodable, too short/long)."""


@dataclass(frozen=True)
class Voiceover:
    samples: np.ndarray  # float32, shape (2, n), at RATE
    source: str  # "supplied" | "synthesized"

    @property
    def duration(self) -> float:
        return self.samples.shape[1] / RATE

    def envelope(self, fps: int) -> np.ndarray:
        """Loudness per video frame, 0..1 (the loudest frame is 1)."""
        mono = np.abs(self.samples).mean(axis=0)
        per = RATE / fps
        count = max(1, int(np.ceil(mono.shape[0] / per)))
        padded = np.zeros(int(count * per) + 1, np.float32)
        padded[: mono.shape[0]] = mono
        frames = np.array([padded[int(i * per):int((i + 1) * per)].mean() for i in range(count)],
                          np.float32)
        peak = float(frames.max()) or 1.0
        return frames / peak

    def speech_span(self, fps: int) -> tuple[float, float]:
        """When speech starts and ends (the first and last frame above silence)."""
        loud = np.flatnonzero(self.envelope(fps) > SILENCE)
        if not len(loud):
            return 0.0, self.duration
        return float(loud[0]) / fps, min(self.duration, float(loud[-1] + 1) / fps)


def _stereo(samples: np.ndarray) -> np.ndarray:
    samples = np.asarray(samples, np.float32)
    if samples.ndim == 1:
        samples = samples[None, :]
    if samples.shape[0] > samples.shape[-1]:
        samples = samples.T
    if samples.shape[0] == 1:
        samples = np.repeat(samples, 2, axis=0)
    return np.ascontiguousarray(np.clip(samples[:2], -1.0, 1.0))


def decode_audio(data: bytes, *, max_seconds: float, source: str = "supplied") -> Voiceover:
    """The first audio stream of ``data`` (MP3, AAC/M4A, WAV, Ogg, …) as 44.1 kHz stereo."""
    try:
        with av.open(io.BytesIO(data), "r") as container:
            if not container.streams.audio:
                raise AudioRefused("the file has no audio stream")
            resampler = av.AudioResampler(format="fltp", layout="stereo", rate=RATE)
            chunks = []
            total = 0
            for frame in container.decode(audio=0):
                for out in resampler.resample(frame):
                    chunk = out.to_ndarray()
                    chunks.append(chunk)
                    total += chunk.shape[1]
                if total > (max_seconds + 1) * RATE:
                    raise AudioRefused(f"the track is longer than {max_seconds:g} seconds")
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray())
    except AudioRefused:
        raise
    except (av.FFmpegError, ValueError, OSError, IndexError) as exc:
        raise AudioRefused("the file is not an audio track PyAV can decode") from exc
    if not chunks:
        raise AudioRefused("the track holds no sound")
    samples = _stereo(np.concatenate(chunks, axis=1))
    voice = Voiceover(samples=samples, source=source)
    if voice.duration < MIN_SECONDS:
        raise AudioRefused(f"the track is {voice.duration:.1f} s; at least {MIN_SECONDS:g} s "
                           "is needed")
    if voice.duration > max_seconds + 0.05:
        raise AudioRefused(f"the track is {voice.duration:.1f} s, longer than "
                           f"{max_seconds:g} seconds")
    return voice
