"""Pi's JSON shapes built from our rows (vocabulary only: no rule lives here)."""

from __future__ import annotations

import base64
import time
from datetime import datetime
from typing import Any

from api.models import WebhookEndpoint
from brands.models import Brand, BrandScrape
from generations.files import asset_url, brand_logo_url
from generations.models import Asset, AssetKind, Job, JobStatus

STATUS: dict[str, str] = {JobStatus.QUEUED: "queued", JobStatus.PROCESSING: "processing",
          JobStatus.RENDERING: "processing", JobStatus.COMPLETED: "completed",
          JobStatus.FAILED: "failed", JobStatus.CANCELLED: "failed"}
SCRAPE_STATUS: dict[str, str] = {
    BrandScrape.Status.QUEUED: "queued", BrandScrape.Status.RUNNING: "processing",
    BrandScrape.Status.SUCCEEDED: "completed", BrandScrape.Status.FAILED: "failed"}
JOB_TYPE_AD = "ad_generation"
JOB_TYPE_BRAND = "brand_extraction"


def iso(value) -> str | None:
    return value.isoformat(timespec="milliseconds").replace("+00:00", "Z") if value else None


def envelope(request, *, object: str, status: str, data: Any, error: dict | None = None,
             created_at: int | None = None) -> dict:
    """``{id, object, status, created_at, data, error}``; ``id`` is this request's id."""
    return {"id": request._request.request_id if hasattr(request, "_request")
            else request.request_id, "object": object, "status": status,
            "created_at": created_at if created_at is not None else int(time.time()),
            "data": data, "error": error}


def accepted(request, *, job_id: str, created_at) -> dict:
    """The 202 of every POST that queues a job."""
    return envelope(request, object="job", status="queued", data={"job_id": job_id},
                    created_at=int(created_at.timestamp()))


# -- ad jobs -----------------------------------------------------------------------------------
def _statics(job: Job) -> list[tuple[Any, Asset]]:
    """(concept, PNG static) per concept, at the job's aspect ratio, in concept order."""
    aspect = (job.request.get("sizes") or ["1:1"])[0]
    out = []
    for concept in job.concepts.all():
        static = next((a for a in concept.assets.all() if a.kind == AssetKind.STATIC
                       and a.aspect == aspect and a.mime_type == "image/png"), None)
        if static is not None:
            out.append((concept, static))
    return out


def _image(concept, asset: Asset) -> dict:
    return {"image_url": asset_url(asset, absolute=True), "aspect_ratio": asset.aspect,
            "width": asset.width, "height": asset.height, "headline": concept.headline,
            "body": concept.body, "cta": concept.cta, "template": concept.template_slug,
            "style": concept.style_id}


def ad_images(job: Job) -> list[dict]:
    return [_image(concept, asset) for concept, asset in _statics(job)]


def revised_prompt(job: Job, concept) -> str:
    """What the engine made of the prompt: the copy and look it chose."""
    prompt = job.request.get("prompt") or ""
    return (f"{prompt}\n\nHeadline: {concept.headline} | Body: {concept.body} | "
            f"CTA: {concept.cta} | Template: {concept.template_slug} | "
            f"Style: {concept.style_id}").strip()


def job_record(job: Job) -> dict:
    images = ad_images(job) if job.status == JobStatus.COMPLETED else []
    first = images[0]["image_url"] if images else None
    result = {"image_url": first, "images": images,
              "aspect_ratio": (job.request.get("sizes") or ["1:1"])[0],
              "prompt": job.request.get("prompt")}
    error = ({"code": job.error_code, "message": job.error_message}
             if job.error_code else None)
    return {
        "id": job.public_id, "object": "job", "type": JOB_TYPE_AD,
        "status": STATUS.get(job.status, job.status), "stage": job.stage,
        "progress": job.progress, "brand_id": str(job.brand_id) if job.brand_id else None,
        "client_reference_id": job.correlation_id or None, "metadata": job.metadata or {},
        "result_url": first, "payload": result, "job_result": result,
        "error_log": error if job.status != JobStatus.COMPLETED else None,
        "credits_charged": job.credits_charged, "credits_refunded": job.credits_refunded,
        "created_at": iso(job.created_at), "updated_at": iso(job.updated_at),
        "completed_at": iso(job.finished_at),
    }


def ad(job: Job) -> dict | None:
    """``expand=ad``: the first image with its copy, and every image of the job."""
    images = ad_images(job) if job.status == JobStatus.COMPLETED else []
    if not images:
        return None
    return {**images[0], "images": images}


