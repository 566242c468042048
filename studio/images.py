"""The one gate every image passes to enter the studio: uploads, scraped logos and product
photos, API reference images.

Each check runs before anything expensive, so a hostile file costs almost nothing:

1. size in bytes (``max_bytes``: 10 MB for uploads, 8 MB for scrapes);
2. raster images: the header only (Pillow reads the size without decoding), then at most
   ``STUDIO_IMAGE_MAX_PIXELS`` (25 MP) and at least 16 px a side, then a full verify;
3. SVG: parsed with defusedxml (no entities, no external DTDs), scripts, ``foreignObject`` and
   external references removed, proportions at most 20:1, drawn at a bounded size (the long
   side 1024 px) by a separate process with a memory and a CPU-time limit, killed after
   ``STUDIO_SVG_TIMEOUT_SECONDS``. The PNG it draws goes through step 2.

A refusal is an ``ImageRefused`` (an ``InvalidInput``) whose message says what is wrong in
plain words, starting with what the image is for: "Logo must be at most 10 MB (this file is
52.0 MB)."
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from studio.exceptions import InvalidInput

SVG_MAX_ASPECT = 20
SVG_OUTPUT_LONG_SIDE = 1024
MIN_SIDE = 16
RASTER_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp", "GIF": "gif", "ICO": "png"}
_RASTERISER = Path(__file__).with_name("_rasterise_svg.py")
_SVG_NS = "{http://www.w3.org/2000/svg}"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_UNITS = {"": 1.0, "px": 1.0, "pt": 4 / 3, "pc": 16.0, "in": 96.0, "cm": 96 / 2.54,
          "mm": 96 / 25.4, "em": 16.0, "ex": 8.0}
_LENGTH = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([a-z]*)\s*$")


class ImageRefused(InvalidInput):
    code = "invalid_image"
    default_message = "The image could not be used."


@dataclass(frozen=True)
class CheckedImage:
    content: bytes
    extension: str  # png, jpg, webp, gif
    width: int
    height: int


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def check_image(content: bytes, *, label: str = "Image", max_bytes: int | None = None,
                field: str | None = None) -> CheckedImage:
    """``content`` as a usable raster image (an SVG comes back as PNG), or ImageRefused."""
    max_bytes = max_bytes or settings.STUDIO_IMAGE_MAX_UPLOAD_BYTES
    if len(content) > max_bytes:
        raise ImageRefused(f"{label} must be at most {max_bytes // 1_000_000} MB "
                           f"(this file is {_mb(len(content))}).", field=field)
    if not content:
        raise ImageRefused(f"{label} is an empty file.", field=field)
    if looks_like_svg(content):
        content = rasterise_svg(content, label=label, field=field)
    return _check_raster(content, label=label, field=field)


def check_upload(upload, *, label: str = "Image", max_bytes: int | None = None,
                 field: str | None = None) -> CheckedImage:
    """The same for an uploaded file: its declared size is checked before it is read."""
    max_bytes = max_bytes or settings.STUDIO_IMAGE_MAX_UPLOAD_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ImageRefused(f"{label} must be at most {max_bytes // 1_000_000} MB "
                           f"(this file is {_mb(size)}).", field=field)
    return check_image(upload.read(max_bytes + 1), label=label, max_bytes=max_bytes,
                       field=field)


def looks_like_svg(content: bytes) -> bool:
    head = content[:1024].lstrip().lower()
    return head.startswith((b"<?xml", b"<svg", b"<!doctype svg")) or b"<svg" in head


def _check_raster(content: bytes, *, label: str, field: str | None) -> CheckedImage:
    from PIL import Image, UnidentifiedImageError

    max_pixels = settings.STUDIO_IMAGE_MAX_PIXELS
    unreadable = ImageRefused(f"{label} must be a PNG, JPEG, WebP, GIF or SVG image.",
                              field=field)
    try:
        with Image.open(io.BytesIO(content)) as img:  # reads the header only
            fmt = (img.format or "").upper()
            width, height = img.size
            frames = getattr(img, "n_frames", 1)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError,
            Image.DecompressionBombError) as exc:
        raise unreadable from exc
    if fmt not in RASTER_FORMATS:
        raise unreadable
    if width * height > max_pixels:
        raise ImageRefused(
            f"{label} must be at most {max_pixels / 1_000_000:g} megapixels (this one is "
            f"{width} × {height}, {width * height / 1_000_000:.1f} megapixels).", field=field)
    if width * height * max(frames, 1) > 4 * max_pixels:
        raise ImageRefused(f"{label} has too many animation frames.", field=field)
    if width < MIN_SIDE or height < MIN_SIDE:
        raise ImageRefused(f"{label} must be at least {MIN_SIDE} × {MIN_SIDE} pixels "
                           f"(this one is {width} × {height}).", field=field)
    try:
        with Image.open(io.BytesIO(content)) as img:
            img.verify()
        if fmt == "ICO":
            with Image.open(io.BytesIO(content)) as img:
                img.load()
                buffer = io.BytesIO()
                img.convert("RGBA").save(buffer, "PNG")
                content = buffer.getvalue()
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError) as exc:
        raise ImageRefused(f"{label} is damaged and cannot be read.", field=field) from exc
    return CheckedImage(content=content, extension=RASTER_FORMATS[fmt], width=width,
                        height=height)


def _length(value: str | None) -> float | None:
    if not value:
        return None
    match = _LENGTH.match(value.lower())
    if not match or match.group(2) not in _UNITS:
        return None  # percentages and unknown units: fall back to the viewBox
    return float(match.group(1)) * _UNITS[match.group(2)]


def _svg_size(root) -> tuple[float, float]:
    width, height = _length(root.get("width")), _length(root.get("height"))
    box = re.split(r"[\s,]+", (root.get("viewBox") or "").strip())
    box_size = None
    if len(box) == 4:
        try:
            box_size = (abs(float(box[2])), abs(float(box[3])))
        except ValueError:
            box_size = None
    if width and height:
        return width, height
    if box_size and all(box_size):
        if width:
            return width, width * box_size[1] / box_size[0]
        if height:
            return height * box_size[0] / box_size[1], height
        return box_size
    return width or 100.0, height or 100.0


def _clean_svg(root) -> None:
    """Drop what could run code or reach outside the document."""
    for parent in root.iter():
        for child in list(parent):
            tag = child.tag.rsplit("}", 1)[-1] if isinstance(child.tag, str) else ""
            if tag in ("script", "foreignObject"):
                parent.remove(child)
        for attribute in list(parent.attrib):
            value = parent.attrib[attribute].strip()
            if (attribute in ("href", _XLINK_HREF) and not value.startswith(
                    ("#", "data:image/png", "data:image/jpeg", "data:image/gif",
                     "data:image/webp"))) or attribute.startswith("on"):
                del parent.attrib[attribute]


def rasterise_svg(content: bytes, *, label: str = "Image", field: str | None = None) -> bytes:
    """Draw an SVG as PNG at a bounded size in a sandboxed child process, or ImageRefused."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring, tostring

    try:
        root = fromstring(content, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise ImageRefused(f"{label} is not a valid SVG file.", field=field) from exc
    if root.tag not in (f"{_SVG_NS}svg", "svg"):
        raise ImageRefused(f"{label} is not a valid SVG file.", field=field)
    width, height = _svg_size(root)
    if width <= 0 or height <= 0:
        raise ImageRefused(f"{label} has no size.", field=field)
    if max(width, height) / min(width, height) > SVG_MAX_ASPECT:
        raise ImageRefused(f"{label} is too long and thin: its sides may differ by at most "
                           f"{SVG_MAX_ASPECT}:1.", field=field)
    scale = SVG_OUTPUT_LONG_SIDE / max(width, height)
    out_w, out_h = max(round(width * scale), 1), max(round(height * scale), 1)
    _clean_svg(root)
    svg = tostring(root, encoding="utf-8")
    timeout = float(settings.STUDIO_SVG_TIMEOUT_SECONDS)
    try:
        done = subprocess.run(
            [sys.executable, "-I", str(_RASTERISER), str(out_w), str(out_h),
             str(settings.STUDIO_SVG_MEMORY_BYTES), str(max(int(timeout), 1)),
             str(settings.BASE_DIR / "static" / "fonts")],
            input=svg, capture_output=True, timeout=timeout, check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ImageRefused(f"{label} takes too long to draw; simplify the SVG or upload a PNG.",
                           field=field) from exc
    if done.returncode != 0 or not done.stdout.startswith(b"\x89PNG"):
        raise ImageRefused(f"{label} could not be drawn; upload it as PNG instead.", field=field)
    return done.stdout
