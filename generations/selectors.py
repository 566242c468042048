"""Reads of jobs, concepts and assets, scoped to a workspace; the priced model registry."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, Prefetch, QuerySet
from django.http import Http404

from billing.pricing import model_credits
from generations import catalogue
from generations.briefs import AdBrief, brief_credits
from generations.models import TERMINAL_STATUSES, Asset, AssetKind, Concept, Job
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


def model_registry() -> list[dict[str, Any]]:
    """The model registry every surface lists (adcreator ``/models``, ``/video-models``, the
    OpenAI-compatible model list): the catalogue's models priced from ``billing.pricing``."""
    return [{**model, **model_credits(model_id=model["id"], kind=model["kind"])}
            for model in catalogue.models()]


def queue_version(workspace: Workspace) -> str:
    """Changes whenever a job of the workspace is added, removed or moves on; equal strings
    mean the queue page has nothing new to show."""
    summary = Job.objects.for_workspace(workspace).aggregate(n=Count("id"),
                                                             latest=Max("updated_at"))
    latest = summary["latest"].timestamp() if summary["latest"] else 0
    return f"{summary['n']}-{latest:.6f}"


def job_version(job: Job) -> str:
    """The moment of the job's latest change (its own row or any concept's), as a string the
    job page sends back when it polls."""
    moments = [job.updated_at] + [concept.updated_at for concept in job.concepts.all()]
    return f"{max(moments).timestamp():.6f}"


def concepts_changed_since(job: Job, version: str) -> list[Concept] | None:
    """The job's concepts that changed after ``version``; None when the client's version is
    unusable and it needs every concept again."""
    try:
        since = float(version)
    except ValueError:
        return None
    if job.finished_at is not None and job.finished_at.timestamp() > since:
        # The job finished since: every card changes (its Regenerate button appears).
        return list(job.concepts.all())
    return [concept for concept in job.concepts.all() if concept.updated_at.timestamp() > since]


def jobs_active_exist(workspace: Workspace) -> bool:
    return Job.objects.for_workspace(workspace).exclude(status__in=TERMINAL_STATUSES).exists()


def concept_regenerate_price(*, job: Job) -> int:
    """What regenerating one concept of ``job`` costs: one concept's share of its brief."""
    return brief_credits(AdBrief.from_json(job.request)) // max(job.count, 1)
