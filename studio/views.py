from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from studio import health, services
from studio.decorators import manager_required, workspace_required
from studio.forms import InvitationForm, WorkspaceRenameForm
from studio.middleware import SESSION_WORKSPACE_KEY
from studio.models import Invitation, Membership
from studio.selectors import (
    get_for_workspace_or_404,
    memberships_for_user,
    pending_invitations,
    workspace_members,
)


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@workspace_required
def dashboard(request):
    from billing.selectors import balance_summary
    from generations.selectors import jobs_for_workspace

    return render(request, "studio/dashboard.html", {
        "workspace": request.workspace,
        "balance": balance_summary(request.workspace),
        "recent_jobs": jobs_for_workspace(request.workspace).prefetch_related(
            "concepts__assets")[:6],
    })


@workspace_required
def workspace_settings(request):
    context = {
        "workspace": request.workspace,
        "members": workspace_members(request.workspace),
        "invitations": pending_invitations(request.workspace),
        "invitation_form": InvitationForm(),
        "rename_form": WorkspaceRenameForm(initial={"name": request.workspace.name}),
    }
    return render(request, "studio/settings.html", context)


@manager_required
@require_POST
def workspace_rename(request):
    form = WorkspaceRenameForm(request.POST)
    if form.is_valid():
        request.workspace.name = form.cleaned_data["name"].strip()
        request.workspace.save(update_fields=["name"])
        messages.success(request, "Workspace renamed.")
    else:
        messages.error(request, "Give the workspace a name of up to 100 characters.")
    return redirect("studio:settings")


@manager_required
@require_POST
def invitation_create(request):
    form = InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter a valid e-mail address and role.")
        return redirect("studio:settings")
    try:
        invitation = services.invitation_create(
            workspace=request.workspace, email=form.cleaned_data["email"],
            role=form.cleaned_data["role"], invited_by=request.user,
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, f"Invitation sent to {invitation.email}.")
    return redirect("studio:settings")


@manager_required
@require_POST
def invitation_revoke(request, pk: int):
    invitation = get_for_workspace_or_404(Invitation, workspace=request.workspace, pk=pk)
    try:
        services.invitation_revoke(invitation=invitation, revoked_by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, f"Invitation for {invitation.email} revoked.")
    return redirect("studio:settings")


@manager_required
@require_POST
def membership_remove(request, pk: int):
    membership = get_for_workspace_or_404(Membership, workspace=request.workspace, pk=pk)
    try:
        services.membership_remove(membership=membership, removed_by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, f"{membership.user.email} removed from the workspace.")
    return redirect("studio:settings")


@manager_required
@require_POST
def webhook_secret_rotate(request):
    services.webhook_secret_rotate(workspace=request.workspace, rotated_by=request.user)
    messages.success(request, "Webhook secret rotated. Update your receivers.")
    return redirect("studio:settings")


def invitation_accept(request, token: str):
    """Anyone may open the link; accepting needs the invited account to be signed in."""
    invitation = get_object_or_404(Invitation.objects.select_related("workspace"), token=token)
    if request.method == "POST" and request.user.is_authenticated:
        try:
            membership = services.invitation_accept(token=token, user=request.user)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            request.session[SESSION_WORKSPACE_KEY] = membership.workspace_id
            messages.success(request, f"You joined {membership.workspace.name}.")
            return redirect("studio:dashboard")
    return render(request, "studio/invitation_accept.html", {"invitation": invitation})


@workspace_required
@require_POST
def workspace_switch(request):
    membership = get_object_or_404(
        memberships_for_user(request.user), workspace_id=request.POST.get("workspace")
    )
    request.session[SESSION_WORKSPACE_KEY] = membership.workspace_id
    return redirect("studio:dashboard")


@require_GET
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def readyz(request):
    checks = {"database": health.database_ready(), "broker": health.broker_ready()}
    failed = {name: reason for name, reason in checks.items() if reason}
    body = {
        "status": "unavailable" if failed else "ok",
        "checks": {name: (failed.get(name) or "ok") for name in checks},
    }
    return JsonResponse(body, status=503 if failed else 200)
