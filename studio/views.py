from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from studio import health, services
from studio.decorators import role_required, workspace_required
from studio.errors import flash_error
from studio.exceptions import AppError
from studio.forms import InvitationForm, WorkspaceRenameForm
from studio.middleware import SESSION_WORKSPACE_KEY
from studio.models import Invitation, Membership
from studio.permissions import Action
from studio.selectors import (
    get_for_workspace_or_404,
    memberships_for_user,
    pending_invitations,
    workspace_members,
)


@workspace_required
def dashboard(request):
    """The template composes the page from every app's tags (balance, recent jobs): ``studio``
    sits below them and imports none."""
    return render(request, "studio/dashboard.html", {"workspace": request.workspace})


@workspace_required
def workspace_settings(request):
    invitations = list(pending_invitations(request.workspace))
    for invitation in invitations:
        invitation.link = services.invitation_url(invitation, base_url=_base_url(request))
    context = {
        "workspace": request.workspace,
        "members": workspace_members(request.workspace),
        "invitations": invitations,
        "mail_delivered": _mail_is_delivered(),
        "invitation_form": InvitationForm(),
        "rename_form": WorkspaceRenameForm(initial={"name": request.workspace.name}),
    }
    return render(request, "studio/settings.html", context)


@role_required(Action.WORKSPACE_RENAME)
@require_POST
def workspace_rename(request):
    try:
        services.workspace_rename(workspace=request.workspace, name=request.POST.get("name", ""),
                                  by=request.membership)
    except AppError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, "Workspace renamed.")
    return redirect("studio:settings")


@role_required(Action.MEMBER_INVITE)
@require_POST
def invitation_create(request):
    form = InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter a valid e-mail address and role.")
        return redirect("studio:settings")
    try:
        invitation = services.invitation_create(
            workspace=request.workspace, email=form.cleaned_data["email"],
            role=form.cleaned_data["role"], by=request.membership,
            base_url=_base_url(request),
        )
    except AppError as exc:
        flash_error(request, exc)
    else:
        if _mail_is_delivered():
            messages.success(request, f"Invitation e-mailed to {invitation.email}. You can "
                             "also copy its link below.")
        else:
            messages.success(request, f"Invitation for {invitation.email} created. E-mail "
                             "is not set up on this studio, so copy its link below and send "
                             "it yourself.")
    return redirect("studio:settings")


def _base_url(request) -> str:
    """The studio's address as this person reached it, e.g. ``http://127.0.0.1:8765``."""
    return f"{request.scheme}://{request.get_host()}"


def _mail_is_delivered() -> bool:
    """False when e-mail only goes to the server's console (the embedded default)."""
    return not settings.EMAIL_BACKEND.endswith(("console.EmailBackend", "dummy.EmailBackend"))


@role_required(Action.MEMBER_INVITE)
@require_POST
def invitation_revoke(request, pk: int):
    invitation = get_for_workspace_or_404(Invitation, workspace=request.workspace, pk=pk)
    try:
        services.invitation_revoke(invitation=invitation, by=request.membership)
    except AppError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, f"Invitation for {invitation.email} revoked.")
    return redirect("studio:settings")


@role_required(Action.MEMBER_REMOVE)
@require_POST
def membership_remove(request, pk: int):
    membership = get_for_workspace_or_404(Membership, workspace=request.workspace, pk=pk)
    try:
        services.membership_remove(membership=membership, by=request.membership)
    except AppError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, f"{membership.user.email} removed from the workspace.")
    return redirect("studio:settings")


@role_required(Action.WEBHOOK_SECRET_ROTATE)
@require_POST
def webhook_secret_rotate(request):
    services.webhook_secret_rotate(workspace=request.workspace, by=request.membership)
    messages.success(request, "Webhook secret rotated. Update your receivers.")
    return redirect("studio:settings")


def invitation_accept(request, token: str):
    """Anyone may open the link; accepting needs the invited account to be signed in."""
    invitation = get_object_or_404(Invitation.objects.select_related("workspace"), token=token)
    if request.method == "POST" and request.user.is_authenticated:
        try:
            membership = services.invitation_accept(token=token, user=request.user)
        except AppError as exc:
            flash_error(request, exc)
        else:
            request.session[SESSION_WORKSPACE_KEY] = membership.workspace_id
            messages.success(request, f"You joined {membership.workspace.name}.")
            return redirect("studio:dashboard")
    return render(request, "studio/invitation_accept.html", {"invitation": invitation})


@workspace_required
@require_POST
def workspace_switch(request):
    workspace_id = request.POST.get("workspace", "")
    if not (workspace_id.isascii() and workspace_id.isdigit() and len(workspace_id) < 19):
        raise Http404("No such workspace.")
    membership = get_object_or_404(memberships_for_user(request.user),
                                   workspace_id=int(workspace_id))
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
