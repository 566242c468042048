"""Google Gemini API ``POST /v1beta/models/{model}:generateContent`` for the image models
(gemini-2.5-flash-image, "Nano Banana"): text and ``inlineData`` image parts in, ``inlineData``
image parts out (https://ai.google.dev/api/generate-content; see tests/providers/README.md)."""

from __future__ import annotations

import base64
import binascii
import io
import re
from typing import Any

from PIL import Image

from .media import scene_png
from .server import BadRequest, FakeProvider, Fault, Received, Reply

IMAGE_MODELS = ("gemini-2.5-flash-image", "gemini-2.5-flash-image-preview",
                "gemini-3-pro-image-preview", "gemini-3.1-flash-image-preview")
INPUT_MIME_TYPES = ("image/png", "image/jpeg", "image/webp", "image/heic", "image/heif")
# Output sizes of gemini-2.5-flash-image per aspect ratio (1290 output tokens each).
ASPECT_SIZES = {"1:1": (1024, 1024), "2:3": (832, 1248), "3:2": (1248, 832),
                "3:4": (864, 1184), "4:3": (1184, 864), "4:5": (896, 1152),
                "5:4": (1152, 896), "9:16": (768, 1344), "16:9": (1344, 768),
                "21:9": (1536, 672)}
STATUS_NAMES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
                404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE",
                504: "DEADLINE_EXCEEDED"}
PATH = re.compile(r"^/v1beta/models/(?P<model>[^/:]+):generateContent$")


def _get(mapping: dict[str, Any], camel: str, snake: str) -> Any:
    """The REST API accepts the proto JSON field names in camelCase and snake_case."""
    return mapping.get(camel, mapping.get(snake))


