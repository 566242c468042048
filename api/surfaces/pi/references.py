"""Reference images as Pi sends them: an HTTPS URL (fetched through the SSRF-safe client), a
``data:image/...;base64,...`` URL, or raw base64. Whatever the name or declared type says, the
bytes decide: JPEG, PNG or WebP, at most 15 MB each. Nothing is stored here; the caller stores
the checked bytes as uploads inside the transaction that submits the job."""

from __future__ import annotations

import base64
import binascii
import io
from dataclasses import dataclass

from django.conf import settings

from brands.scrape.http import FetchFailed, OutboundRefused, SafeClient
from studio.exceptions import InvalidInput
from studio.images import ImageRefused, check_image, looks_like_svg

MAX_REFERENCE_IMAGE_BYTES = 15_000_000
ACCEPTED_FORMATS = {"PNG", "JPEG", "WEBP"}


@dataclass(frozen=True)
class ReferenceImage:
    content: bytes
    name: str


def _refused(message: str, field: str) -> InvalidInput:
    return InvalidInput(message, code="invalid_reference_image", field=field)


def _too_large(size: int | None, field: str) -> InvalidInput:
    shown = f" (this one is {size / 1_000_000:.1f} MB)" if size else ""
    return InvalidInput(f"Each reference image may be at most "
                        f"{MAX_REFERENCE_IMAGE_BYTES // 1_000_000} MB{shown}.",
                        code="reference_image_too_large", field=field, status=422)


def _fetch(url: str, *, field: str, client: SafeClient | None) -> bytes:
    schemes = ("https://", "http://") if settings.STUDIO_OUTBOUND_ALLOW_LOOPBACK \
        else ("https://",)
    if not url.lower().startswith(schemes):
        raise _refused("Reference image URLs must be https://.", field)
    owned = client is None
    client = client or SafeClient(max_bytes=MAX_REFERENCE_IMAGE_BYTES)
    try:
        response = client.get(url, max_bytes=MAX_REFERENCE_IMAGE_BYTES)
    except OutboundRefused as exc:
        raise _refused(f"The reference image URL was refused: {exc.reason}.", field) from None
    except FetchFailed as exc:
        if exc.reason.startswith("response larger than"):
            raise _too_large(None, field) from None
        raise _refused(f"The reference image could not be fetched: {exc.reason}.",
                       field) from None
    finally:
        if owned:
            client.close()
    if response.status != 200:
        raise _refused(f"The reference image URL answered HTTP {response.status}.", field)
    return response.content


def _decode(text: str, *, field: str) -> bytes:
    payload = text
    if text[:5].lower() == "data:":
        header, _, payload = text.partition(",")
        if not header.lower().endswith(";base64"):
            raise _refused("A data URL must be base64: data:image/png;base64,....", field)
    # A 15 MB image is 20 MB of base64; refuse longer text before decoding it.
    if len(payload) > MAX_REFERENCE_IMAGE_BYTES * 4 // 3 + 8:
        raise _too_large(len(payload) * 3 // 4, field)
    try:
        return base64.b64decode("".join(payload.split()), validate=True)
    except (binascii.Error, ValueError):
        raise _refused("A reference image must be an https:// URL, a data URL or base64.",
                       field) from None


def _check(content: bytes, *, field: str) -> None:
    from PIL import Image, UnidentifiedImageError

    if len(content) > MAX_REFERENCE_IMAGE_BYTES:
        raise _too_large(len(content), field)
    kind = None
    if not looks_like_svg(content):
        try:
            with Image.open(io.BytesIO(content)) as image:  # the header only
                kind = (image.format or "").upper()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            kind = None
    if kind not in ACCEPTED_FORMATS:
        raise _refused("A reference image must be a JPEG, PNG or WebP image.", field)
    try:
        check_image(content, label="The reference image", max_bytes=MAX_REFERENCE_IMAGE_BYTES,
                    field=field)
    except ImageRefused as exc:
        raise _refused(exc.message, field) from None


def reference_images_read(items: list[str], *, client: SafeClient | None = None
                          ) -> list[ReferenceImage]:
    """Every reference image's checked bytes, in order, or the first one's refusal."""
    images = []
    for index, item in enumerate(items):
        field = f"reference_images[{index}]"
        text = item.strip()
        if text.lower().startswith(("https://", "http://")):
            content = _fetch(text, field=field, client=client)
            name = text.rsplit("/", 1)[-1].split("?")[0][:100]
        else:
            content = _decode(text, field=field)
            name = f"reference-{index + 1}"
        _check(content, field=field)
        images.append(ReferenceImage(content=content, name=name))
    return images


def base64_image_read(text: str, *, field: str) -> bytes:
    """One inline base64 image (brand extraction's logo and images), checked the same way."""
    content = _decode(text.strip(), field=field)
    _check(content, field=field)
    return content
