"""videotok's JSON shapes built from our rows and the catalogue (vocabulary only)."""

from __future__ import annotations

from django.conf import settings
from django.templatetags.static import static

from api.surfaces.dessert.shapes import iso
from api.surfaces.videotok import catalogue as vt
from api.surfaces.videotok.services import METADATA_KEY, Batch
from brands.models import Brand
from generations import ugc
from generations.briefs import AdBrief, concept_credits
from generations.files import asset_url, brand_logo_url, poster_url, upload_url
from generations.models import AdFormat, Asset, AssetKind, Job, JobStatus
from generations.render.slideshow import SLIDE_COUNTS
from generations.services import Submission

# videotok says queued … completed / failed; our two working stages are its "processing".
STATUS = {JobStatus.QUEUED: "queued", JobStatus.PROCESSING: "processing",
          JobStatus.RENDERING: "processing", JobStatus.COMPLETED: "completed",
          JobStatus.FAILED: "failed", JobStatus.CANCELLED: "cancelled"}


def facts(job: Job) -> dict:
    return job.metadata.get(METADATA_KEY, {})


def accepted(batch: Batch, *, kind: str) -> dict:
    """The 202 of POST /generations: every generation id of the batch, in order."""
    ids = [facts(job)["id"] for job in batch.jobs]
    return {"object": "generation", "status": "queued", "type": kind,
            "generation_id": ids[0], "generation_ids": ids, "request_count": len(ids),
            "credits_deducted": batch.credits, "remaining_credits": batch.balance_after,
            "aspect_ratio": batch.aspect_ratio}


def _asset(asset: Asset) -> dict:
    return {"id": asset.public_id,
            "type": "video" if asset.kind == AssetKind.VIDEO else "image",
            "url": asset_url(asset, absolute=True), "mime_type": asset.mime_type,
            "width": asset.width, "height": asset.height, "duration": asset.duration,
            "size_bytes": asset.size_bytes,
            "poster_url": poster_url(asset, absolute=True) if asset.poster else None}


def _assets(job: Job) -> list[Asset]:
    return [asset for concept in job.concepts.all() for asset in concept.assets.all()]


def _primary(job: Job, assets: list[Asset]) -> Asset | None:
    """The final asset: the video of a video output, else the PNG still."""
    wanted = (AssetKind.VIDEO, "video/mp4") if job.format == AdFormat.FULL else \
        (AssetKind.STATIC, "image/png")
    return next((a for a in assets if (a.kind, a.mime_type) == wanted), None)


def _thumbnail(assets: list[Asset], primary: Asset | None) -> str | None:
    if primary is not None and primary.poster:
        return poster_url(primary, absolute=True)
    jpeg = next((a for a in assets if a.mime_type == "image/jpeg"), None)
    return asset_url(jpeg, absolute=True) if jpeg else None


def _error(job: Job) -> dict | None:
    if job.status in (JobStatus.FAILED, JobStatus.CANCELLED) or job.error_code:
        return {"code": job.error_code or job.status, "message": job.error_message}
    return None


def generation(job: Job) -> dict:
    """GET /generations/{id}: status, progress, the asset URLs and the error."""
    info = facts(job)
    assets = _assets(job)
    primary = _primary(job, assets)
    done = job.status == JobStatus.COMPLETED
    return {
        "object": "generation", "id": info["id"], "type": info["type"],
        "status": STATUS[JobStatus(job.status)], "progress": job.progress,
        "template_slug": info.get("template_slug"), "model_slug": info.get("model_slug"),
        "variant_id": info.get("variant_id"), "avatar_id": info.get("avatar_id"),
        "quality_tier": info.get("quality_tier"), "aspect_ratio": info["aspect_ratio"],
        "duration": primary.duration if primary and primary.duration else info.get("duration"),
        "brand_kit_id": info.get("brand_kit_id"), "batch_id": info["batch_id"],
        "batch_index": info["batch_index"], "request_count": info["request_count"],
        "asset_url": asset_url(primary, absolute=True) if done and primary else None,
        "thumbnail_url": _thumbnail(assets, primary) if done else None,
        "assets": [_asset(a) for a in assets] if done else [],
        "credits_deducted": job.credits_charged, "credits_refunded": job.credits_refunded,
        "error": _error(job), "created_at": iso(job.created_at),
        "completed_at": iso(job.finished_at) if job.is_terminal else None,
    }


def slideshow_accepted(submission: Submission) -> dict:
    job = submission.job
    info = facts(job)
    return {"object": "slideshow_generation", "status": "queued",
            "slideshow_id": info["slideshow_id"], "video_id": job.pk, "title": info["title"],
            "slide_count": info["slide_count"], "credits_deducted": job.credits_charged,
            "remaining_credits": submission.credits_balance_after}


def slideshow(job: Job) -> dict:
    info = facts(job)
    assets = _assets(job)
    video = _primary(job, assets)
    done = job.status == JobStatus.COMPLETED and video is not None
    return {"object": "slideshow_generation", "status": STATUS[JobStatus(job.status)],
            "slideshow_id": info["slideshow_id"], "video_id": job.pk, "title": info["title"],
            "slide_count": info["slide_count"], "aspect_ratio": info["aspect_ratio"],
            "progress": job.progress,
            "video_url": asset_url(video, absolute=True) if done and video else None,
            "thumbnail_url": poster_url(video, absolute=True) if done and video else None,
            "duration": video.duration if done and video else None,
            "size_bytes": video.size_bytes if done and video else None,
            "credits_deducted": job.credits_charged, "credits_refunded": job.credits_refunded,
            "error": _error(job),
            "created_at": iso(job.created_at),
            "completed_at": iso(job.finished_at) if job.is_terminal else None}


