"""URLs for rendered files: signed and expiring, whatever the storage backend."""

from __future__ import annotations

import mimetypes

from django.conf import settings
from django.core import signing
from django.core.files.storage import FileSystemStorage, default_storage
from django.urls import reverse

_SALT = "generations.file"


def file_url(name: str, *, absolute: bool = False) -> str:
    """A URL that serves the stored file ``name`` for STUDIO_FILE_URL_MAX_AGE seconds.

    S3-compatible storage signs its own URLs (query-string auth); local files go through a
    signed token checked by ``generations:file``.
    """
    if not isinstance(default_storage, FileSystemStorage):
        return default_storage.url(name)
    path = reverse("generations:file", args=[signing.dumps(name, salt=_SALT, compress=True)])
    return settings.SITE_URL + path if absolute else path


def file_name_from_token(token: str) -> str | None:
    """The stored name a token grants, or None when it is forged or expired."""
    try:
        return signing.loads(token, salt=_SALT, max_age=settings.STUDIO_FILE_URL_MAX_AGE)
    except signing.BadSignature:
        return None


def content_type_for(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"
