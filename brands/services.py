"""Writes for brands: creating brands, running the website scrape, editing Brand DNA, products.

Views, API surfaces and tasks call these; nothing else writes brand rows.
"""

from __future__ import annotations

import logging
import uuid
from decimal import Decimal
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from brands.models import DNA_FIELDS, Brand, BrandScrape, Product, ProductImage
from brands.scrape.crawl import ImageData, ScrapeFailed, ScrapeResult, scrape_site, validate_image
from studio.models import Workspace

logger = logging.getLogger(__name__)


def normalise_website(url: str) -> str:
    """``example.com`` → ``https://example.com/``; refuses anything but http(s) with a host."""
    url = (url or "").strip()
    if not url:
        raise ValidationError("Enter the website address.")
    if "://" not in url:
        url = "https://" + url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError("Enter a web address starting with http:// or https://.")
    if parts.username or parts.password:
        raise ValidationError("Leave the user name and password out of the address.")
    try:
        parts.port  # noqa: B018 - raises ValueError on "javascript:alert(1)"-style input
    except ValueError as exc:
        raise ValidationError("Enter a web address such as https://yourbrand.com.") from exc
    return parts._replace(path=parts.path or "/", fragment="").geturl()


@transaction.atomic
def brand_create(*, workspace: Workspace, name: str, website: str = "") -> Brand:
    """A new brand in ``workspace``; the workspace's first brand becomes its default."""
    has_default = Brand.objects.for_workspace(workspace).filter(is_default=True).exists()
    return Brand.objects.create(
        workspace=workspace, name=name.strip()[:120] or "New brand", website=website,
        is_default=not has_default,
    )


@transaction.atomic
def brand_set_default(*, brand: Brand) -> Brand:
    # Lock the workspace's brands so two concurrent "make default" calls serialise.
    list(Brand.objects.select_for_update().for_workspace(brand.workspace_id).values("id"))
    Brand.objects.for_workspace(brand.workspace_id).filter(is_default=True).exclude(
        id=brand.id).update(is_default=False)
    Brand.objects.filter(id=brand.id).update(is_default=True)
    brand.is_default = True
    return brand


def brand_start_scrape(*, brand: Brand, url: str, overwrite: bool = False) -> BrandScrape:
    """Queue a scrape of ``url`` for ``brand`` (enqueued after commit).

    A re-scrape keeps the fields a person edited (``Brand.edited_fields``) and edited or
    hand-added products, unless ``overwrite`` is set.
    """
    from brands.tasks import scrape_brand

    website = normalise_website(url)
    with transaction.atomic():
        scrape = BrandScrape.objects.create(workspace_id=brand.workspace_id, brand=brand,
                                            url=website, overwrite=overwrite,
                                            stage="Waiting for a worker")
        updates = {"website": website}
        if brand.status != Brand.Status.READY:
            updates["status"] = Brand.Status.ONBOARDING
        Brand.objects.filter(id=brand.id).update(**updates)
        for key, value in updates.items():
            setattr(brand, key, value)
        transaction.on_commit(lambda: scrape_brand.delay(scrape.id))
    return scrape


def brand_run_scrape(*, scrape_id: int, client=None) -> BrandScrape | None:
    """Run one queued scrape (the Celery task body). Safe to call twice: only a queued scrape
    is claimed, so a redelivered task does nothing."""
    claimed = BrandScrape.objects.filter(id=scrape_id, status=BrandScrape.Status.QUEUED).update(
        status=BrandScrape.Status.RUNNING, started_at=timezone.now(), stage="Starting")
    if not claimed:
        return None
    scrape = BrandScrape.objects.select_related("brand").get(id=scrape_id)

    def on_progress(percent: int, stage: str, found: dict) -> None:
        BrandScrape.objects.filter(id=scrape_id).update(progress=min(percent, 100),
                                                        stage=stage[:200], found=found)

    try:
        result = scrape_site(scrape.url, client=client, on_progress=on_progress)
    except ScrapeFailed as exc:
        _scrape_failed(scrape, exc.reason)
        return scrape
    except Exception as exc:
        logger.exception("brand scrape %s crashed", scrape_id)
        _scrape_failed(scrape, f"Unexpected error: {exc.__class__.__name__}")
        raise
    with transaction.atomic():
        brand = Brand.objects.select_for_update().get(id=scrape.brand_id)
        brand_apply_scrape(brand=brand, result=result, overwrite=scrape.overwrite)
        BrandScrape.objects.filter(id=scrape_id).update(
            status=BrandScrape.Status.SUCCEEDED, progress=100, stage="Done",
            found=result.found, pages=result.pages, errors=result.errors[:100],
            finished_at=timezone.now(),
        )
    scrape.refresh_from_db()
    return scrape


def _scrape_failed(scrape: BrandScrape, reason: str) -> None:
    with transaction.atomic():
        BrandScrape.objects.filter(id=scrape.id).update(
            status=BrandScrape.Status.FAILED, error=reason[:500], stage="Failed",
            finished_at=timezone.now())
        Brand.objects.filter(id=scrape.brand_id, status=Brand.Status.ONBOARDING).update(
            status=Brand.Status.FAILED)
    scrape.refresh_from_db()


