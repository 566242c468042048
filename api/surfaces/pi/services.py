"""What the Pi endpoints do, as plain functions the views call: submit a generation (with its
reference images and inline brand), extract a brand, and manage registered webhook endpoints.
Each either completes or raises having changed nothing."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from api.models import WebhookEndpoint
from api.surfaces.pi.references import (
    MAX_REFERENCE_IMAGE_BYTES,
    ReferenceImage,
    base64_image_read,
    reference_images_read,
)
from brands.models import Brand, BrandScrape
from brands.scrape.colors import image_colors, is_chromatic, lightness, to_hex
from brands.services import brand_import_json, brand_onboard_website
from generations.briefs import AdBrief
from generations.errors import BrandNotFound
from generations.models import AdFormat, Surface, Upload
from generations.services import Submission, submit_job, upload_create
from studio.exceptions import InvalidInput, NotFound
from studio.models import Workspace

logger = logging.getLogger(__name__)

# Brand-extraction jobs are the website scrape (``bx_s<id>``) or, for a logo or images with
# no website, the brand made from them at once (``bx_b<id>``): no Job row, no charge.
SCRAPE_JOB_PREFIX, BRAND_JOB_PREFIX = "bx_s", "bx_b"


@dataclass(frozen=True)
class GenerateInput:
    prompt: str
    count: int
    aspect_ratio: str
    reference_images: tuple[str, ...] = ()
    brand_id: str | None = None
    brand_identity_json: dict | None = None
    client_reference_id: str = ""
    metadata: dict | None = None
    extra: dict | None = None


def _brand_pk(brand_id: str) -> int:
    text = brand_id.strip()
    if not text.isdigit() or len(text) > 18:
        raise BrandNotFound(f"Brand {brand_id} does not exist in this workspace.",
                            field="brand_id")
    return int(text)


def _inline_brand(workspace: Workspace, data: dict) -> Brand:
    try:
        return brand_import_json(workspace=workspace, data=data)
    except InvalidInput as exc:
        raise InvalidInput(exc.message, code=exc.code, field="brand_identity_json"
                           + (f".{exc.field}" if exc.field else "")) from None


def _store_references(workspace: Workspace, images: list[ReferenceImage]) -> list[Upload]:
    return [upload_create(workspace=workspace, content=image.content, original_name=image.name,
                          max_bytes=MAX_REFERENCE_IMAGE_BYTES, field=f"reference_images[{i}]")
            for i, image in enumerate(images)]


def generate_submit(*, workspace: Workspace, request: GenerateInput, api_key_id: int | None,
                    idempotency_key: str | None, request_id: str) -> Submission:
    """Check and fetch the reference images, then in one transaction store them, store an
    inline brand, and submit the job (static ads, one per ``count``, at one aspect ratio).
    A refusal anywhere leaves no upload, no brand, no job and no charge."""
    images = reference_images_read(list(request.reference_images))
    stored: list[Upload] = []
    try:
        with transaction.atomic():
            if request.brand_identity_json is not None:
                brand_pk: int | None = _inline_brand(workspace, request.brand_identity_json).pk
            elif request.brand_id:
                brand_pk = _brand_pk(request.brand_id)
            else:
                brand_pk = None
            stored = _store_references(workspace, images)
            brief = AdBrief(count=request.count, format=AdFormat.STATIC, brand_id=brand_pk,
                            sizes=(request.aspect_ratio,), prompt=request.prompt,
                            reference_uploads=tuple(u.public_id for u in stored),
                            extra=dict(request.extra or {}))
            return submit_job(workspace=workspace, brief=brief, surface=Surface.OPENAI,
                              api_key_id=api_key_id, idempotency_key=idempotency_key,
                              correlation_id=request.client_reference_id,
                              metadata=request.metadata or {}, request_id=request_id)
    except BaseException:
        for upload in stored:  # the rows rolled back; their files must go too
            try:
                upload.file.delete(save=False)
            except Exception:
                logger.warning("Could not delete reference upload %s", upload.file.name,
                               exc_info=True)
        raise


# -- brand extraction --------------------------------------------------------------------------
@dataclass(frozen=True)
class BrandExtraction:
    job_id: str
    brand: Brand
    scrape: BrandScrape | None


def _palette(images: list[bytes]) -> dict[str, str]:
    """Palette roles from the images' dominant colours: chromatic ones first (primary,
    secondary, accent), the lightest as background when it is light enough."""
    found: list[tuple[tuple[int, int, int], float]] = []
    for content in images:
        found += image_colors(content, count=6)
    found.sort(key=lambda item: item[1], reverse=True)
    chromatic = [rgb for rgb, _ in found if is_chromatic(rgb)]
    colors = {}
    for role, rgb in zip(("primary", "secondary", "accent"), dict.fromkeys(chromatic),
                         strict=False):
        colors[role] = to_hex(rgb).lower()
    lightest = max((rgb for rgb, _ in found), key=lightness, default=None)
    if lightest is not None and lightness(lightest) > 0.85:
        colors["background"] = to_hex(lightest).lower()
    return colors


def brand_extract(*, workspace: Workspace, url: str = "", logo_base64: str = "",
                  images_base64: tuple[str, ...] = ()) -> BrandExtraction:
    """A website starts the onboarding scrape (the brand is ready when it succeeds); a logo
    and/or images with no website make a ready brand at once, its palette read off them."""
    if not (url.strip() or logo_base64.strip() or images_base64):
        raise InvalidInput("Send at least one of url, logoBase64 or imagesBase64.",
                           code="parameter_missing", field="url")
    if url.strip():
        brand, scrape = brand_onboard_website(workspace=workspace, website_url=url)
        return BrandExtraction(job_id=f"{SCRAPE_JOB_PREFIX}{scrape.pk}", brand=brand,
                               scrape=scrape)
    logo = base64_image_read(logo_base64, field="logoBase64") if logo_base64.strip() else None
    images = [base64_image_read(text, field=f"imagesBase64[{i}]")
              for i, text in enumerate(images_base64)]
    colors = _palette([content for content in (logo, *images) if content])
    brand = brand_import_json(workspace=workspace, logo=logo,
                              data={"name": "Extracted brand", "colors": colors})
    return BrandExtraction(job_id=f"{BRAND_JOB_PREFIX}{brand.pk}", brand=brand, scrape=None)


def brand_job_get(*, workspace: Workspace, job_id: str) -> BrandExtraction | None:
    """The brand-extraction job ``job_id`` names, None when it is not that kind of id, and
    NotFound when it is one but not this workspace's."""
    for prefix in (SCRAPE_JOB_PREFIX, BRAND_JOB_PREFIX):
        if job_id.startswith(prefix):
            ident = job_id.removeprefix(prefix)
            if not ident.isdigit() or len(ident) > 18:
                break
            if prefix == SCRAPE_JOB_PREFIX:
                scrape = BrandScrape.objects.for_workspace(workspace).select_related(
                    "brand").filter(pk=int(ident)).first()
                if scrape is not None:
                    return BrandExtraction(job_id=job_id, brand=scrape.brand, scrape=scrape)
            else:
                brand = Brand.objects.for_workspace(workspace).filter(pk=int(ident)).first()
                if brand is not None:
                    return BrandExtraction(job_id=job_id, brand=brand, scrape=None)
            break
    else:
        return None
    raise NotFound(f"Job {job_id} does not exist in this organisation.", code="job_not_found")


