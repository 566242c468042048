"""Writes for brands: creating brands, running the website scrape, editing Brand DNA, products.

Views, API surfaces and tasks call these; nothing else writes brand rows.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone

from brands import events
from brands.models import DNA_FIELDS, Brand, BrandScrape, Product, ProductImage
from brands.scrape.crawl import (
    ImageData,
    ScrapeFailed,
    ScrapeResult,
    load_logo_url,
    scrape_site,
    validate_image,
)
from brands.scrape.http import FetchFailed, OutboundRefused, SafeClient
from generations.models import TERMINAL_STATUSES
from generations.providers import registry as providers
from studio.exceptions import Conflict, InvalidInput, NotFound, ServiceUnavailable
from studio.images import CheckedImage, ImageRefused, check_upload
from studio.leases import Heartbeat, lease_expiry
from studio.models import Workspace
from studio.visual.fonts import match_font

logger = logging.getLogger(__name__)


_WEBSITE_MAX_LENGTH = 500  # Brand.website and BrandScrape.url
_website_validator = URLValidator(schemes=["http", "https"])

# A host name as people type it: letters (any script), digits, dots and hyphens, with at least
# one dot. Spaces, underscores and punctuation mean it is not an address.
_HOST = re.compile(r"[^\W_](?:[\w-]*[^\W_])?(?:\.[^\W_](?:[\w-]*[^\W_])?)+\.?")


def _is_host(host: str) -> bool:
    if host == "localhost" or _HOST.fullmatch(host):
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def normalise_website(url: str) -> str:
    """``example.com`` → ``https://example.com/``; refuses anything but http(s) with a host."""
    url = (url or "").strip()
    if not url:
        raise InvalidInput("Enter the website address.", code="invalid_url", field="url")
    if "://" not in url:
        url = "https://" + url
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError as exc:  # "http://[::1" and other broken hosts
        raise InvalidInput("Enter a web address such as https://yourbrand.com.",
                           code="invalid_url", field="url") from exc
    if parts.scheme not in ("http", "https") or not hostname:
        raise InvalidInput("Enter a web address starting with http:// or https://.",
                           code="invalid_url", field="url")
    if not _is_host(hostname):
        raise InvalidInput(f"“{parts.netloc}” is not a web address. Enter one like yourbrand.com.",
                           code="invalid_url", field="url")
    if parts.username or parts.password:
        raise InvalidInput("Leave the user name and password out of the address.",
                           code="invalid_url", field="url")
    try:
        parts.port  # noqa: B018 - raises ValueError on "javascript:alert(1)"-style input
    except ValueError as exc:
        raise InvalidInput("Enter a web address such as https://yourbrand.com.",
                           code="invalid_url", field="url") from exc
    website = parts._replace(path=parts.path or "/", fragment="").geturl()
    # Accept exactly what Brand.website and BrandScrape.url store, so nothing saved here can
    # fail validation later (the review page re-validates the brand).
    if len(website) > _WEBSITE_MAX_LENGTH:
        raise InvalidInput(f"Keep the address under {_WEBSITE_MAX_LENGTH} characters.",
                           code="invalid_url", field="url")
    try:
        _website_validator(website)
    except ValidationError as exc:
        raise InvalidInput("Enter a web address such as https://yourbrand.com.",
                           code="invalid_url", field="url") from exc
    return website


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
        transaction.on_commit(lambda: events.scrape_requested.send(sender=BrandScrape,
                                                                   scrape_id=scrape.id))
    return scrape


MAX_SCRAPE_ATTEMPTS = 3


def _scrape_lease_seconds() -> float:
    return float(settings.STUDIO_RENDER_LEASE_SECONDS)


def brand_scrape_preview(*, url: str, client=None) -> ScrapeResult:
    """Run the onboarding scrape of ``url`` and return what it found, saving nothing (the
    ``branddna`` command). Raises ``InvalidInput`` for an address that is not a website and
    ``ServiceUnavailable`` when the site cannot be scraped."""
    website = normalise_website(url)
    try:
        return scrape_site(website, client=client,
                           voice_describer=providers.brand_voice_describer())
    except ScrapeFailed as exc:
        raise ServiceUnavailable(exc.reason, code="scrape_failed",
                                 retryable=exc.retryable) from exc


