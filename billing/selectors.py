"""Reads for billing. ``balance_summary`` is the one source of balance figures for every
surface (Billing page, dashboard, Dessert ``/v1/balance``, adcreator ``/credits``)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet, Sum

from billing import pricing, stripe_gateway
from billing.models import CreditAccount, CreditPack, LedgerEntry
from studio.models import Workspace

DEFAULT_AUTO_RECHARGE_CENTS = 2500


def stripe_enabled() -> bool:
    """Payments are on when a Stripe secret key is configured and stripe-python installed."""
    return bool(settings.STRIPE_SECRET_KEY) and stripe_gateway.INSTALLED


def active_packs() -> QuerySet[CreditPack]:
    return CreditPack.objects.filter(active=True)


def default_auto_recharge_pack() -> CreditPack | None:
    """The $25 pack (the reference default), else the cheapest active one."""
    packs = active_packs()
    return (packs.filter(price_cents=DEFAULT_AUTO_RECHARGE_CENTS, currency="usd").first()
            or packs.order_by("price_cents").first())


def balance_summary(workspace: Workspace) -> dict:
    """Balance figures as Dessert ``GET /v1/balance`` names them. A workspace whose account
    was never opened reads as an empty one (opening it is ``services.account_for_workspace``)."""
    account = (CreditAccount.objects.select_related("auto_recharge_pack")
               .filter(workspace=workspace).first() or CreditAccount(workspace=workspace))
    pack = account.auto_recharge_pack
    return {
        "credits_balance": account.balance,
        "credits_balance_usd_equivalent": float(pricing.credits_to_usd(account.balance)),
        "credits_lifetime_purchased": account.lifetime_purchased,
        "credits_lifetime_used": account.lifetime_used,
        "unlimited": account.unlimited,
        "auto_recharge_enabled": account.auto_recharge_enabled,
        "auto_recharge_threshold": account.auto_recharge_threshold,
        "auto_recharge_amount_usd": float(pack.price) if pack else None,
        "auto_recharge_credits": pack.credits if pack else None,
        "pricing": pricing.public_pricing(),
    }


def ledger_entries(*, account: CreditAccount, kind: str | None = None) -> QuerySet[LedgerEntry]:
    """Newest first, optionally one kind (``GET /v1/usage``, the Billing page table)."""
    entries = account.entries.select_related("actor").order_by("-created_at", "-id")
    if kind:
        entries = entries.filter(kind=kind)
    return entries


def ledger_drift() -> list[dict]:
    """Accounts whose balance differs from the sum of their entries, or whose latest entry's
    ``balance_after`` disagrees with the balance."""
    problems = []
    accounts = CreditAccount.objects.annotate(total=Sum("entries__amount")).select_related(
        "workspace")
    for account in accounts.iterator():
        total = account.total or 0
        last = account.entries.order_by("-id").values_list("balance_after", flat=True).first()
        if total != account.balance or (last is not None and last != account.balance):
            problems.append({"account_id": account.pk, "workspace": account.workspace.slug,
                             "balance": account.balance, "sum_of_entries": total,
                             "last_balance_after": last})
    return problems
