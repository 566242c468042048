"""Reads of jobs, concepts and assets, scoped to a workspace."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from generations.models import Asset, AssetKind, Concept, Job
from studio.models import Workspace
from studio.selectors import get_for_workspace_or_404


def jobs_for_workspace(workspace: Workspace) -> QuerySet[Job]:
    return Job.objects.for_workspace(workspace).select_related("brand")


def job_get_for_workspace(*, workspace: Workspace, public_id: str) -> Job:
    """The job, or Http404 when it is missing or belongs to another workspace."""
    return get_for_workspace_or_404(_with_outputs(Job.objects.all()), workspace=workspace,
                                    public_id=public_id)


def job_get_by_share_token(token: str) -> Job | None:
    if not token:
        return None
    return _with_outputs(Job.objects.filter(share_token=token)).first()


def _with_outputs(queryset: QuerySet[Job]) -> QuerySet[Job]:
    return queryset.select_related("brand", "workspace").prefetch_related(
        Prefetch("concepts", queryset=Concept.objects.order_by("index").prefetch_related(
            Prefetch("assets", queryset=Asset.objects.order_by("kind", "aspect", "mime_type"))
        ))
    )


def concept_get_for_workspace(*, workspace: Workspace, public_id: str) -> Concept:
    """The concept, or Http404 when it is missing or its job is another workspace's."""
    concept = Concept.objects.select_related("job").filter(
        job__workspace=workspace, public_id=public_id
    ).first()
    if concept is None:
        raise Http404("No concept matches the given query.")
    return concept


def thumbnail_asset(concept: Concept) -> Asset | None:
    """The image that stands for a concept in lists: its vertical PNG, else any still."""
    stills = [a for a in concept.assets.all() if a.kind == AssetKind.STATIC]
    for asset in stills:
        if asset.aspect == "9:16" and asset.mime_type == "image/jpeg":
            return asset
    return stills[0] if stills else None