def brand_apply_scrape(*, brand: Brand, result: ScrapeResult, overwrite: bool = False) -> Brand:
    """Copy what the scrape found onto ``brand`` and upsert its products."""
    keep = set() if overwrite else set(brand.edited_fields)
    for field_name in DNA_FIELDS:
        if field_name in keep or field_name == "logo":
            continue
        value = result.value(field_name)
        if value in (None, "", [], {}):
            continue
        if isinstance(value, str):
            value = value[: Brand._meta.get_field(field_name).max_length or None]
        setattr(brand, field_name, value)
    for field_name in ("heading_font_source", "body_font_source"):
        if result.value(field_name) and field_name.replace("_source", "") not in keep:
            setattr(brand, field_name, result.value(field_name)[:120])
    if result.logo and ("logo" not in keep or not brand.logo):
        _save_image(brand.logo, result.logo, stem="logo")
    if overwrite:
        brand.edited_fields = []
    brand.save()

    products = Product.objects.filter(brand=brand)
    existing = {p.external_id: p for p in products if p.external_id}
    for position, scraped in enumerate(result.products):
        data = scraped.data
        external_id = (data.external_id or data.url or f"name:{data.name.lower()}")[:300]
        product = existing.get(external_id)
        if product and product.edited and not overwrite:
            continue
        fields = {
            "name": data.name[:200], "description": data.description,
            "price": data.price, "currency": data.currency[:3], "url": data.url[:500],
            "position": position,
        }
        if product is None:
            product = Product.objects.create(workspace_id=brand.workspace_id, brand=brand,
                                             source=Product.Source.SCRAPED,
                                             external_id=external_id, **fields)
        else:
            for key, value in fields.items():
                setattr(product, key, value)
            product.edited = False
            product.save()
            if scraped.images:
                for old in product.images.all():
                    old.image.delete(save=False)
                    old.delete()
        if not product.images.exists():
            for index, image in enumerate(scraped.images):
                product_image = ProductImage(product=product, source_url=image.source_url[:1000],
                                             position=index, width=image.width,
                                             height=image.height)
                _save_image(product_image.image, image, stem=f"image-{index}")
                product_image.save()
    return brand


def _save_image(field_file, image: ImageData, *, stem: str) -> None:
    name = f"{stem}-{uuid.uuid4().hex[:10]}.{image.extension}"
    field_file.save(name, ContentFile(image.content), save=False)


def brand_update_dna(*, brand: Brand, data: dict, logo_file=None) -> Brand:
    """Save a person's edits to the DNA; each changed field is remembered as user-edited."""
    edited = set(brand.edited_fields)
    for field_name, value in data.items():
        if field_name not in DNA_FIELDS or field_name == "logo":
            continue
        if getattr(brand, field_name) != value:
            setattr(brand, field_name, value)
            edited.add(field_name)
    if logo_file is not None:
        image = validate_image(logo_file.read(), source_url="")
        if image is None:
            raise ValidationError({"logo": "Upload a PNG, JPEG, WebP, GIF or SVG image."})
        _save_image(brand.logo, image, stem="logo")
        edited.add("logo")
    brand.edited_fields = sorted(edited)
    brand.full_clean(exclude=["logo"])
    brand.save()
    return brand


def brand_mark_ready(*, brand: Brand) -> Brand:
    Brand.objects.filter(id=brand.id).update(status=Brand.Status.READY)
    brand.status = Brand.Status.READY
    return brand


def product_create(*, brand: Brand, name: str, description: str = "",
                   price: Decimal | None = None, currency: str = "", url: str = "",
                   active: bool = True) -> Product:
    position = Product.objects.filter(brand=brand).count()
    return Product.objects.create(
        workspace_id=brand.workspace_id, brand=brand, name=name, description=description,
        price=price, currency=(currency or "").upper()[:3], url=url, active=active,
        source=Product.Source.MANUAL, edited=True, position=position,
    )


def product_update(*, product: Product, data: dict) -> Product:
    """Edit a product; marks it edited so a re-scrape does not undo the change."""
    changed = False
    for key in ("name", "description", "price", "currency", "url", "active"):
        if key in data and getattr(product, key) != data[key]:
            setattr(product, key, data[key])
            changed = True
    if changed:
        product.currency = (product.currency or "").upper()[:3]
        product.edited = True
        product.save()
    return product


def product_set_active(*, product: Product, active: bool) -> Product:
    Product.objects.filter(id=product.id).update(active=active)
    product.active = active
    return product


def product_image_add(*, product: Product, upload) -> ProductImage:
    """Attach an uploaded photo after validating it with Pillow (SVG is rasterised)."""
    image = validate_image(upload.read(), source_url="")
    if image is None:
        raise ValidationError("Upload a PNG, JPEG, WebP, GIF or SVG image of at least 16 px.")
    product_image = ProductImage(product=product, position=product.images.count(),
                                 width=image.width, height=image.height)
    _save_image(product_image.image, image, stem="upload")
    product_image.save()
    # The ImageField descriptor clears the in-memory dimensions on assignment; the row has them.
    product_image.width, product_image.height = image.width, image.height
    Product.objects.filter(id=product.id).update(edited=True)
    return product_image


def product_image_delete(*, image: ProductImage) -> None:
    image.image.delete(save=False)
    image.delete()


def image_bytes(field_file) -> bytes:
    """Read a stored file (any storage backend) fully."""
    with field_file.open("rb") as handle:
        return handle.read()


__all__ = [
    "brand_apply_scrape", "brand_create", "brand_mark_ready", "brand_run_scrape",
    "brand_set_default", "brand_start_scrape", "brand_update_dna", "image_bytes",
    "normalise_website", "product_create", "product_image_add", "product_image_delete",
    "product_set_active", "product_update",
]

