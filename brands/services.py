"""Writes for brands: creating brands, running the website scrape, editing Brand DNA, products.

Views, API surfaces and tasks call these; nothing else writes brand rows.
"""

from __future__ import annotations

import logging
import re
import uuid
from decimal import Decimal
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from brands.fonts import match_font
from brands.models import DNA_FIELDS, Brand, BrandScrape, Product, ProductImage
from brands.scrape.crawl import ImageData, ScrapeFailed, ScrapeResult, scrape_site, validate_image
from studio.exceptions import InvalidInput
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


def brand_start_scrape(*, brand: Brand, url: str, overwrite: bool = False,
                       ready_on_success: bool = False) -> BrandScrape:
    """Queue a scrape of ``url`` for ``brand`` (enqueued after commit).

    A re-scrape keeps the fields a person edited (``Brand.edited_fields``) and edited or
    hand-added products, unless ``overwrite`` is set.
    """
    from brands.tasks import scrape_brand

    website = normalise_website(url)
    with transaction.atomic():
        scrape = BrandScrape.objects.create(workspace_id=brand.workspace_id, brand=brand,
                                            url=website, overwrite=overwrite,
                                            ready_on_success=ready_on_success,
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
        if scrape.ready_on_success:
            brand_mark_ready(brand=brand)
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


# ---------------------------------------------------------------------------------------------
# Brands from outside: onboarding by website (API) and Brand JSON (API inline body, importbrand)
# ---------------------------------------------------------------------------------------------
def brand_onboard_website(*, workspace: Workspace, website_url: str) -> tuple[Brand, BrandScrape]:
    """Start onboarding from a website with no one reviewing: the brand is ready once the
    scrape succeeds. A brand of the workspace with the same website is scraped again (Dessert:
    a second call re-runs the ingest) instead of being added twice."""
    try:
        website = normalise_website(website_url)
    except ValidationError as exc:
        raise InvalidInput(exc.messages[0], code="invalid_website_url",
                           field="website_url") from None
    host = (urlsplit(website).hostname or "").removeprefix("www.")
    with transaction.atomic():
        brand = next((b for b in Brand.objects.for_workspace(workspace).select_for_update()
                      if (urlsplit(b.website).hostname or "").removeprefix("www.") == host),
                     None)
        if brand is None:
            brand = brand_create(workspace=workspace, name=host or "New brand", website=website)
        scrape = brand_start_scrape(brand=brand, url=website, ready_on_success=True)
    return brand, scrape


_HEX = r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$"
_ROLES = ("primary", "secondary", "accent", "background", "text")


def _brand_json_error(message: str, field: str):
    return InvalidInput(message, code="invalid_brand_json", field=field)


def _text(data: dict, key: str, *, limit: int, required: bool = False, prefix: str = "") -> str:
    value = data.get(key)
    if value is None:
        if required:
            raise _brand_json_error(f"{prefix}{key} is required.", f"{prefix}{key}")
        return ""
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > limit:
        raise _brand_json_error(f"{prefix}{key} must be a string of at most {limit} characters"
                                + (" (not empty)." if required else "."), f"{prefix}{key}")
    return value.strip()


def brand_json_validate(data) -> dict:
    """Check a Brand JSON document (docs/brand-json.md) and return it normalised: ``products``
    is always a list (``product`` may hold one), colours are ``#rrggbb``."""
    if not isinstance(data, dict):
        raise _brand_json_error("The Brand JSON must be an object.", "")
    out = {"name": _text(data, "name", limit=120, required=True),
           "tagline": _text(data, "tagline", limit=200),
           "description": _text(data, "description", limit=5000),
           "tone": _text(data, "tone", limit=300), "audience": _text(data, "audience", limit=300),
           "language": _text(data, "language", limit=10) or "en",
           "website": _text(data, "website", limit=500)}
    colors = data.get("colors") or {}
    if not isinstance(colors, dict):
        raise _brand_json_error("colors must be an object of palette roles.", "colors")
    out["colors"] = {}
    for role, value in colors.items():
        if role not in _ROLES:
            raise _brand_json_error(f"Unknown colour role {role!r}; roles: {', '.join(_ROLES)}.",
                                    f"colors.{role}")
        if not isinstance(value, str) or not re.match(_HEX, value):
            raise _brand_json_error(f"colors.{role} must be a hex colour like #1a2b3c.",
                                    f"colors.{role}")
        out["colors"][role] = ("#" + "".join(c * 2 for c in value[1:]) if len(value) == 4
                               else value).lower()
    fonts = data.get("fonts") or {}
    if not isinstance(fonts, dict) or any(not isinstance(fonts.get(k, ""), str)
                                          for k in ("heading", "body")):
        raise _brand_json_error("fonts must be {\"heading\": name, \"body\": name}.", "fonts")
    out["fonts"] = {"heading": fonts.get("heading", "")[:120], "body": fonts.get("body", "")[:120]}
    props = data.get("value_props") or []
    if not isinstance(props, list) or any(not isinstance(p, str) or len(p) > 120 for p in props):
        raise _brand_json_error("value_props must be a list of short strings.", "value_props")
    out["value_props"] = [p.strip() for p in props if p.strip()][:12]
    products = data.get("products")
    if products is None:
        products = [data["product"]] if data.get("product") is not None else []
    if not isinstance(products, list) or len(products) > 50:
        raise _brand_json_error("products must be a list of at most 50 products.", "products")
    out["products"] = []
    for index, product in enumerate(products):
        where = f"products[{index}]."
        if not isinstance(product, dict):
            raise _brand_json_error("Each product must be an object.", f"products[{index}]")
        price = product.get("price")
        if price is not None:
            try:
                price = Decimal(str(price))
            except ArithmeticError:
                raise _brand_json_error("price must be a decimal such as \"19.50\".",
                                        f"{where}price") from None
            if not price.is_finite() or price < 0 or price >= Decimal("1e10"):
                raise _brand_json_error("price must be a decimal such as \"19.50\".",
                                        f"{where}price")
        out["products"].append({
            "name": _text(product, "name", limit=200, required=True, prefix=where),
            "description": _text(product, "description", limit=5000, prefix=where),
            "price": price, "currency": (_text(product, "currency", limit=3, prefix=where)
                                         or "USD").upper(),
        })
    return out


@transaction.atomic
def brand_import_json(*, workspace: Workspace, data, logo: bytes | None = None,
                      product_images: list[bytes] | tuple[bytes, ...] = (),
                      make_default: bool = False) -> Brand:
    """A ready brand from Brand JSON. ``product_images`` go to the first product, in order.

    Raises InvalidInput (``invalid_brand_json`` / ``invalid_image``) having written nothing.
    """
    spec = brand_json_validate(data)
    images = []
    for index, content in enumerate(product_images):
        image = validate_image(content, source_url="")
        if image is None:
            raise InvalidInput("The product image is not a PNG, JPEG, WebP, GIF or SVG.",
                               code="invalid_image", field=f"product_image[{index}]")
        images.append(image)
    logo_image = validate_image(logo, source_url="") if logo else None
    if logo and logo_image is None:
        raise InvalidInput("The logo is not a PNG, JPEG, WebP, GIF or SVG.",
                           code="invalid_image", field="logo")
    if images and not spec["products"]:
        raise _brand_json_error("Product images need a product in the Brand JSON.", "product")
    website = ""
    if spec["website"]:
        try:
            website = normalise_website(spec["website"])
        except ValidationError as exc:
            raise _brand_json_error(exc.messages[0], "website") from None
    brand = brand_create(workspace=workspace, name=spec["name"], website=website)
    colors = spec["colors"]
    for role in _ROLES:
        if role in colors:
            setattr(brand, f"color_{role}", colors[role])
    brand.tagline, brand.description = spec["tagline"], spec["description"]
    brand.tone_of_voice, brand.audience = spec["tone"], spec["audience"]
    brand.language, brand.value_props = spec["language"], spec["value_props"]
    for role in ("heading", "body"):
        if spec["fonts"][role]:
            setattr(brand, f"{role}_font_source", spec["fonts"][role])
            setattr(brand, f"{role}_font", match_font(spec["fonts"][role]))
    if logo_image is not None:
        _save_image(brand.logo, logo_image, stem="logo")
    brand.status = Brand.Status.READY
    brand.save()
    for position, item in enumerate(spec["products"]):
        product = Product.objects.create(
            workspace=workspace, brand=brand, name=item["name"], description=item["description"],
            price=item["price"], currency=item["currency"], source=Product.Source.MANUAL,
            edited=True, position=position)
        if position == 0:
            for index, image in enumerate(images):
                product_image = ProductImage(product=product, position=index,
                                             width=image.width, height=image.height)
                _save_image(product_image.image, image, stem=f"image-{index}")
                product_image.save()
    if make_default:
        brand_set_default(brand=brand)
    return brand


__all__ = [
    "brand_apply_scrape",
    "brand_create",
    "brand_import_json",
    "brand_json_validate",
    "brand_mark_ready",
    "brand_onboard_website",
    "brand_run_scrape",
    "brand_set_default",
    "brand_start_scrape",
    "brand_update_dna",
    "image_bytes",
    "normalise_website",
    "product_create",
    "product_image_add",
    "product_image_delete",
    "product_set_active",
    "product_update",
]

