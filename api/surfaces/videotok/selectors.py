"""Reads of videotok generations and slideshows: jobs of this surface found by their videotok
id, scoped to the workspace (another workspace's is a 404 like a missing one)."""

from __future__ import annotations

import uuid

from django.http import Http404

from api.surfaces.videotok.services import METADATA_KEY
from generations.models import Job, Surface
from generations.selectors import job_get_for_workspace
from studio.models import Workspace


def _job_by(*, workspace: Workspace, field: str, value: str, api_key_id: int | None) -> Job:
    try:
        ident = str(uuid.UUID(value))
    except ValueError:
        raise Http404("Not a videotok id.") from None
    jobs = Job.objects.for_workspace(workspace).filter(
        surface=Surface.VIDEOTOK, **{f"metadata__{METADATA_KEY}__{field}": ident})
    if api_key_id is not None:
        jobs = jobs.filter(api_key_id=api_key_id)
    public_id = jobs.values_list("public_id", flat=True).first()
    if public_id is None:
        raise Http404("No such generation.")
    return job_get_for_workspace(workspace=workspace, public_id=public_id)


def generation_get(*, workspace: Workspace, generation_id: str,
                   api_key_id: int | None = None) -> Job:
    """The generation; with ``api_key_id``, only if that key created it."""
    return _job_by(workspace=workspace, field="id", value=generation_id, api_key_id=api_key_id)


def slideshow_get(*, workspace: Workspace, slideshow_id: str,
                  api_key_id: int | None = None) -> Job:
    return _job_by(workspace=workspace, field="slideshow_id", value=slideshow_id,
                   api_key_id=api_key_id)
