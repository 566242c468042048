"""Google Gemini image adapter: ``POST /models/{model}:generateContent`` for the image models
(gemini-2.5-flash-image, "Nano Banana"): a text part (and for edits an ``inlineData`` image part)
in, the first ``inlineData`` image part of the first candidate out.

Authentication is the ``x-goog-api-key`` header (the provider's ``auth_header`` setting).
Google reads an ``Authorization: Bearer`` header as an OAuth token and refuses the call when it
is not one, so the key must never travel as a Bearer token.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from .base import (
    IMAGE_EDIT,
    IMAGE_GENERATE,
    NO_CONTEXT,
    CallContext,
    ImageResult,
    ProviderError,
)
from .http import Malformed, ProviderClient, ProviderResponse

# The aspect ratios gemini-2.5-flash-image takes in ``imageConfig.aspectRatio``.
ASPECT_RATIOS = {"1:1": 1.0, "2:3": 2 / 3, "3:2": 3 / 2, "3:4": 3 / 4, "4:3": 4 / 3,
                 "4:5": 4 / 5, "5:4": 5 / 4, "9:16": 9 / 16, "16:9": 16 / 9, "21:9": 21 / 9}
# A candidate that ends for one of these made no image because of a policy: asking again with
# the same prompt gives the same answer.
BLOCKED = {"SAFETY", "IMAGE_SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "RECITATION",
           "IMAGE_PROHIBITED_CONTENT", "SPII"}


def aspect_ratio_for(width: int, height: int) -> str:
    ratio = width / height
    return min(ASPECT_RATIOS, key=lambda name: abs(ASPECT_RATIOS[name] - ratio))


@dataclass(frozen=True)
class Refusal:
    reason: str


class GeminiImages:
    """ImageGenerator and ImageEditor over Gemini ``generateContent``."""

    def __init__(self, *, client: ProviderClient) -> None:
        self.client = client

    @property
    def provider(self) -> str:
        return self.client.name

    def expected_size(self, *, width: int, height: int) -> tuple[int, int]:
        """Proportions of the answer to a ``width`` × ``height`` request (Gemini picks the
        pixel size for the aspect ratio asked for)."""
        ratio = ASPECT_RATIOS[aspect_ratio_for(width, height)]
        return (1024, round(1024 / ratio)) if ratio <= 1 else (round(1024 * ratio), 1024)

    def generate(self, *, prompt: str, width: int, height: int, model: str,
                 context: CallContext = NO_CONTEXT) -> ImageResult:
        return self._call(parts=[{"text": prompt}], width=width, height=height, model=model,
                          capability=IMAGE_GENERATE, context=context)

    def edit(self, *, image: bytes, prompt: str, width: int, height: int, model: str,
             mask: bytes | None = None, context: CallContext = NO_CONTEXT) -> ImageResult:
        # Gemini edits by instruction: the mask's meaning is said in words, and the masked
        # image travels as a second part when there is one.
        parts: list[dict[str, Any]] = [
            {"text": prompt},
            {"inlineData": {"mimeType": "image/png",
                            "data": base64.b64encode(image).decode("ascii")}}]
        if mask is not None:
            parts[0]["text"] += (" Only change the areas that are transparent in the second "
                                 "image; keep everything else as it is.")
            parts.append({"inlineData": {"mimeType": "image/png",
                                         "data": base64.b64encode(mask).decode("ascii")}})
        return self._call(parts=parts, width=width, height=height, model=model,
                          capability=IMAGE_EDIT, context=context)

    def _call(self, *, parts: list[dict[str, Any]], width: int, height: int, model: str,
              capability: str, context: CallContext) -> ImageResult:
        body = {"contents": [{"role": "user", "parts": parts}],
                "generationConfig": {"responseModalities": ["TEXT", "IMAGE"],
                                     "imageConfig": {"aspectRatio":
                                                     aspect_ratio_for(width, height)}}}
        answer = self.client.call("POST", f"/models/{model}:generateContent",
                                  capability=capability, model=model, json=body,
                                  parse=self._parse, context=context)
        if isinstance(answer, Refusal):
            # Answered (and billed) but no image: a policy refusal, the same on every retry.
            raise ProviderError(f"{self.provider} refused to make this image "
                                f"({answer.reason}).", provider=self.provider,
                                retryable=False, status=422, code="provider_content_refused")
        return answer

    def _parse(self, response: ProviderResponse) -> ImageResult | Refusal:
        body = response.json()
        if not isinstance(body, dict):
            raise Malformed("the answer is not an object")
        blocked = (body.get("promptFeedback") or {}).get("blockReason")
        candidates = body.get("candidates") or []
        reason = candidates[0].get("finishReason", "") if candidates else ""
        if blocked or reason in BLOCKED:
            return Refusal(reason=blocked or reason)
        for candidate in candidates:
            for part in (candidate.get("content") or {}).get("parts") or []:
                inline = part.get("inlineData") or part.get("inline_data")
                if not inline:
                    continue
                try:
                    content = base64.b64decode(inline.get("data") or "", validate=True)
                except (binascii.Error, ValueError) as exc:
                    raise Malformed(f"inlineData is not base64: {exc}") from exc
                mime = inline.get("mimeType") or inline.get("mime_type") or "image/png"
                return ImageResult(content=content, mime_type=mime)
        raise Malformed("the answer has no image part")
