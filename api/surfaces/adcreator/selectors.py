"""The jobs this surface shows: adcreator image generations (static jobs it created) and
videos (full jobs it created), each scoped to the key's workspace. Anything else, another
workspace's included, is a 404."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from generations.models import AdFormat, Asset, Concept, Job, Surface, Upload
from generations.selectors import jobs_for_workspace
from studio.models import Workspace
from studio.selectors import get_for_workspace_or_404

KIND_FORMAT = {"generation": AdFormat.STATIC, "video": AdFormat.FULL}


def _jobs(workspace: Workspace, *, kind: str) -> QuerySet[Job]:
    return jobs_for_workspace(workspace).filter(
        surface=Surface.ADCREATOR, format=KIND_FORMAT[kind]).prefetch_related(
        Prefetch("concepts", queryset=Concept.objects.order_by("index").prefetch_related(
            Prefetch("assets", queryset=Asset.objects.order_by("aspect", "mime_type")))))


def generations_list(*, workspace: Workspace) -> QuerySet[Job]:
    return _jobs(workspace, kind="generation").order_by("-created_at", "-id")


def generation_get(*, workspace: Workspace, public_id: str) -> Job:
    return get_for_workspace_or_404(_jobs(workspace, kind="generation"), workspace=workspace,
                                    public_id=public_id)


def video_get(*, workspace: Workspace, public_id: str) -> Job:
    return get_for_workspace_or_404(_jobs(workspace, kind="video"), workspace=workspace,
                                    public_id=public_id)


def upload_get_by_path(*, workspace: Workspace, path: str) -> Upload:
    return get_for_workspace_or_404(Upload, workspace=workspace, file=path)
