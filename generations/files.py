"""Signed, expiring URLs for stored files, whatever the storage backend.

Nothing private is served by its path. A file URL carries a token naming the *row* the file
belongs to (an asset, an upload, a product photo, a brand logo), the grant it was issued under
and its expiry, signed with the secret key. Each request checks the signature and the expiry,
then looks the row up again: a deleted job's files, a replaced logo, or a file shown through a
share link that was revoked since all stop working at once. The token holds no file name, so
it cannot be turned back into a path.

Expiries are rounded to ``STUDIO_FILE_URL_BUCKET_SECONDS``: the same file gets the same URL for
that long, so browsers cache thumbnails instead of fetching them on every page.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from studio.media import content_type_for

_SALT = "generations.file.v2"
_SEP = "."
ASSET, POSTER, THUMBNAIL, UPLOAD, PRODUCT_IMAGE, BRAND_LOGO = "a", "v", "t", "u", "p", "l"
_MEMBER_GRANT = "m"


@dataclass(frozen=True)
class GrantedFile:
    """What a valid token grants: the stored name, the name to download it as, and how long
    the browser may keep it."""

    name: str
    filename: str
    content_type: str
    seconds_left: int


def _signer() -> signing.Signer:
    return signing.Signer(salt=_SALT, sep=_SEP)


def _now() -> int:
    return int(time.time())


def _fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:12]


def _expiry(now: int) -> int:
    max_age = int(settings.STUDIO_FILE_URL_MAX_AGE)
    bucket = max(min(int(settings.STUDIO_FILE_URL_BUCKET_SECONDS), max_age // 2), 1)
    return now - now % bucket + max_age


def _url(*, kind: str, ident: str, version: str, grant: str, absolute: bool) -> str:
    value = _SEP.join([kind, ident, version, grant, str(_expiry(_now()))])
    path = reverse("generations:file", args=[_signer().sign(value)])
    return settings.SITE_URL + path if absolute else path


def asset_url(asset, *, share_token: str | None = None, absolute: bool = False) -> str:
    """URL of a rendered file. Issued from a share link (``share_token``), it stops working
    when that link is revoked; either way it stops when the job is deleted."""
    grant = "s" + _fingerprint(share_token) if share_token else _MEMBER_GRANT
    return _url(kind=ASSET, ident=asset.public_id, version="-", grant=grant, absolute=absolute)


def poster_url(asset, *, share_token: str | None = None, absolute: bool = False) -> str:
    """URL of a video's poster frame, granted like the video itself."""
    grant = "s" + _fingerprint(share_token) if share_token else _MEMBER_GRANT
    return _url(kind=POSTER, ident=asset.public_id, version="-", grant=grant, absolute=absolute)


def thumbnail_url(asset, *, width: int, share_token: str | None = None,
                  absolute: bool = False) -> str:
    """URL of the asset's sized thumbnail (``generations.thumbnails``), granted like the asset."""
    grant = "s" + _fingerprint(share_token) if share_token else _MEMBER_GRANT
    return _url(kind=THUMBNAIL, ident=f"{asset.public_id}-{int(width)}", version="-",
                grant=grant, absolute=absolute)


def upload_url(upload, *, absolute: bool = False) -> str:
    return _url(kind=UPLOAD, ident=upload.public_id, version="-", grant=_MEMBER_GRANT,
                absolute=absolute)


def product_image_url(image, *, absolute: bool = False) -> str:
    return _url(kind=PRODUCT_IMAGE, ident=str(image.pk), version=_fingerprint(image.image.name),
                grant=_MEMBER_GRANT, absolute=absolute)


def brand_logo_url(brand, *, absolute: bool = False) -> str:
    """URL of the brand's current logo; a new logo gets a new URL and retires the old one."""
    return _url(kind=BRAND_LOGO, ident=str(brand.pk), version=_fingerprint(brand.logo.name),
                grant=_MEMBER_GRANT, absolute=absolute)


def file_url(name: str, *, absolute: bool = False) -> str:
    """URL of a stored file known only by its name: the row that owns it issues the URL.
    Returns "" when no row owns ``name`` (nothing is ever served by its path)."""
    from brands.models import Brand, ProductImage
    from generations.models import Asset, Upload

    for model, build in ((Asset, asset_url), (Upload, upload_url)):
        row = model.objects.filter(file=name).first()
        if row is not None:
            return build(row, absolute=absolute)
    image = ProductImage.objects.filter(image=name).first()
    if image is not None:
        return product_image_url(image, absolute=absolute)
    brand = Brand.objects.filter(logo=name).first()
    return brand_logo_url(brand, absolute=absolute) if brand is not None else ""


def _stored_name(kind: str, ident: str) -> tuple[str, object] | None:
    """The stored file name a token's row has now, with the row."""
    from brands.models import Brand, ProductImage
    from generations.models import Asset, Upload

    if kind == ASSET:
        row = Asset.objects.select_related("job").filter(public_id=ident).first()
        return (row.file.name, row) if row else None
    if kind == POSTER:
        row = Asset.objects.select_related("job").filter(public_id=ident).first()
        return (row.poster.name, row) if row and row.poster else None
    if kind == THUMBNAIL:
        from generations.thumbnails import thumbnail_name

        public_id, _, width = ident.rpartition("-")
        row = Asset.objects.select_related("job").filter(public_id=public_id).first()
        if row is None or not width.isdigit():
            return None
        return thumbnail_name(asset=row, width=int(width)), row
    if kind == UPLOAD:
        row = Upload.objects.filter(public_id=ident).first()
        return (row.file.name, row) if row else None
    if not ident.isdigit() or len(ident) > 18:
        return None
    if kind == PRODUCT_IMAGE:
        row = ProductImage.objects.filter(pk=int(ident)).first()
        return (row.image.name, row) if row and row.image else None
    if kind == BRAND_LOGO:
        row = Brand.objects.filter(pk=int(ident)).first()
        return (row.logo.name, row) if row and row.logo else None
    return None


def resolve_token(token: str) -> GrantedFile | None:
    """What ``token`` grants right now, or None when it is forged, expired, or its row, file
    or share link is gone."""
    try:
        value = _signer().unsign(token)
    except signing.BadSignature:
        return None
    parts = value.split(_SEP)
    if len(parts) != 5 or not parts[4].isdigit():
        return None
    kind, ident, version, grant, expires = parts
    seconds_left = int(expires) - _now()
    if seconds_left <= 0:
        return None
    found = _stored_name(kind, ident)
    if found is None:
        return None
    name, row = found
    if version != "-" and version != _fingerprint(name):
        return None
    if grant != _MEMBER_GRANT:
        share_token = getattr(getattr(row, "job", None), "share_token", None)
        if not share_token or grant != "s" + _fingerprint(share_token):
            return None
    return GrantedFile(name=name, filename=name.rsplit("/", 1)[-1],
                       content_type=content_type_for(name), seconds_left=seconds_left)