# -- registered webhook endpoints --------------------------------------------------------------
def _check_endpoint_url(url: str) -> None:
    try:
        URLValidator(schemes=["https"])(url)
    except ValidationError:
        valid = False
    else:
        valid = bool(urlsplit(url).hostname)
    if not valid:
        raise InvalidInput("endpoint_url must be an https:// URL (plain http is refused).",
                           code="invalid_endpoint_url", field="endpoint_url", status=422)


def webhook_endpoint_create(*, workspace: Workspace, endpoint_url: str,
                            secret: str) -> WebhookEndpoint:
    _check_endpoint_url(endpoint_url)
    return WebhookEndpoint.objects.create(workspace=workspace, endpoint_url=endpoint_url,
                                          secret=secret)


def webhook_endpoint_get(*, workspace: Workspace, endpoint_id: str) -> WebhookEndpoint:
    try:
        ident = uuid.UUID(endpoint_id)
    except ValueError:
        ident = None  # not a UUID: the same as not found
    endpoint = (WebhookEndpoint.objects.for_workspace(workspace).filter(public_id=ident).first()
                if ident else None)
    if endpoint is None:
        raise NotFound(f"Webhook {endpoint_id} does not exist in this organisation.",
                       code="webhook_not_found")
    return endpoint


def webhook_endpoint_set_active(*, endpoint: WebhookEndpoint, is_active: bool
                                ) -> WebhookEndpoint:
    endpoint.is_active = is_active
    endpoint.save(update_fields=["is_active", "updated_at"])
    return endpoint


def webhook_endpoints_for(workspace: Workspace):
    return WebhookEndpoint.objects.for_workspace(workspace)
