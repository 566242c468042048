"""Reads for tenancy. ``get_for_workspace_or_404`` is the one scoping rule every page and API
surface uses: another workspace's object is indistinguishable from a missing one."""

from __future__ import annotations

from typing import TypeVar

from django.db import models
from django.http import Http404

from studio.models import Invitation, Membership, User, Workspace

ModelT = TypeVar("ModelT", bound=models.Model)


def get_for_workspace_or_404(
    model_or_queryset: type[ModelT] | models.QuerySet[ModelT], *, workspace: Workspace, **lookup
) -> ModelT:
    """Fetch one workspace-owned object, or raise Http404 if it is missing or someone else's."""
    queryset = (
        model_or_queryset
        if isinstance(model_or_queryset, models.QuerySet)
        else model_or_queryset._default_manager.all()
    )
    try:
        return queryset.filter(workspace=workspace).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(f"No {queryset.model._meta.verbose_name} matches the given query.") from exc


def memberships_for_user(user: User) -> models.QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("workspace").order_by(
        "workspace__name"
    )


def workspace_members(workspace: Workspace) -> models.QuerySet[Membership]:
    return workspace.memberships.select_related("user").order_by("created_at")


def pending_invitations(workspace: Workspace) -> models.QuerySet[Invitation]:
    return workspace.invitations.filter(status=Invitation.Status.PENDING).order_by("-created_at")
