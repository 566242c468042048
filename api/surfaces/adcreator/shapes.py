"""adcreator's JSON shapes built from our rows (vocabulary only: no rule lives here)."""

from __future__ import annotations

from generations.files import asset_url, poster_url, upload_url
from generations.models import Asset, AssetKind, Job, JobStatus, Upload

# adcreator has three states; a job's queue and render stages are all "processing", and a
# cancelled job (only the studio can cancel) reads as failed.
STATUS = {JobStatus.QUEUED: "processing", JobStatus.PROCESSING: "processing",
          JobStatus.RENDERING: "processing", JobStatus.COMPLETED: "completed",
          JobStatus.FAILED: "failed", JobStatus.CANCELLED: "failed"}


def iso(value) -> str | None:
    return value.isoformat(timespec="milliseconds").replace("+00:00", "Z") if value else None


def status(job: Job) -> str:
    return STATUS.get(JobStatus(job.status), "processing")


def accepted(job: Job) -> dict:
    return {"id": job.public_id, "status": "processing"}


def _assets(job: Job, *, kind: str, mime: str) -> list[Asset]:
    """The job's finished files of one kind, in concept order (none until it completes, so a
    poller never sees a half-finished batch)."""
    if job.status != JobStatus.COMPLETED:
        return []
    return [asset for concept in job.concepts.all() for asset in concept.assets.all()
            if asset.kind == kind and asset.mime_type == mime]


def _error(job: Job) -> str | None:
    return (job.error_message or job.error_code or "The generation failed.") if status(
        job) == "failed" else None


def generation(job: Job) -> dict:
    request = job.request
    images = [asset_url(asset, absolute=True)
              for asset in _assets(job, kind=AssetKind.STATIC, mime="image/png")]
    return {
        "id": job.public_id, "status": status(job), "prompt": request.get("prompt") or "",
        "image_url": images[0] if images else None, "images": images,
        "model_id": request.get("model") or "",
        "aspect_ratio": (request.get("sizes") or [""])[0],
        "style_preset": request.get("style_preset"),
        "negative_prompt": request.get("negative_prompt"),
        "input_image_path": (request.get("extra") or {}).get("input_image_path"),
        "batch_count": job.count, "credits_used": job.credits_net, "error": _error(job),
        "created_at": iso(job.created_at),
        "completed_at": iso(job.finished_at) if job.status == JobStatus.COMPLETED else None,
    }


def video(job: Job) -> dict:
    request = job.request
    extra = request.get("extra") or {}
    videos = _assets(job, kind=AssetKind.VIDEO, mime="video/mp4")
    return {
        "id": job.public_id, "status": status(job), "prompt": request.get("prompt") or "",
        "video_url": asset_url(videos[0], absolute=True) if videos else None,
        "thumbnail_url": (poster_url(videos[0], absolute=True)
                          if videos and videos[0].poster else None),
        "model_id": request.get("model") or "",
        "duration_seconds": request.get("duration"),
        "source_generation_id": extra.get("source_job", ""),
        "animation_prompt": (request.get("animation_prompts") or [""])[0],
        "generate_audio": bool(request.get("bgm")),
        "credits_used": job.credits_net, "error": _error(job),
        "created_at": iso(job.created_at),
        "completed_at": iso(job.finished_at) if job.status == JobStatus.COMPLETED else None,
    }


def upload(item: Upload) -> dict:
    return {"path": item.file.name, "publicUrl": upload_url(item, absolute=True)}