def _credits(brief: AdBrief) -> int:
    return concept_credits(brief)


def _template(entry: vt.Template, *, kind: str) -> dict:
    shown = {"slug": entry.slug, "name": entry.name, "description": entry.description,
             "default_aspect_ratio": entry.default_aspect_ratio,
             "aspect_ratios": [*vt.ASPECT_RATIOS, "auto"]}
    if kind == "static_ad":
        return {**shown, "resolutions": list(vt.RESOLUTIONS),
                "estimated_credits": _credits(AdBrief(format=AdFormat.STATIC))}
    per = _credits(AdBrief(format=AdFormat.FULL))
    return {**shown, "quality_tiers": [
        {"id": tier, "durations": list(vt.VIDEO_DURATIONS),
         "estimated_credits": {str(d): per for d in vt.VIDEO_DURATIONS}}
        for tier in vt.QUALITY_TIERS]}


def _variant(model: vt.Model, variant: vt.Variant) -> dict:
    if variant.output == "image":
        credits = {"1K": _credits(AdBrief(extra={"price": {"kind": "image",
                                                            "model": model.engine}}))}
    else:
        credits = {str(d): _credits(AdBrief(extra={"price": {
            "kind": "video", "model": model.engine, "duration_seconds": d}}))
            for d in variant.durations}
    inputs = ["prompt", "aspect_ratio", "reference_image_urls"]
    inputs += ["resolution"] if variant.output == "image" else ["duration"]
    low, high = variant.reference_images
    return {"id": variant.id, "name": variant.name, "output": variant.output,
            "inputs": inputs, "reference_images": {"min": low, "max": high},
            "durations": list(variant.durations),
            "aspect_ratios": [*vt.ASPECT_RATIOS, "auto"], "estimated_credits": credits}


def models(*, workspace=None) -> dict:
    """GET /models: everything that renders now (the local engine, and the models configured
    providers serve for ``workspace``), priced by billing.pricing."""
    return {
        "static_ads": [_template(t, kind="static_ad") for t in vt.static_ads()],
        "video_ads": [_template(t, kind="video_ad") for t in vt.video_ads()],
        "ugc_ads": ugc_ads(workspace=workspace),
        "ai_models": [{"slug": m.slug, "name": m.name, "aliases": list(m.aliases),
                       "variants": [_variant(m, v) for v in m.variants]}
                      for m in vt.ai_models(workspace=workspace)],
        "presets": vt.presets(),
        "slideshows": {"slide_counts": list(SLIDE_COUNTS),
                       "aspect_ratios": ["9:16", "1:1", "4:5"],
                       "credits_per_slide": _credits(AdBrief(extra={"price": {
                           "kind": "slideshow"}}))},
    }


def brand_kit(brand: Brand) -> dict:
    return {"id": brand.pk, "name": brand.name, "status": brand.status,
            "is_default": brand.is_default, "website": brand.website,
            "colors": dict(brand.palette),
            "fonts": {"heading": brand.heading_font, "body": brand.body_font},
            "logo_url": brand_logo_url(brand, absolute=True) if brand.logo else None,
            "language": brand.language or "en"}


def ugc_ads(*, workspace=None) -> list[dict]:
    """The UGC templates with their tiers, durations and prices, and what voice needs."""
    speaks = ugc.speech_available(workspace=workspace)
    voice = {"generate_audio": speaks, "audio_url": True,
             "requires": None if speaks else
             "generate_audio needs a speech provider, and none is configured; without one "
             "a video is silent with captions at reading speed, or send audio_url."}
    return [{"slug": t.slug, "name": t.name, "description": t.description,
             "default_aspect_ratio": "9:16", "aspect_ratios": [*ugc.ASPECT_RATIOS, "auto"],
             "quality_tiers": [
                 {"id": tier, "durations": list(durations),
                  "estimated_credits": {str(d): _credits(AdBrief(extra={"price": {
                      "kind": "ugc", "tier": tier, "duration_seconds": d}}))
                      for d in durations}}
                 for tier, durations in ugc.TIER_DURATIONS.items()],
             "voice": voice}
            for t in ugc.TEMPLATES]


def avatar(entry) -> dict:
    """A presenter as GET /assets lists it: a built-in (catalogue dict) or an uploaded one."""
    if isinstance(entry, dict):
        return {"id": entry["id"], "name": entry["name"], "type": "built_in",
                "description": entry["description"],
                "image_url": settings.SITE_URL + static(f"avatars/{entry['id']}.png"),
                "voice": entry.get("voice")}
    return {"id": entry.public_id, "name": entry.name, "type": "uploaded",
            "description": "", "image_url": upload_url(entry.upload, absolute=True),
            "voice": None}


def assets(brands, avatars) -> dict:
    """GET /assets: the workspace's brands as brand kits, the built-in presenters and the
    workspace's uploaded ones; no saved inspirations exist in this studio yet."""
    return {"brand_kits": [brand_kit(b) for b in brands],
            "avatars": [avatar(a) for a in avatars], "reference_inspirations": []}
