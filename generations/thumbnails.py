"""Sized WebP thumbnails of rendered stills, for pages: a job page shows a few hundred pixels of
each ad, not the 1-2.5 MB full-size PNG. Made once per asset and width, then kept in storage
beside the job's files (content never changes: an asset is immutable, regenerating makes new
asset rows)."""

from __future__ import annotations

import io
import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, UnidentifiedImageError

from generations.models import Asset, AssetKind
from generations.storage import STORAGE_ERRORS

logger = logging.getLogger(__name__)

THUMBNAIL_WIDTHS = (96, 480)
_WEBP_QUALITY = 78


def thumbnail_name(*, asset: Asset, width: int) -> str:
    return f"jobs/{asset.job.public_id}/thumbs/{asset.public_id}-{width}.webp"


def thumbnail_get_or_create(*, asset: Asset, width: int) -> str:
    """The storage name of ``asset``'s thumbnail ``width`` pixels wide (made if missing)."""
    if width not in THUMBNAIL_WIDTHS:
        raise ValueError(f"Thumbnail width {width} is not one of {THUMBNAIL_WIDTHS}.")
    name = thumbnail_name(asset=asset, width=width)
    try:
        if default_storage.exists(name):
            return name
        with asset.file.open("rb") as fh:
            image = Image.open(fh)
            image.load()
    except (*STORAGE_ERRORS, UnidentifiedImageError):
        # Storage down, or not a decodable still (a foreign upload, a damaged file): show the
        # file itself rather than break the page.
        logger.warning("No thumbnail for asset %s: its file cannot be read", asset.public_id)
        return asset.file.name
    image = image.convert("RGB")
    height = max(1, round(image.height * width / image.width))
    image = image.resize((width, height), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="WEBP", quality=_WEBP_QUALITY, method=4)
    try:
        return default_storage.save(name, ContentFile(buffer.getvalue()))
    except STORAGE_ERRORS:
        logger.warning("Thumbnail of asset %s not stored: storage failed", asset.public_id)
        return asset.file.name


def still_for(asset: Asset) -> Asset | None:
    """The still that stands for ``asset`` on a page: itself, or for a video the concept's still
    of the same aspect (its poster frame)."""
    if asset.kind == AssetKind.STATIC:
        return asset
    stills = [a for a in asset.concept.assets.all()
              if a.kind == AssetKind.STATIC and a.aspect == asset.aspect]
    return stills[0] if stills else None


def thumbnails_delete(*, job_public_id: str) -> None:
    folder = f"jobs/{job_public_id}/thumbs"
    try:
        _, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for file_name in files:
        default_storage.delete(f"{folder}/{file_name}")