def diagnostics(job: Job) -> dict:
    return {
        "stage": job.stage, "progress": job.progress, "attempts": job.attempts,
        "started_at": iso(job.started_at), "finished_at": iso(job.finished_at),
        "concepts": [{"id": c.public_id, "status": c.status, "template": c.template_slug,
                      "style": c.style_id, "copy_angle": c.copy_angle,
                      "render_seconds": c.render_seconds, "error_code": c.error_code or None}
                     for c in job.concepts.all()],
    }


def images_response(job: Job, *, response_format: str) -> dict:
    """OpenAI's images response: ``created`` and one ``data`` item per rendered image."""
    data = []
    for concept, asset in _statics(job):
        item: dict[str, Any] = {"revised_prompt": revised_prompt(job, concept)}
        if response_format == "b64_json":
            with asset.file.open("rb") as handle:
                item["b64_json"] = base64.b64encode(handle.read()).decode()
        else:
            item["url"] = asset_url(asset, absolute=True)
        data.append(item)
    return {"created": int(job.created_at.timestamp()), "data": data}


# -- brands ------------------------------------------------------------------------------------
def _domain(brand: Brand) -> str | None:
    from urllib.parse import urlsplit

    host = urlsplit(brand.website).hostname if brand.website else None
    return host.removeprefix("www.") if host else None


def _four_colours(brand: Brand) -> list[str]:
    """Pi's ``color_palette`` holds exactly four unique colours: the brand's roles in order,
    then neutral fills when the brand has fewer distinct ones."""
    colours = []
    for value in (brand.color_primary, brand.color_secondary, brand.color_accent,
                  brand.color_background, brand.color_text, "#FFFFFF", "#000000", "#808080",
                  "#C0C0C0"):
        value = value.upper()
        if value not in colours:
            colours.append(value)
    return colours[:4]


def brand_record(brand: Brand) -> dict:
    # Two sentences exactly, as Pi documents: no full stop may come from the tone itself.
    tone = (brand.tone_of_voice or "clear and confident").replace(".", ",").strip(" ,")
    return {
        "id": str(brand.pk), "object": "brand", "org_id": str(brand.workspace_id),
        "domain": _domain(brand), "name": brand.name,
        "primary_hex": brand.color_primary.upper(),
        "secondary_hex": brand.color_secondary.upper(),
        "logo_url": brand_logo_url(brand, absolute=True) if brand.logo else None,
        "font_file_url": None,
        "layout_rules": {"core_slogan": brand.tagline or None,
                         "heading_font": brand.heading_font, "body_font": brand.body_font},
        "brand_dna": {
            "primary_background_hex": brand.color_background.upper(),
            "primary_accent_hex": brand.color_accent.upper(),
            "color_palette": _four_colours(brand),
            "typography_rules": f"Headings in {brand.heading_font}, body text in "
                                f"{brand.body_font}.",
            "core_slogan": brand.tagline or None,
            "imagen_style_conditioning": (
                f"Clean ad imagery on {brand.color_background.upper()} with "
                f"{brand.color_primary.upper()} and {brand.color_accent.upper()} accents. "
                f"The voice is {tone}."),
        },
        "status": brand.status,
        "created_at": iso(brand.created_at), "updated_at": iso(brand.updated_at),
    }


def brand_job_record(*, job_id: str, brand: Brand, scrape: BrandScrape | None) -> dict:
    error: dict | None
    finished: datetime | None
    if scrape is None:
        status, progress, error = "completed", 100, None
        created, finished = brand.created_at, brand.created_at
    else:
        status = SCRAPE_STATUS.get(scrape.status, scrape.status)
        progress = scrape.progress if status != "completed" else 100
        error = ({"code": "brand_extraction_failed", "message": scrape.error}
                 if scrape.status == BrandScrape.Status.FAILED else None)
        created, finished = scrape.created_at, scrape.finished_at
    result = {"brand": {"id": str(brand.pk), "name": brand.name}} if status == "completed" \
        else None
    return {
        "id": job_id, "object": "job", "type": JOB_TYPE_BRAND, "status": status,
        "stage": scrape.stage if scrape is not None else "completed", "progress": progress,
        "brand_id": str(brand.pk), "client_reference_id": None, "metadata": {},
        "result_url": None, "payload": result, "job_result": result, "error_log": error,
        "created_at": iso(created), "updated_at": iso(finished or created),
        "completed_at": iso(finished) if status in ("completed", "failed") else None,
    }


def webhook_record(endpoint: WebhookEndpoint) -> dict:
    return {"object": "webhook", "id": str(endpoint.public_id),
            "endpoint_url": endpoint.endpoint_url, "is_active": endpoint.is_active,
            "created_at": iso(endpoint.created_at), "updated_at": iso(endpoint.updated_at)}


def only_fields(record: dict, names: list[str]) -> dict:
    """``fields=``: the named keys of the record (unknown names ignored); all when none."""
    if not names:
        return record
    return {name: record[name] for name in names if name in record}
