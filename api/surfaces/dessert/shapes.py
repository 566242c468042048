"""Dessert's JSON shapes built from our rows (vocabulary only: no rule lives here)."""

from __future__ import annotations

from django.urls import reverse

from api.webhooks import job_event_payload
from billing.models import LedgerEntry
from brands.models import Brand, BrandScrape
from brands.selectors import brand_latest_scrape, brand_products
from generations.models import AdFormat, Job

# Dessert's published estimates
ETA_SECONDS: dict[str, int] = {AdFormat.STATIC: 180, AdFormat.FULL: 480}
BRAND_STATUS: dict[str, str] = {
    Brand.Status.READY: "Active", Brand.Status.ONBOARDING: "Pending Onboarding",
    Brand.Status.FAILED: "Failed"}
SCRAPE_STATUS: dict[str, str] = {
    BrandScrape.Status.QUEUED: "Queued", BrandScrape.Status.RUNNING: "Scraping",
    BrandScrape.Status.SUCCEEDED: "Complete", BrandScrape.Status.FAILED: "Failed"}
TRANSACTION_TYPE: dict[str, str] = {
    LedgerEntry.Kind.BONUS: "Bonus", LedgerEntry.Kind.DEBIT: "Debit",
    LedgerEntry.Kind.REFUND: "Refund", LedgerEntry.Kind.PURCHASE: "Purchase",
    LedgerEntry.Kind.GRANT: "Grant", LedgerEntry.Kind.AUTO_RECHARGE: "Auto-recharge",
    LedgerEntry.Kind.ADJUSTMENT: "Adjustment", LedgerEntry.Kind.CHARGEBACK: "Chargeback",
}


def iso(value) -> str | None:
    return value.isoformat(timespec="milliseconds").replace("+00:00", "Z") if value else None


def accepted(*, request, job: Job, balance_after: int) -> dict:
    """The 202 of POST /v1/ads/generate."""
    return {
        "delivery_id": job.public_id, "status": job.status, "request_id": job.request_id,
        "ad_count_expected": job.count, "format": job.format,
        "credits_charged": job.credits_charged, "credits_balance_after": balance_after,
        "status_url": request.build_absolute_uri(
            reverse("dessert:delivery", args=[job.public_id])),
        "eta_seconds": ETA_SECONDS.get(job.format, ETA_SECONDS[AdFormat.FULL]),
    }


def delivery(job: Job) -> dict:
    """GET /v1/deliveries/{id}: the webhook payload's shape (Dessert says they are the same),
    with the lifecycle fields a poller needs."""
    payload = job_event_payload(job)
    payload.pop("event", None)
    payload.update({
        "status": job.status, "stage": job.stage, "progress": job.progress,
        "ad_count_expected": job.count, "created_at": iso(job.created_at),
        "delivered_at": iso(job.finished_at) if job.is_terminal else None,
    })
    return payload


def brand_summary(brand: Brand, *, product_count: int | None = None) -> dict:
    scrape = brand_latest_scrape(brand=brand)
    if scrape is not None:
        onboarding = SCRAPE_STATUS.get(scrape.status, scrape.status)
    else:
        onboarding = "Complete" if brand.status == Brand.Status.READY else "Pending"
    onboarded_at = None
    if brand.status == Brand.Status.READY:
        onboarded_at = (scrape.finished_at if scrape is not None and scrape.finished_at
                        else brand.created_at)
    if product_count is None:
        product_count = brand_products(brand=brand, active_only=True).count()
    return {
        "brand_id": str(brand.pk), "name": brand.name,
        "status": BRAND_STATUS.get(brand.status, brand.status),
        "onboarding_status": onboarding, "product_count": product_count,
        "onboarded_at": iso(onboarded_at), "website_url": brand.website,
        "is_default": brand.is_default,
    }


def brand_detail(brand: Brand) -> dict:
    products = list(brand_products(brand=brand))
    return {
        **brand_summary(brand, product_count=sum(p.active for p in products)),
        "tagline": brand.tagline, "tone": brand.tone_of_voice, "language": brand.language,
        "colors": brand.palette,
        "fonts": {"heading": brand.heading_font, "body": brand.body_font},
        "value_props": list(brand.value_props or []),
        "products": [{"product_id": str(p.pk), "name": p.name, "description": p.description,
                      "price": str(p.price) if p.price is not None else None,
                      "currency": p.currency, "active": p.active} for p in products],
    }


def transaction(entry: LedgerEntry) -> dict:
    return {
        "transaction_id": f"txn_{entry.pk}", "type": TRANSACTION_TYPE.get(entry.kind, entry.kind),
        "credits": entry.amount, "balance_after": entry.balance_after,
        "delivery_id": entry.job_id or None, "description": entry.memo,
        "created_at": iso(entry.created_at),
    }