class GeminiFake(FakeProvider):
    name = "gemini"

    def __init__(self, *, api_key: str = "AIza-test-gemini") -> None:
        super().__init__()
        self.api_key = api_key
        self.block_next = ""  # a finishReason such as IMAGE_SAFETY for the next answer
        self.text_only = False  # answer with a text part and no image
        self.answer_bytes: bytes | None = None

    def error_body(self, status: int, message: str, **extra: Any) -> Any:
        error: dict[str, Any] = {"code": status, "message": message,
                                 "status": STATUS_NAMES.get(status, "UNKNOWN")}
        if extra.get("details"):
            error["details"] = extra["details"]
        return {"error": error}

    def fault_message(self, fault: Fault) -> str:
        if fault.status == 429:
            return ("You exceeded your current quota, please check your plan and billing "
                    "details.")
        if fault.status == 503:
            return "The model is overloaded. Please try again later."
        return "An internal error has occurred. Please retry or report in "\
               "https://developers.generativeai.google/guide/troubleshooting"

    def _reply(self, received: Received) -> Reply:
        reply = super()._reply(received)
        if reply.status == 429 and "retry-after" in {k.lower() for k in reply.headers}:
            # Google states the wait in the body (google.rpc.RetryInfo), not in a header.
            seconds = reply.headers.pop("Retry-After")
            body = self.error_body(429, self.fault_message(Fault.rate_limited()), details=[
                {"@type": "type.googleapis.com/google.rpc.RetryInfo",
                 "retryDelay": f"{seconds}s"}])
            return Reply.json(429, body)
        return reply

    def answer(self, received: Received) -> Reply:
        match = PATH.match(received.path)
        if received.method != "POST" or not match:
            raise BadRequest(f"Method not found: {received.method} {received.path}",
                             status=404)
        if received.headers.get("authorization", "").startswith("Bearer "):
            # Google reads a Bearer header as an OAuth 2 access token, whatever else is sent.
            raise BadRequest("Request had invalid authentication credentials. Expected OAuth 2 "
                             "access token, login cookie or other valid authentication "
                             "credential.", status=401)
        key = received.headers.get("x-goog-api-key") or (received.query.get("key") or [""])[0]
        if not key:
            raise BadRequest("Method doesn't allow unregistered callers (callers without "
                             "established identity). Please use API Key or other form of API "
                             "consumer identity to call this API.", status=403)
        if key != self.api_key:
            raise BadRequest("API key not valid. Please pass a valid API key.", details=[
                {"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                 "reason": "API_KEY_INVALID", "domain": "googleapis.com"}])
        model = match["model"]
        if model not in IMAGE_MODELS:
            raise BadRequest(f"models/{model} is not found for API version v1beta, or is not "
                             "supported for generateContent.", status=404)
        try:
            data = received.json()
        except ValueError as exc:
            raise BadRequest("Invalid JSON payload received.") from exc
        contents = data.get("contents")
        if not isinstance(contents, list) or not contents:
            raise BadRequest("* GenerateContentRequest.contents: contents is not specified")
        texts, images = [], []
        for content in contents:
            for part in content.get("parts") or []:
                inline = _get(part, "inlineData", "inline_data")
                if "text" in part:
                    texts.append(part["text"])
                elif inline is not None:
                    images.append(_inline_image(inline))
                else:
                    raise BadRequest("Invalid JSON payload: unknown part.")
        if not any(t.strip() for t in texts):
            raise BadRequest("* GenerateContentRequest.contents[0].parts: a text part is "
                             "required to ask for an image")
        config = _get(data, "generationConfig", "generation_config") or {}
        modalities = _get(config, "responseModalities", "response_modalities") or ["TEXT"]
        aspect = (_get(config, "imageConfig", "image_config") or {}).get(
            "aspectRatio", (_get(config, "imageConfig", "image_config") or {}).get(
                "aspect_ratio"))
        if aspect is not None and aspect not in ASPECT_SIZES:
            raise BadRequest(f"* GenerationConfig.image_config.aspect_ratio: unsupported "
                             f"aspect ratio {aspect!r}")
        if "IMAGE" not in [m.upper() for m in modalities]:
            return self._candidate([{"text": "Here is a description of the scene."}])
        if self.block_next:
            reason, self.block_next = self.block_next, ""
            return Reply.json(200, {"candidates": [{"content": {"parts": [], "role": "model"},
                                                    "finishReason": reason, "index": 0}],
                                    "usageMetadata": {"promptTokenCount": 12,
                                                      "candidatesTokenCount": 0,
                                                      "totalTokenCount": 12},
                                    "modelVersion": model})
        if self.text_only:
            return self._candidate([{"text": "I can't make that image."}])
        if images:
            width, height = images[0]
        else:
            width, height = ASPECT_SIZES[aspect or "1:1"]
        picture = self.answer_bytes or scene_png(width, height)
        return self._candidate([{"text": "Here is your scene."},
                                {"inlineData": {"mimeType": "image/png",
                                                "data": base64.b64encode(picture).decode()}}],
                               model=model, image_tokens=1290)

    def _candidate(self, parts: list[dict], *, model: str = "gemini-2.5-flash-image",
                   image_tokens: int = 0) -> Reply:
        return Reply.json(200, {
            "candidates": [{"content": {"parts": parts, "role": "model"},
                            "finishReason": "STOP", "index": 0}],
            "usageMetadata": {"promptTokenCount": 40, "candidatesTokenCount": image_tokens + 6,
                              "totalTokenCount": 46 + image_tokens},
            "modelVersion": model, "responseId": "fake-response-1"})


def _inline_image(inline: dict[str, Any]) -> tuple[int, int]:
    mime = _get(inline, "mimeType", "mime_type")
    if mime not in INPUT_MIME_TYPES:
        raise BadRequest(f"Unsupported MIME type: {mime}")
    try:
        content = base64.b64decode(inline.get("data") or "", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadRequest("Invalid value at 'contents[0].parts[1].inline_data.data' (TYPE_BYTES),"
                         " Base64 decoding failed") from exc
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
            return image.size
    except Exception as exc:
        raise BadRequest("Unable to process input image. Please retry or report in "
                         "https://developers.generativeai.google/guide/troubleshooting") from exc