def brand_run_scrape(*, scrape_id: int, client=None) -> BrandScrape | None:
    """Run one scrape (the Celery task body). Safe to call twice: it claims a queued scrape,
    or a running one whose worker stopped renewing its lease (the worker died); a scrape a
    live worker holds is left alone, and only the current attempt may finish it."""
    now = timezone.now()
    claimed = BrandScrape.objects.filter(
        Q(status=BrandScrape.Status.QUEUED)
        | Q(status=BrandScrape.Status.RUNNING, lease_until__lt=now,
            attempts__lt=MAX_SCRAPE_ATTEMPTS),
        id=scrape_id,
    ).update(status=BrandScrape.Status.RUNNING, started_at=now, stage="Starting",
             attempts=F("attempts") + 1,
             lease_until=lease_expiry(_scrape_lease_seconds(), now=now))
    if not claimed:
        return None
    scrape = BrandScrape.objects.select_related("brand").get(id=scrape_id)
    mine = BrandScrape.objects.filter(id=scrape_id, status=BrandScrape.Status.RUNNING,
                                      attempts=scrape.attempts)

    def beat() -> bool:
        return mine.update(lease_until=lease_expiry(_scrape_lease_seconds())) == 1

    def on_progress(percent: int, stage: str, found: dict) -> None:
        mine.update(progress=min(percent, 100), stage=stage[:200], found=found)

    with Heartbeat(beat, interval=max(_scrape_lease_seconds() / 5, 0.2),
                   name=f"scrape-{scrape_id}"):
        try:
            result = scrape_site(scrape.url, client=client, on_progress=on_progress,
                                 voice_describer=providers.brand_voice_describer(
                                     workspace=scrape.brand.workspace))
        except ScrapeFailed as exc:
            _scrape_failed(scrape, exc.reason)
            return scrape
        except Exception:
            logger.exception("brand scrape %s crashed", scrape_id)
            _scrape_failed(scrape, "The scan stopped because of an error on our side. Try "
                           "again, or set the brand up by hand.")
            raise
        with transaction.atomic():
            if not mine.select_for_update().exists():
                return None  # this attempt lost its lease; another one owns the scrape
            brand = Brand.objects.select_for_update().get(id=scrape.brand_id)
            brand_apply_scrape(brand=brand, result=result, overwrite=scrape.overwrite)
            mine.update(
                status=BrandScrape.Status.SUCCEEDED, progress=100, stage="Done",
                found=result.found, pages=result.pages, errors=result.errors[:100],
                candidates=result.candidates, finished_at=timezone.now(), lease_until=None,
            )
            if scrape.ready_on_success:
                brand_mark_ready(brand=brand)
    scrape.refresh_from_db()
    return scrape


def scrape_sweep(*, now=None) -> dict[str, int]:
    """Move lost scrapes on: a running one whose worker died is queued again (or, after
    MAX_SCRAPE_ATTEMPTS, failed cleanly and its brand marked failed); a queued one no worker
    took is re-published. Every worker runs this every few seconds (``studio.worker``)."""
    now = now or timezone.now()
    counts = {"requeued": 0, "republished": 0, "failed": 0}
    stale_running = BrandScrape.objects.filter(status=BrandScrape.Status.RUNNING).filter(
        Q(lease_until__lt=now)
        | Q(lease_until__isnull=True, started_at__lt=now - timedelta(minutes=10)))
    for scrape in stale_running.select_related("brand"):
        if scrape.attempts >= MAX_SCRAPE_ATTEMPTS:
            _scrape_failed(scrape, "The scan stopped unexpectedly several times. Try again, "
                                   "or fill in the brand by hand.")
            counts["failed"] += 1
        elif BrandScrape.objects.filter(id=scrape.id, status=BrandScrape.Status.RUNNING,
                                        attempts=scrape.attempts).update(
                status=BrandScrape.Status.QUEUED, stage="Waiting for a worker",
                lease_until=now + timedelta(seconds=settings.STUDIO_QUEUED_STALE_SECONDS)):
            events.scrape_requested.send(sender=BrandScrape, scrape_id=scrape.id)
            counts["requeued"] += 1
    queued_stale = now - timedelta(seconds=settings.STUDIO_QUEUED_STALE_SECONDS)
    for scrape_id in BrandScrape.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now),
        status=BrandScrape.Status.QUEUED, created_at__lt=queued_stale,
    ).values_list("id", flat=True):
        if BrandScrape.objects.filter(id=scrape_id, status=BrandScrape.Status.QUEUED).update(
                lease_until=now + timedelta(seconds=settings.STUDIO_QUEUED_STALE_SECONDS)):
            events.scrape_requested.send(sender=BrandScrape, scrape_id=scrape_id)
            counts["republished"] += 1
    return counts


