from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from api import webhooks
from api.keys import api_key_create, api_key_get_for_workspace, api_key_revoke
from api.models import ApiKey, Scope, WebhookDelivery
from studio.decorators import manager_required, workspace_required
from studio.exceptions import AppError
from studio.selectors import get_for_workspace_or_404


@workspace_required
def api_keys(request):
    """Settings → API keys: every member sees the list; owners and admins create keys. A new
    key is rendered in the POST's own answer, never stored or redirected with."""
    context = {"scopes": Scope.choices, "form_scopes": Scope.values, "form_name": ""}
    status = 200
    if request.method == "POST":
        if not request.membership.can_manage:
            raise PermissionDenied("Only workspace owners and admins can create API keys.")
        scopes = request.POST.getlist("scopes")
        name = request.POST.get("name", "")
        try:
            if not scopes:
                raise AppError("Pick at least one scope.", code="invalid_scope")
            context["new_key"] = api_key_create(workspace=request.workspace, name=name,
                                                scopes=scopes, created_by=request.user)
        except AppError as exc:
            context.update(error=exc.message, form_name=name[:100], form_scopes=scopes)
            status = 400
    context["keys"] = ApiKey.objects.for_workspace(request.workspace).select_related(
        "created_by")
    return render(request, "api/keys.html", context, status=status)


@manager_required
@require_POST
def api_key_revoke_view(request, pk: int):
    api_key = api_key_get_for_workspace(workspace=request.workspace, key_id=pk)
    api_key_revoke(api_key=api_key)
    messages.success(request, f"The key {api_key.name!r} ({api_key.display}) is revoked.")
    return redirect("api:keys")


@workspace_required
def webhook_log(request):
    deliveries = WebhookDelivery.objects.for_workspace(request.workspace)
    status = request.GET.get("status", "")
    if status in WebhookDelivery.Status.values:
        deliveries = deliveries.filter(status=status)
    page = Paginator(deliveries, 25).get_page(request.GET.get("page"))
    return render(request, "api/webhooks.html", {
        "page": page, "status": status, "statuses": WebhookDelivery.Status.choices,
        "standard_secret": webhooks.standard_webhooks_secret(request.workspace),
    })


@manager_required
@require_POST
def webhook_redeliver(request, pk: int):
    delivery = get_for_workspace_or_404(WebhookDelivery, workspace=request.workspace, pk=pk)
    webhooks.redeliver(delivery=delivery)
    messages.success(request, f"{delivery.event} is being sent again to {delivery.target_url}.")
    return redirect("api:webhooks")
