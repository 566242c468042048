"""OpenAI-compatible ``POST /v1/audio/speech``: JSON ``{model, input, voice, response_format,
speed, instructions}`` in, the audio file's bytes out (https://developers.openai.com/api/
reference/resources/audio/subresources/speech/methods/create; see tests/providers/README.md)."""

from __future__ import annotations

from typing import Any

from .media import speech_audio
from .server import BadRequest, FakeProvider, Received, Reply, require_bearer

MODELS = ("tts-1", "tts-1-hd", "gpt-4o-mini-tts")
VOICES = ("alloy", "ash", "ballad", "coral", "echo", "fable", "onyx", "nova", "sage",
          "shimmer", "verse")
FORMATS = {"mp3": "audio/mpeg", "opus": "audio/ogg", "aac": "audio/aac", "flac": "audio/flac",
           "wav": "audio/wav", "pcm": "audio/pcm"}
CHARACTERS_PER_SECOND = 15  # how fast the fake "speaks": the clip length follows the text


def spoken_seconds(text: str, speed: float = 1.0) -> float:
    return round(max(len(text) / CHARACTERS_PER_SECOND, 0.5) / speed, 2)


class OpenAISpeechFake(FakeProvider):
    name = "openai-speech"

    def __init__(self, *, api_key: str = "sk-test-speech") -> None:
        super().__init__()
        self.api_key = api_key
        self.answer_bytes: bytes | None = None

    def counts(self, received: Received) -> bool:
        return received.path == "/v1/audio/speech"

    def error_body(self, status: int, message: str, **extra: Any) -> Any:
        return {"error": {"message": message, "type": "invalid_request_error"
                          if status < 500 and status != 429 else "server_error",
                          "param": extra.get("param"), "code": extra.get("code")}}

    def answer(self, received: Received) -> Reply:
        require_bearer(received, self.api_key)
        if received.method != "POST" or received.path != "/v1/audio/speech":
            raise BadRequest(f"Invalid URL ({received.method} {received.path})", status=404)
        data = received.json()
        if data.get("model") not in MODELS:
            raise BadRequest(f"The model `{data.get('model')}` does not exist or you do not "
                             "have access to it.", status=404, code="model_not_found")
        text = data.get("input")
        if not isinstance(text, str) or not text.strip():
            raise BadRequest("Missing required parameter: 'input'.", param="input",
                             code="missing_required_parameter")
        if len(text) > 4096:
            raise BadRequest("Invalid 'input': string too long. Expected a string with maximum "
                             "length 4096.", param="input", code="string_above_max_length")
        if data.get("voice") not in VOICES:
            raise BadRequest(f"Invalid value: '{data.get('voice')}'. Supported values are: "
                             + ", ".join(f"'{v}'" for v in VOICES) + ".", param="voice",
                             code="invalid_value")
        fmt = data.get("response_format", "mp3")
        if fmt not in FORMATS:
            raise BadRequest(f"Invalid value: '{fmt}'.", param="response_format",
                             code="invalid_value")
        speed = float(data.get("speed", 1.0))
        if not 0.25 <= speed <= 4.0:
            raise BadRequest("Invalid 'speed': must be between 0.25 and 4.0.", param="speed",
                             code="invalid_value")
        if "instructions" in data and data["model"] in ("tts-1", "tts-1-hd"):
            raise BadRequest("instructions are not supported for tts-1 and tts-1-hd.",
                             param="instructions", code="invalid_value")
        content = self.answer_bytes or speech_audio(seconds=spoken_seconds(text, speed),
                                                    fmt=fmt)
        return Reply(200, content, {"Content-Type": FORMATS[fmt]})