def _scrape_failed(scrape: BrandScrape, reason: str) -> None:
    with transaction.atomic():
        BrandScrape.objects.filter(id=scrape.id).update(
            status=BrandScrape.Status.FAILED, error=reason[:500], stage="Failed",
            finished_at=timezone.now(), lease_until=None)
        Brand.objects.filter(id=scrape.brand_id, status=Brand.Status.ONBOARDING).update(
            status=Brand.Status.FAILED)
    scrape.refresh_from_db()


def brand_apply_scrape(*, brand: Brand, result: ScrapeResult, overwrite: bool = False) -> Brand:
    """Copy what the scrape found onto ``brand`` and upsert its products.

    Fields a person edited stay (unless ``overwrite``). A logo or product photo that could not be
    downloaded keeps its address and the reason, for ``brand_retry_pending_images``. Scraped
    products the site no longer lists are kept but marked removed and inactive; hand-added
    products are never touched.
    """
    keep = set() if overwrite else set(brand.edited_fields)
    _apply_scraped_dna(brand=brand, result=result, keep=keep)
    if overwrite:
        brand.edited_fields = []
    brand.save()
    _apply_products(brand, result, overwrite=overwrite)
    return brand


def _apply_scraped_dna(*, brand: Brand, result: ScrapeResult, keep: set[str]) -> None:
    for field_name in DNA_FIELDS:
        if field_name in keep or field_name == "logo":
            continue
        value = result.value(field_name)
        if value in (None, "", [], {}):
            continue
        if isinstance(value, str):
            value = value[: getattr(Brand._meta.get_field(field_name), "max_length", None)
                          or None]
        setattr(brand, field_name, value)
    for field_name in ("heading_font_source", "body_font_source"):
        if result.value(field_name) and field_name.replace("_source", "") not in keep:
            setattr(brand, field_name, result.value(field_name)[:120])
    if "logo" not in keep or not brand.logo:
        _apply_logo(brand, result)


def _apply_logo(brand: Brand, result: ScrapeResult) -> None:
    address = "" if result.logo_url.startswith("data:") else result.logo_url[:1000]
    if result.logo:
        _save_image(brand.logo, result.logo, stem="logo")
        brand.logo_url, brand.logo_error = address, ""
    elif address:
        brand.logo_url, brand.logo_error = address, result.logo_error[:300]


def _apply_products(brand: Brand, result: ScrapeResult, *, overwrite: bool) -> None:
    now = timezone.now()
    existing = {p.external_id: p for p in Product.objects.filter(brand=brand) if p.external_id}
    seen: set[str] = set()
    for position, scraped in enumerate(result.products):
        data = scraped.data
        external_id = (data.external_id or data.url or f"name:{data.name.lower()}")[:300]
        seen.add(external_id)
        product = existing.get(external_id)
        pending = [{"url": f["url"][:1000], "error": f["error"][:300], "attempts": 1}
                   for f in scraped.failed_images]
        if product and product.edited and not overwrite:
            if product.removed_at:
                Product.objects.filter(id=product.id).update(removed_at=None, active=True)
            continue
        fields = {
            "name": data.name[:200], "description": data.description,
            "price": data.price, "regular_price": data.regular_price,
            "currency": data.currency[:3], "url": data.url[:500], "position": position,
            "pending_images": pending,
        }
        if product is None:
            product = Product.objects.create(workspace_id=brand.workspace_id, brand=brand,
                                             source=Product.Source.SCRAPED,
                                             external_id=external_id, **fields)
        else:
            for key, value in fields.items():
                setattr(product, key, value)
            if product.removed_at:
                product.removed_at, product.active = None, True
            product.edited = False
            product.save()
            if scraped.images:
                for old in product.images.all():
                    old.image.delete(save=False)
                    old.delete()
        if not product.images.exists():
            for index, image in enumerate(scraped.images):
                _add_product_image(product, image, position=index)
    if not result.products:
        return  # a scrape that found no products at all says nothing about which are gone
    gone = [p.id for key, p in existing.items() if key not in seen
            and p.source == Product.Source.SCRAPED and p.removed_at is None]
    Product.objects.filter(id__in=gone).update(removed_at=now, active=False)


