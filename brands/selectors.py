"""Reads for brands. Every brand/product lookup from a request goes through these, so another
workspace's brand is a 404 everywhere."""

from __future__ import annotations

from django.db import models

from brands.models import Brand, BrandScrape, Product
from studio.models import Workspace
from studio.selectors import get_for_workspace_or_404
from studio.visual.fonts import match_font


def brand_list_for_workspace(*, workspace: Workspace) -> models.QuerySet[Brand]:
    return Brand.objects.for_workspace(workspace).annotate(
        product_count=models.Count("products", filter=models.Q(products__active=True)))


def brand_get_for_workspace(*, workspace: Workspace, brand_id) -> Brand:
    """The brand if ``workspace`` owns it, else Http404."""
    return get_for_workspace_or_404(Brand, workspace=workspace, id=brand_id)


def product_get_for_workspace(*, workspace: Workspace, product_id, brand: Brand | None = None
                              ) -> Product:
    queryset = Product.objects.all() if brand is None else Product.objects.filter(brand=brand)
    return get_for_workspace_or_404(queryset, workspace=workspace, id=product_id)


def default_brand_for(workspace: Workspace) -> Brand | None:
    """The workspace's default brand, else its oldest ready brand, else None."""
    brands = Brand.objects.for_workspace(workspace)
    return brands.filter(is_default=True).first() or \
        brands.filter(status=Brand.Status.READY).order_by("created_at").first()


def brand_products(*, brand: Brand, active_only: bool = False) -> models.QuerySet[Product]:
    products = brand.products.prefetch_related("images")
    return products.filter(active=True) if active_only else products


def brand_latest_scrape(*, brand: Brand) -> BrandScrape | None:
    return brand.scrapes.order_by("-created_at").first()


def brand_onboarding_in_progress(brand: Brand) -> bool:
    """True while a scrape is queued or running (API surfaces answer 425 then)."""
    return brand.scrapes.filter(status__in=[BrandScrape.Status.QUEUED,
                                            BrandScrape.Status.RUNNING]).exists()


def brand_to_brand_json(brand: Brand) -> dict:
    """The plain Brand DNA dict the pipeline and the API surfaces use.

    ``logo`` is the storage key (``default_storage`` name) or None; read the bytes with
    ``brands.services.image_bytes(brand.logo)``. Products are the active ones, each with
    its image storage keys.
    """
    return {
        "id": brand.id,
        "name": brand.name,
        "website": brand.website,
        "status": brand.status,
        "tagline": brand.tagline,
        "description": brand.description,
        "tone": brand.tone_of_voice,
        "audience": brand.audience,
        "language": brand.language,
        "colors": brand.palette,
        "fonts": {"heading": brand.heading_font, "body": brand.body_font},
        "value_props": list(brand.value_props or []),
        "social_links": dict(brand.social_links or {}),
        "logo": brand.logo.name or None,
        "products": [
            {
                "id": p.id, "name": p.name, "description": p.description,
                "price": str(p.price) if p.price is not None else None,
                "currency": p.currency, "url": p.url,
                "images": [i.image.name for i in p.images.all()],
            }
            for p in brand_products(brand=brand, active_only=True)
        ],
    }


PALETTE_FIELDS = ("color_primary", "color_secondary", "color_accent", "color_background",
                  "color_text")


def brand_dna_alternatives(*, brand: Brand, scrape: BrandScrape | None, limit: int = 5
                           ) -> dict[str, list[dict]]:
    """The runner-up candidates a scrape kept, for the review page to offer as swaps: logos
    (by index into the scrape's list), colours per role and fonts (the site's family and the
    bundled font that draws it). Values equal to what the brand has now are left out."""
    if scrape is None or not scrape.candidates:
        return {}
    candidates = scrape.candidates
    result: dict[str, list[dict]] = {}
    logos = [{"index": index, "url": c["value"], "source": c["source"]}
             for index, c in enumerate(candidates.get("logo", []))
             if c["value"] != brand.logo_url]
    if logos:
        result["logo"] = logos[:limit]
    for field_name in PALETTE_FIELDS:
        current = getattr(brand, field_name).lower()
        seen, colours = {current}, []
        for candidate in candidates.get(field_name, []):
            value = str(candidate["value"]).lower()
            if value not in seen:
                seen.add(value)
                colours.append({"value": value, "source": candidate["source"]})
        if colours:
            result[field_name] = colours[:limit]
    for role in ("heading", "body"):
        field_name = f"{role}_font"
        fonts, seen = [], {getattr(brand, f"{field_name}_source").lower()}
        for candidate in candidates.get(field_name, []):
            family = str(candidate["value"])
            if family.lower() in seen:
                continue
            seen.add(family.lower())
            fonts.append({"family": family, "source": candidate["source"],
                          "bundled": match_font(family, weight=700 if role == "heading"
                                                else 400)})
        if fonts:
            result[field_name] = fonts[:limit]
    return result
