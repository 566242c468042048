"""Voice-over: an OpenAI-compatible ``POST /audio/speech`` adapter, and the one entry point
the rest of the studio calls, :func:`synthesize_speech`.

The request is ``{model, input, voice, response_format}`` (plus ``instructions`` for the models
that take them, used to ask for the script's language); the answer is the audio file itself.
The file is decoded in full before it counts, which also measures how long it plays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from .base import (
    NO_CONTEXT,
    SPEECH,
    CallContext,
    ProviderError,
    ProviderUnavailable,
    SpeechResult,
)
from .http import ProviderClient, ProviderResponse
from .outputs import audio_seconds

MIME_TYPES = {"mp3": "audio/mpeg", "opus": "audio/ogg", "aac": "audio/aac",
              "flac": "audio/flac", "wav": "audio/wav", "pcm": "audio/pcm"}
MAX_INPUT_CHARACTERS = 4096
# OpenAI's first TTS models take no ``instructions``; newer ones (and compatible servers that
# follow them) do.
NO_INSTRUCTIONS = ("tts-1", "tts-1-hd")
LANGUAGE_NAMES = {"en": "English", "de": "German", "fr": "French", "es": "Spanish",
                  "it": "Italian", "pt": "Portuguese", "nl": "Dutch", "sv": "Swedish",
                  "da": "Danish", "nb": "Norwegian", "fi": "Finnish", "pl": "Polish",
                  "cs": "Czech", "tr": "Turkish", "ja": "Japanese", "ko": "Korean",
                  "zh": "Chinese", "ar": "Arabic", "he": "Hebrew", "hi": "Hindi",
                  "ru": "Russian", "uk": "Ukrainian"}


@dataclass(frozen=True)
class VoiceOver:
    """Checked speech audio: ``audio`` plays for ``duration_seconds``."""

    audio: bytes
    mime_type: str
    duration_seconds: float
    voice: str
    model: str
    provider: str


class OpenAISpeech:
    """SpeechSynthesizer over ``POST /audio/speech``."""

    def __init__(self, *, client: ProviderClient) -> None:
        self.client = client

    @property
    def provider(self) -> str:
        return self.client.name

    def speak(self, *, text: str, voice: str, model: str, language: str = "",
              context: CallContext = NO_CONTEXT) -> SpeechResult:
        fmt = str(self.client.config.get("format") or "mp3")
        if fmt not in MIME_TYPES:
            raise ProviderError(f"PROVIDER_SPEECH_FORMAT must be one of "
                                f"{', '.join(MIME_TYPES)} (it is {fmt!r}).",
                                provider=self.provider, retryable=False,
                                code="provider_not_configured")
        body: dict[str, Any] = {"model": model, "input": text, "voice": voice,
                                "response_format": fmt}
        name = LANGUAGE_NAMES.get(language.split("-")[0].lower()) if language else None
        if name and model not in NO_INSTRUCTIONS:
            body["instructions"] = f"Speak in {name}, warmly and clearly, like a creator " \
                                   "talking to camera."
        per_1k = float(self.client.config.get("cost_per_1k_chars_usd", 0.0))
        return self.client.call(
            "POST", "/audio/speech", capability=SPEECH, model=model, json=body,
            headers={"Accept": MIME_TYPES[fmt]}, context=context,
            cost_usd=round(per_1k * len(text) / 1000, 6),
            parse=lambda response: self._parse(response, mime=MIME_TYPES[fmt]))

    def _parse(self, response: ProviderResponse, *, mime: str) -> SpeechResult:
        if not response.content:
            raise ValueError("the speech answer is empty")
        if response.headers.get("content-type", "").startswith("application/json"):
            raise ValueError("the speech answer is JSON, not audio")
        return SpeechResult(content=response.content, mime_type=mime)


def speech_available(*, workspace: Any = None) -> bool:
    """Whether :func:`synthesize_speech` has a provider to call for ``workspace``."""
    from . import registry

    return any(registry.provider_allowed(name, workspace=workspace)
               for name in registry.ADAPTERS.get(SPEECH, {}))


def synthesize_speech(*, text: str, voice: str = "", language: str = "",
                      workspace: Any = None, context: CallContext = NO_CONTEXT
                      ) -> VoiceOver:
    """``text`` spoken by ``voice`` (empty: ``PROVIDER_SPEECH_VOICE``) in ``language`` (an ISO
    639-1 code, or empty to let the model follow the text), checked and measured.

    Raises ``ProviderUnavailable`` when no speech provider is configured or allowed for the
    workspace (nothing sent), ``ProviderError`` when the provider fails or answers audio that
    does not decode (retryable), and ``ProviderError`` with status 400 for text that is empty
    or longer than the 4,096 characters one request takes.
    """
    from . import registry

    adapter = registry.adapter(SPEECH, workspace=workspace)
    if adapter is None:
        raise ProviderUnavailable("No speech provider is configured on this server "
                                  "(set PROVIDER_SPEECH_API_KEY or PROVIDER_SPEECH_BASE_URL).",
                                  provider="speech")
    if not text.strip() or len(text) > MAX_INPUT_CHARACTERS:
        raise ProviderError(f"A voice-over script must be 1 to {MAX_INPUT_CHARACTERS} "
                            f"characters (this one is {len(text)}).", provider=adapter.provider,
                            retryable=False, status=400, code="invalid_script")
    config = settings.PROVIDERS[adapter.provider]
    model = str(config.get("model") or "tts-1")
    voice = voice or str(config.get("voice") or "alloy")
    result = adapter.speak(text=text, voice=voice, model=model, language=language,
                           context=context)
    seconds = audio_seconds(result.content, provider=adapter.provider,
                            mime_type=result.mime_type)
    return VoiceOver(audio=result.content, mime_type=result.mime_type,
                     duration_seconds=seconds, voice=voice, model=model,
                     provider=adapter.provider)