def _add_product_image(product: Product, image: ImageData, *, position: int) -> ProductImage:
    product_image = ProductImage(product=product, source_url=image.source_url[:1000],
                                 position=position, width=image.width, height=image.height)
    _save_image(product_image.image, image, stem=f"image-{position}")
    product_image.save()
    return product_image


MAX_IMAGE_ATTEMPTS = 5


def brand_retry_pending_images(*, brand: Brand, client=None) -> int:
    """Try again to download the logo and product photos a scrape could not fetch.

    Returns how many images were saved. Each failure bumps the attempt count; after
    ``MAX_IMAGE_ATTEMPTS`` an address is left alone (it stays listed with its last error).
    """
    own_client = client is None
    client = client or SafeClient(timeout=10.0)
    saved = 0

    def download(url: str) -> tuple[ImageData | None, str]:
        try:
            response = client.get(url, check_robots=True,
                                  max_bytes=settings.BRANDS_SCRAPE_MAX_IMAGE_BYTES)
        except (OutboundRefused, FetchFailed) as exc:
            return None, exc.reason
        if response.status >= 400:
            return None, f"HTTP {response.status}"
        image = validate_image(response.content, source_url=url)
        return (image, "") if image else (None, "not a usable image")

    try:
        if brand.logo_url and brand.logo_error and not brand.logo:
            image, error = download(brand.logo_url)
            if image:
                _save_image(brand.logo, image, stem="logo")
                brand.logo_error = ""
                saved += 1
            else:
                brand.logo_error = error[:300]
            brand.save(update_fields=["logo", "logo_error", "updated_at"])
        for product in Product.objects.filter(brand=brand).exclude(pending_images=[]):
            still_pending = []
            for entry in product.pending_images:
                if entry.get("attempts", 0) >= MAX_IMAGE_ATTEMPTS:
                    still_pending.append(entry)
                    continue
                image, error = download(entry["url"])
                if image:
                    _add_product_image(product, image, position=product.images.count())
                    saved += 1
                else:
                    still_pending.append({**entry, "error": error[:300],
                                          "attempts": entry.get("attempts", 0) + 1})
            Product.objects.filter(id=product.id).update(pending_images=still_pending)
            product.pending_images = still_pending
    finally:
        if own_client:
            client.close()
    return saved


def brand_retry_all_pending_images(*, limit: int = 50) -> int:
    """The periodic sweep: retry pending images of up to ``limit`` brands."""
    brand_ids = set(Product.objects.exclude(pending_images=[]).values_list(
        "brand_id", flat=True)[:limit])
    brand_ids |= set(Brand.objects.exclude(logo_error="").filter(logo="").values_list(
        "id", flat=True)[:limit])
    return sum(brand_retry_pending_images(brand=brand)
               for brand in Brand.objects.filter(id__in=list(brand_ids)[:limit]))


def _image_data(checked: CheckedImage) -> ImageData:
    return ImageData(checked.content, checked.extension, checked.width, checked.height, "")


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
        try:
            checked = check_upload(logo_file, label="Logo")
        except ImageRefused as exc:
            raise InvalidInput(exc.message, code="invalid_image", field="logo") from exc
        _save_image(brand.logo, _image_data(checked), stem="logo")
        edited.add("logo")
    brand.edited_fields = sorted(edited)
    try:
        brand.full_clean(exclude=["logo"])
    except ValidationError as exc:
        problems = exc.message_dict
        field = next(iter(problems))
        raise InvalidInput(" ".join(problems[field]), field=field,
                           details={"fields": problems}) from exc
    brand.save()
    return brand


