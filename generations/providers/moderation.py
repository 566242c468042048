"""OpenAI moderation (``POST {base}/moderations``): text and images, one result per call.

The request is ``{"model": ..., "input": [{"type": "text", "text": ...}, {"type":
"image_url", "image_url": {"url": "data:image/png;base64,..."}}]}`` (multi-modal input needs an
``omni-moderation`` model); the answer is ``{"id", "model", "results": [{"flagged",
"categories": {name: bool}, "category_scores": {name: float}, ...}]}``. Any result flagged
means the content is refused.
"""

from __future__ import annotations

import base64
from typing import Any

from .base import MODERATION, NO_CONTEXT, CallContext, ModerationResult
from .http import Malformed, ProviderClient, ProviderResponse


def _sniff_mime(content: bytes) -> str:
    if content.startswith(b"\x89PNG"):
        return "image/png"
    if content.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    if content[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    return "application/octet-stream"


def parse_moderation(response: ProviderResponse) -> ModerationResult:
    body = response.json()
    results = body["results"]
    if not isinstance(results, list) or not results:
        raise Malformed("results is empty")
    flagged = False
    categories: list[str] = []
    scores: dict[str, float] = {}
    for result in results:
        if not isinstance(result.get("flagged"), bool):
            raise Malformed("result.flagged is not a boolean")
        flagged = flagged or result["flagged"]
        categories += [name for name, hit in (result.get("categories") or {}).items() if hit]
        for name, score in (result.get("category_scores") or {}).items():
            scores[name] = max(scores.get(name, 0.0), float(score))
    return ModerationResult(flagged=flagged, categories=tuple(dict.fromkeys(categories)),
                            scores=scores)


class OpenAIModerator:
    """A ``Moderator`` over OpenAI's moderation endpoint (see module docstring)."""

    def __init__(self, *, client: ProviderClient, context: CallContext = NO_CONTEXT) -> None:
        self.client = client
        self.context = context

    def moderate(self, *, text: str = "", image: bytes | None = None,
                 context: CallContext = NO_CONTEXT) -> ModerationResult:
        parts: list[dict[str, Any]] = []
        if text.strip():
            parts.append({"type": "text", "text": text})
        if image:
            data = base64.b64encode(image).decode("ascii")
            parts.append({"type": "image_url", "image_url": {
                "url": f"data:{_sniff_mime(image)};base64,{data}"}})
        if not parts:
            return ModerationResult(flagged=False)
        model = str(self.client.config.get("model", ""))
        return self.client.call("POST", "/moderations", capability=MODERATION, model=model,
                                json={"model": model, "input": parts},
                                parse=parse_moderation,
                                context=self.context if context is NO_CONTEXT else context)
