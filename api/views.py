from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from api import webhooks
from api.models import WebhookDelivery
from studio.decorators import manager_required, workspace_required
from studio.selectors import get_for_workspace_or_404


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