def brand_use_logo_candidate(*, brand: Brand, scrape: BrandScrape, index: int,
                             client=None) -> Brand:
    """Swap the logo for the scrape's ``index``-th logo candidate (downloaded now). The logo
    then counts as the person's choice, so a re-scrape keeps it. Nothing changes on failure."""
    if scrape.brand_id != brand.id:
        raise NotFound("That scan belongs to another brand.")
    candidates = (scrape.candidates or {}).get("logo", [])
    if not 0 <= index < len(candidates):
        raise InvalidInput("That logo is not one the scan found.", code="invalid_candidate",
                           field="logo_candidate")
    url = str(candidates[index]["value"])
    image, error = load_logo_url(url, client=client)
    if image is None:
        raise ServiceUnavailable(f"The logo could not be downloaded ({error}).",
                                 code="logo_download_failed")
    _save_image(brand.logo, image, stem="logo")
    brand.logo_url = "" if url.startswith("data:") else url[:1000]
    brand.logo_error = ""
    brand.edited_fields = sorted(set(brand.edited_fields) | {"logo"})
    brand.save()
    return brand


def brand_mark_ready(*, brand: Brand) -> Brand:
    Brand.objects.filter(id=brand.id).update(status=Brand.Status.READY)
    brand.status = Brand.Status.READY
    return brand


@transaction.atomic
def product_create(*, brand: Brand, name: str, description: str = "",
                   price: Decimal | None = None, currency: str = "", url: str = "",
                   active: bool = True, image=None) -> Product:
    """A hand-added product, with its first photo when ``image`` (an upload) is given. A
    refused photo raises ValidationError and no product is created."""
    position = Product.objects.filter(brand=brand).count()
    product = Product.objects.create(
        workspace_id=brand.workspace_id, brand=brand, name=name, description=description,
        price=price, currency=(currency or "").upper()[:3], url=url, active=active,
        source=Product.Source.MANUAL, edited=True, position=position,
    )
    if image is not None:
        product_image_add(product=product, upload=image)
    return product


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
    try:
        image = _image_data(check_upload(upload, label="Photo"))
    except ImageRefused as exc:
        raise InvalidInput(exc.message, code="invalid_image", field="image") from exc
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
    except InvalidInput as exc:
        raise InvalidInput(exc.message, code="invalid_website_url",
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
    out: dict[str, Any] = {
        "name": _text(data, "name", limit=120, required=True),
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
        except InvalidInput as exc:
            raise _brand_json_error(exc.message, "website") from None
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
    "brand_delete",
    "brand_import_json",
    "brand_json_validate",
    "brand_mark_ready",
    "brand_onboard_website",
    "brand_retry_all_pending_images",
    "brand_retry_pending_images",
    "brand_run_scrape",
    "brand_scrape_preview",
    "brand_set_default",
    "brand_start_scrape",
    "brand_update_dna",
    "brand_use_logo_candidate",
    "image_bytes",
    "normalise_website",
    "product_create",
    "product_image_add",
    "product_image_delete",
    "product_set_active",
    "product_update",
    "scrape_sweep",
]



@transaction.atomic
def brand_delete(*, brand: Brand) -> None:
    """Delete a brand with its products, photos and scans. Its finished jobs and their ads stay
    (shown as made for a deleted brand); a brand with ads still being made is refused. When the
    default brand goes, the next ready brand (by name) becomes the default."""
    locked = Brand.objects.select_for_update().get(id=brand.id)
    if locked.jobs.exclude(status__in=TERMINAL_STATUSES).exists():
        raise Conflict(f"{locked.name} has ads being made right now. Delete it once they "
                       "finish, or cancel them in the queue.", code="brand_in_use")
    files = [locked.logo] if locked.logo else []
    files += [image.image for image in ProductImage.objects.filter(product__brand=locked)]
    names = [(field_file.storage, field_file.name) for field_file in files if field_file.name]
    was_default = locked.is_default
    workspace_id = locked.workspace_id
    locked.delete()
    if was_default:
        successor = (Brand.objects.for_workspace(workspace_id)
                     .order_by(models.Case(models.When(status=Brand.Status.READY, then=0),
                                           default=1), "name").first())
        if successor is not None:
            Brand.objects.filter(id=successor.id).update(is_default=True)

    def _remove_files() -> None:
        for storage, name in names:
            storage.delete(name)

    transaction.on_commit(_remove_files)
