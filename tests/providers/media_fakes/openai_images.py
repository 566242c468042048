"""OpenAI Images API: ``POST /v1/images/generations`` (JSON) and ``POST /v1/images/edits``
(multipart/form-data with ``image[]`` and an optional ``mask``), as documented at
https://developers.openai.com/api/reference/resources/images/methods/generate (see
tests/providers/README.md for what is reproduced)."""

from __future__ import annotations

import base64
import io
import time
from typing import Any

from PIL import Image

from .media import scene_png
from .server import BadRequest, FakeProvider, Received, Reply, require_bearer

GPT_IMAGE_SIZES = ("1024x1024", "1536x1024", "1024x1536", "auto")
DALLE3_SIZES = ("1024x1024", "1792x1024", "1024x1792")
EDIT_FORMATS = ("image/png", "image/jpeg", "image/webp")


class OpenAIImagesFake(FakeProvider):
    name = "openai-images"

    def __init__(self, *, api_key: str = "sk-test-images") -> None:
        super().__init__()
        self.api_key = api_key
        self.files: dict[str, bytes] = {}
        self.answer_size: tuple[int, int] | None = None  # answer at another size than asked
        self.answer_bytes: bytes | None = None  # answer with these bytes as the image

    def counts(self, received: Received) -> bool:
        return received.path.startswith("/v1/images/")

    def error_body(self, status: int, message: str, **extra: Any) -> Any:
        kind = {429: "requests", 500: "server_error", 503: "server_error"}.get(
            status, "invalid_request_error")
        return {"error": {"message": message, "type": kind, "param": extra.get("param"),
                          "code": extra.get("code", "rate_limit_exceeded"
                                            if status == 429 else None)}}

    def answer(self, received: Received) -> Reply:
        if received.method == "GET" and received.path.startswith("/files/"):
            name = received.path.rsplit("/", 1)[-1]
            if name not in self.files:
                return Reply(404, b"not found")
            return Reply(200, self.files[name], {"Content-Type": "image/png"})
        require_bearer(received, self.api_key)
        if received.method == "POST" and received.path == "/v1/images/generations":
            if not received.headers.get("content-type", "").startswith("application/json"):
                raise BadRequest("Invalid Content-Type header, expected application/json.")
            return self._generate(received.json())
        if received.method == "POST" and received.path == "/v1/images/edits":
            return self._edit(received)
        raise BadRequest(f"Invalid URL ({received.method} {received.path})", status=404,
                         code="unknown_url")

    # -- generations ---------------------------------------------------------------------------
    def _common(self, data: dict[str, Any]) -> tuple[str, int, str]:
        model = data.get("model") or "dall-e-2"
        prompt = data.get("prompt")
        if not isinstance(prompt, str) or not prompt.strip():
            raise BadRequest("Missing required parameter: 'prompt'.", param="prompt",
                             code="missing_required_parameter")
        limit = 32_000 if model.startswith("gpt-image") else 4_000
        if len(prompt) > limit:
            raise BadRequest(f"Invalid 'prompt': string too long. Expected a string with "
                             f"maximum length {limit}.", param="prompt",
                             code="string_above_max_length")
        n = int(data.get("n") or 1)
        if not 1 <= n <= 10:
            raise BadRequest("Invalid 'n': must be between 1 and 10.", param="n",
                             code="invalid_value")
        size = str(data.get("size") or ("auto" if model.startswith("gpt-image")
                                        else "1024x1024"))
        sizes = GPT_IMAGE_SIZES if model.startswith("gpt-image") else DALLE3_SIZES
        if size not in sizes:
            raise BadRequest(f"Invalid value: '{size}'. Supported values are: "
                             + ", ".join(f"'{s}'" for s in sizes) + ".", param="size",
                             code="invalid_value")
        if model.startswith("gpt-image") and "response_format" in data:
            # GPT image models always answer base64 and refuse the parameter.
            raise BadRequest("Unknown parameter: 'response_format'.", param="response_format",
                             code="unknown_parameter")
        if "moderation-test-blocked" in prompt:
            raise BadRequest("Your request was rejected as a result of our safety system.",
                             code="moderation_blocked")
        return model, n, size

    def _images(self, *, model: str, n: int, size: str, response_format: str) -> Reply:
        width, height = self.answer_size or tuple(
            int(v) for v in (size if size != "auto" else "1024x1024").split("x"))
        data = []
        for _ in range(n):
            content = self.answer_bytes or scene_png(width, height)
            if response_format == "url":
                name = f"img-{len(self.files) + 1}.png"
                self.files[name] = content
                data.append({"url": f"{self.base_url}/files/{name}",
                             "revised_prompt": None})
            else:
                data.append({"b64_json": base64.b64encode(content).decode()})
        body: dict[str, Any] = {"created": int(time.time()), "data": data}
        if model.startswith("gpt-image"):
            body.update(background="opaque", output_format="png", quality="medium",
                        size=f"{width}x{height}",
                        usage={"total_tokens": 100 + 1056 * n, "input_tokens": 100,
                               "output_tokens": 1056 * n,
                               "input_tokens_details": {"text_tokens": 100,
                                                        "image_tokens": 0}})
        return Reply.json(200, body)

    def _generate(self, data: dict[str, Any]) -> Reply:
        model, n, size = self._common(data)
        response_format = data.get("response_format") or (
            "b64_json" if model.startswith("gpt-image") else "url")
        return self._images(model=model, n=n, size=size, response_format=response_format)

    # -- edits ---------------------------------------------------------------------------------
    def _edit(self, received: Received) -> Reply:
        if not received.headers.get("content-type", "").startswith("multipart/form-data"):
            raise BadRequest("Invalid Content-Type header, expected multipart/form-data.")
        parts = received.form()
        fields = {name: content.decode() for name, filename, content, _ in parts
                  if filename is None}
        images = [(content, ctype) for name, filename, content, ctype in parts
                  if filename is not None and name in ("image", "image[]")]
        masks = [content for name, filename, content, _ in parts
                 if filename is not None and name == "mask"]
        if not images:
            raise BadRequest("Missing required parameter: 'image'.", param="image",
                             code="missing_required_parameter")
        if len(images) > 16:
            raise BadRequest("Invalid 'image': too many images, at most 16.", param="image",
                             code="invalid_value")
        sizes = []
        for content, ctype in images:
            sizes.append(_decoded_size(content, param="image", formats=EDIT_FORMATS,
                                       declared=ctype))
        if masks:
            with Image.open(io.BytesIO(masks[0])) as mask:
                if mask.format != "PNG" or "A" not in mask.getbands():
                    raise BadRequest("Invalid 'mask': must be a PNG with an alpha channel.",
                                     param="mask", code="invalid_image_file")
                if mask.size != sizes[0]:
                    raise BadRequest("Invalid 'mask': must have the same dimensions as the "
                                     "image.", param="mask", code="invalid_image_dimensions")
        model, n, size = self._common(fields)
        return self._images(model=model, n=n, size=size, response_format="b64_json")


def _decoded_size(content: bytes, *, param: str, formats: tuple[str, ...],
                  declared: str) -> tuple[int, int]:
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
            fmt = f"image/{(image.format or '').lower().replace('jpg', 'jpeg')}"
            size = image.size
    except Exception as exc:
        raise BadRequest(f"Invalid '{param}': the file is not a valid image.", param=param,
                         code="invalid_image_file") from exc
    if fmt not in formats or declared not in formats:
        raise BadRequest(f"Invalid '{param}': unsupported mimetype ('{declared}'). Supported "
                         "file formats are 'image/jpeg', 'image/png', and 'image/webp'.",
                         param=param, code="invalid_image_format")
    return size
