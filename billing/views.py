"""Billing pages (htmx) and the Stripe webhook endpoint. Thin: parse, call a service, render."""

from __future__ import annotations

import csv
import logging

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from billing import pricing, selectors, stripe_gateway
from billing.forms import AutoRechargeForm
from billing.models import CreditPack, LedgerEntry
from billing.services import (
    account_for_workspace,
    checkout_start,
    payments,
    recharge,
    stripe_event_handle,
)
from studio.decorators import role_required, workspace_required
from studio.errors import flash_error
from studio.exceptions import AppError
from studio.permissions import Action

logger = logging.getLogger(__name__)

LEDGER_PAGE_SIZE = 25


def _ledger_context(request: HttpRequest, account) -> dict:
    kind = request.GET.get("kind") or ""
    if kind not in LedgerEntry.Kind.values:
        kind = ""
    entries = selectors.ledger_entries(account=account, kind=kind or None)
    page = Paginator(entries, LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    return {"page": page, "kind": kind, "kinds": LedgerEntry.Kind.choices}


def _auto_recharge_context(account, form: AutoRechargeForm | None = None) -> dict:
    form = form or AutoRechargeForm(initial={
        "enabled": account.auto_recharge_enabled,
        "threshold": account.auto_recharge_threshold,
        "pack": account.auto_recharge_pack_id,
    })
    return {"account": account, "auto_recharge_form": form,
            "payments_enabled": selectors.stripe_enabled()}


@require_GET
@workspace_required
def overview(request: HttpRequest) -> HttpResponse:
    account = account_for_workspace(request.workspace)
    confirm = None
    if account.pending_payment_intent_id and selectors.stripe_enabled():
        try:
            confirm = payments.payment_confirm_details(account=account)
        except AppError:
            logger.warning("Could not load pending PaymentIntent for account %s", account.pk)
    context = {
        "account": account,
        "summary": selectors.balance_summary(request.workspace),
        "packs": selectors.active_packs(),
        "payments_enabled": selectors.stripe_enabled(),
        "price_table": pricing.price_table(studio_only=True),
        "confirm": confirm,
        "stripe_publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        "stripe_js_url": settings.STRIPE_JS_URL,
        **_auto_recharge_context(account),
        **_ledger_context(request, account),
    }
    return render(request, "billing/overview.html", context)


@require_GET
@workspace_required
def ledger(request: HttpRequest) -> HttpResponse:
    """The ledger table (htmx fragment: filter and pages swap it in place); opened directly,
    the same table on its own page."""
    account = account_for_workspace(request.workspace)
    template = "billing/overview_ledger.html" if request.htmx else "billing/ledger.html"
    return render(request, template, _ledger_context(request, account))


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_GET
@workspace_required
def ledger_csv(request: HttpRequest) -> StreamingHttpResponse:
    account = account_for_workspace(request.workspace)
    kind = request.GET.get("kind") or None
    if kind not in LedgerEntry.Kind.values:
        kind = None
    writer = csv.writer(_Echo())
    header = ["created_at", "kind", "amount", "balance_after", "reference", "job_id",
              "stripe_object_id", "memo", "actor", "receipt_url"]

    def rows():
        yield writer.writerow(header)
        for entry in selectors.ledger_entries(account=account, kind=kind).iterator():
            yield writer.writerow([
                entry.created_at.isoformat(), entry.kind, entry.amount, entry.balance_after,
                entry.reference, entry.job_id, entry.stripe_object_id, entry.memo,
                entry.actor.email if entry.actor else "", entry.receipt_url,
            ])

    response = StreamingHttpResponse(rows(), content_type="text/csv")
    response["Content-Disposition"] = (
        f'attachment; filename="credits-{request.workspace.slug}.csv"')
    return response


@require_POST
@role_required(Action.CREDITS_BUY)
def checkout(request: HttpRequest, pack_id: int) -> HttpResponse:
    pack = get_object_or_404(CreditPack, pk=pack_id, active=True)
    account = account_for_workspace(request.workspace)
    overview_url = request.build_absolute_uri(reverse("billing:overview"))
    try:
        session = checkout_start(
            account=account, pack=pack, user=request.user, by=request.membership,
            success_url=request.build_absolute_uri(reverse("billing:checkout_done")),
            cancel_url=overview_url,
        )
    except AppError as exc:
        flash_error(request, exc)
        return redirect("billing:overview")
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = session.url
        return response
    return redirect(session.url)


@require_POST
@role_required(Action.CARD_CHANGE)
def card_update(request: HttpRequest) -> HttpResponse:
    """Replace the card on file through a Stripe Checkout page in setup mode."""
    account = account_for_workspace(request.workspace)
    try:
        session = payments.card_update_start(
            account=account, user=request.user, by=request.membership,
            success_url=request.build_absolute_uri(reverse("billing:card_done")),
            cancel_url=request.build_absolute_uri(reverse("billing:overview")),
        )
    except AppError as exc:
        flash_error(request, exc)
        return redirect("billing:overview")
    return redirect(session.url)


@require_GET
@workspace_required
def card_done(request: HttpRequest) -> HttpResponse:
    messages.success(request, "Card received. It shows here as soon as Stripe confirms it.")
    return redirect("billing:overview")


@require_GET
@workspace_required
def checkout_done(request: HttpRequest) -> HttpResponse:
    messages.success(request, "Thank you! Your credits appear here as soon as Stripe confirms "
                              "the payment.")
    return redirect("billing:overview")


@require_POST
@role_required(Action.AUTO_RECHARGE_CHANGE)
def auto_recharge(request: HttpRequest) -> HttpResponse:
    account = account_for_workspace(request.workspace)
    form = AutoRechargeForm(request.POST)
    status = 200
    if form.is_valid():
        try:
            account = recharge.settings_update(
                account=account, enabled=form.cleaned_data["enabled"],
                threshold=form.cleaned_data["threshold"],
                pack_id=form.cleaned_data["pack"].pk if form.cleaned_data["pack"] else None,
                by=request.membership,
            )
            form = None
            saved = True
        except AppError as exc:
            if exc.status in (403, 404):
                raise
            form.add_error(None, exc.message)
            saved, status = False, 422
    else:
        saved, status = False, 422
    context = {**_auto_recharge_context(account, form), "saved": saved}
    if request.htmx:
        return render(request, "billing/overview_auto_recharge.html", context, status=status)
    if saved:
        messages.success(request, "Auto-recharge settings saved.")
    else:
        messages.error(request, "Auto-recharge settings were not saved.")
    return redirect("billing:overview")


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Stripe → us. Only signed events are applied; each at most once."""
    if not (selectors.stripe_enabled() and settings.STRIPE_WEBHOOK_SECRET):
        return HttpResponse("Payments are off.", status=404)
    try:
        event = stripe_gateway.verify_webhook(
            payload=request.body,
            signature_header=request.headers.get("Stripe-Signature", ""),
        )
    except AppError as exc:
        return HttpResponseBadRequest(exc.message)
    result = stripe_event_handle(event=event)
    return HttpResponse(result, content_type="text/plain")
