"""OpenAI Images API adapter: ``POST /images/generations`` (JSON) and ``POST /images/edits``
(multipart: ``image[]`` files and an optional ``mask``) for the GPT image models.

GPT image models answer ``b64_json`` always and refuse the ``response_format`` parameter, so it
is never sent; a compatible server that answers ``url`` instead (DALL·E style) is handled too,
the file fetched through the SSRF-safe client. Sizes are the documented ones: the request asks
for the one whose proportions are nearest the ad's, and the engine crops to the exact size.
"""

from __future__ import annotations

import base64
import binascii

from .base import (
    IMAGE_EDIT,
    IMAGE_GENERATE,
    NO_CONTEXT,
    CallContext,
    ImageResult,
    ProviderError,
)
from .http import Malformed, ProviderClient, ProviderResponse, fetch_url

GPT_IMAGE_SIZES = ((1024, 1024), (1536, 1024), (1024, 1536))


def gpt_image_size(width: int, height: int) -> tuple[int, int]:
    """The documented size nearest ``width``:``height`` in proportion."""
    ratio = width / height
    return min(GPT_IMAGE_SIZES, key=lambda size: abs(size[0] / size[1] - ratio))


class OpenAIImages:
    """ImageGenerator and ImageEditor over the OpenAI Images API."""

    def __init__(self, *, client: ProviderClient) -> None:
        self.client = client

    @property
    def provider(self) -> str:
        return self.client.name

    def expected_size(self, *, width: int, height: int) -> tuple[int, int]:
        """The size the answer to a ``width`` × ``height`` request has."""
        return gpt_image_size(width, height)

    def generate(self, *, prompt: str, width: int, height: int, model: str,
                 context: CallContext = NO_CONTEXT) -> ImageResult:
        size = gpt_image_size(width, height)
        body = {"model": model, "prompt": prompt, "n": 1, "size": f"{size[0]}x{size[1]}"}
        return self.client.call("POST", "/images/generations", capability=IMAGE_GENERATE,
                                model=model, json=body, parse=self._parse, context=context)

    def edit(self, *, image: bytes, prompt: str, width: int, height: int, model: str,
             mask: bytes | None = None, context: CallContext = NO_CONTEXT) -> ImageResult:
        size = gpt_image_size(width, height)
        files = [("image[]", ("image.png", image, "image/png"))]
        if mask is not None:
            files.append(("mask", ("mask.png", mask, "image/png")))
        data = {"model": model, "prompt": prompt, "n": "1", "size": f"{size[0]}x{size[1]}"}
        return self.client.call("POST", "/images/edits", capability=IMAGE_EDIT, model=model,
                                data=data, files=files, parse=self._parse, context=context)

    def _parse(self, response: ProviderResponse) -> ImageResult:
        body = response.json()
        items = body.get("data") if isinstance(body, dict) else None
        if not items or not isinstance(items, list) or not isinstance(items[0], dict):
            raise Malformed("no data[0] in the images answer")
        item = items[0]
        revised = item.get("revised_prompt") or ""
        if item.get("b64_json"):
            try:
                content = base64.b64decode(item["b64_json"], validate=True)
            except (binascii.Error, ValueError) as exc:
                raise Malformed(f"b64_json is not base64: {exc}") from exc
        elif item.get("url"):
            try:
                content = fetch_url(str(item["url"]), provider=self.provider)
            except ProviderError as exc:
                raise Malformed(exc.message) from exc
        else:
            raise Malformed("data[0] has neither b64_json nor url")
        fmt = body.get("output_format") or "png"
        return ImageResult(content=content, mime_type=f"image/{fmt}", revised_prompt=revised)
