"""The local ``/media/`` route (filesystem storage): brand files for the brand's members only.

Nothing is served by a path anyone can type: rendered files, uploads and anything a signed URL
is for go through ``generations:file``. What is left here is a workspace's brand logos and
product photos, shown on its own pages (``brands/<workspace id>/...``) to its signed-in
members. The path is checked segment by segment *after* Django decoded it, so ``//``, ``.``,
``..``, ``%2e%2e`` and backslashes cannot reach another folder.
"""

from __future__ import annotations

import mimetypes

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from studio.models import Membership


def content_type_for(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _brand_file_workspace(path: str) -> int | None:
    """The workspace id a ``brands/<id>/...`` path belongs to, or None for anything else."""
    if "\\" in path or "\x00" in path:
        return None
    parts = path.split("/")
    if len(parts) < 3 or any(part in ("", ".", "..") for part in parts):
        return None
    if parts[0] != "brands" or not (parts[1].isascii() and parts[1].isdigit()):
        return None
    if len(parts[1]) > 18:
        return None
    return int(parts[1])


@require_GET
def media_file(request, path: str):
    workspace_id = _brand_file_workspace(path)
    user = getattr(request, "user", None)
    if workspace_id is None or user is None or not user.is_authenticated:
        raise Http404("No such file.")
    if not Membership.objects.filter(user=user, workspace_id=workspace_id).exists():
        raise Http404("No such file.")
    if not default_storage.exists(path):
        raise Http404("No such file.")
    response = FileResponse(default_storage.open(path, "rb"), content_type=content_type_for(path))
    response["Cache-Control"] = "private, max-age=3600"
    return response
