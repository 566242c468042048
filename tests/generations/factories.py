"""Jobs with real (small) rendered files, made without the pipeline, for page tests."""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from PIL import Image

from generations.models import Asset, Concept, Job, JobStatus


def png_bytes(width: int = 1080, height: int = 1920, colour: str = "#C8553D") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def job_with_concepts(*, workspace, brand, status: str = JobStatus.COMPLETED, count: int = 2,
                      rendered: int | None = None, format: str = "static") -> Job:
    """A job with ``count`` concepts of which the first ``rendered`` have a 9:16 PNG."""
    rendered = count if rendered is None else rendered
    job = Job.objects.create(workspace=workspace, brand=brand, status=status, format=format,
                             count=count, credits_charged=5 * count,
                             progress=100 if status == JobStatus.COMPLETED else 40,
                             stage="completed" if status == JobStatus.COMPLETED else "rendering",
                             request={"sizes": ["9:16"], "format": format, "count": count})
    for index in range(count):
        concept = Concept.objects.create(
            job=job, index=index, copy_angle="sensory", headline=f"Glow that lasts {index + 1}",
            body="Vitamin C serum", cta="Shop now", template_slug="product-hero",
            style_id="soft-gradient", product_name="Glow Serum",
            status="completed" if index < rendered else "pending")
        if index < rendered:
            asset_add(concept=concept)
    return job


def asset_add(*, concept: Concept, kind: str = "static", mime: str = "image/png") -> Asset:
    extension = {"image/png": "png", "image/jpeg": "jpg", "video/mp4": "mp4"}[mime]
    content = png_bytes() if mime == "image/png" else b"\x00" * 64
    asset = Asset(job=concept.job, concept=concept, kind=kind, aspect="9:16", width=1080,
                  height=1920, mime_type=mime, size_bytes=len(content), checksum="x",
                  duration=6.0 if kind == "video" else None)
    asset.file.save(f"{concept.index + 1:02d}-{concept.public_id}-9x16.{extension}",
                    ContentFile(content), save=False)
    asset.save()
    return asset


def noisy_png_bytes(width: int = 1080, height: int = 1920) -> bytes:
    """A PNG about as heavy as a real rendered ad (photographic detail compresses badly)."""
    buffer = io.BytesIO()
    noise = Image.effect_noise((width // 3, height // 3), 40).convert("RGB")
    noise.resize((width, height), Image.Resampling.BILINEAR).save(buffer, format="PNG")
    return buffer.getvalue()


def mp4_bytes(width: int = 270, height: int = 480, seconds: float = 2.0) -> bytes:
    """A short, playable H.264 MP4 (moving colour bars) made with PyAV."""
    import av
    import numpy as np

    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for index in range(int(seconds * 30)):
            frame = np.zeros((height, width, 3), dtype=np.uint8)
            frame[:, :, 0] = (index * 8) % 255
            frame[: height // 2, :, 1] = 180
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


def full_concept_assets(*, concept: Concept, heavy: bool = True) -> None:
    """What a full-format concept renders at 9:16: a PNG, its JPEG and an MP4."""
    still = noisy_png_bytes() if heavy else png_bytes()
    jpeg = io.BytesIO()
    Image.open(io.BytesIO(still)).convert("RGB").save(jpeg, format="JPEG", quality=85)
    for kind, mime, content, extension in (
            ("static", "image/png", still, "png"), ("static", "image/jpeg", jpeg.getvalue(), "jpg"),
            ("video", "video/mp4", mp4_bytes(), "mp4")):
        asset = Asset(job=concept.job, concept=concept, kind=kind, aspect="9:16", width=1080,
                      height=1920, mime_type=mime, size_bytes=len(content), checksum="x",
                      duration=2.0 if kind == "video" else None)
        asset.file.save(f"{concept.index + 1:02d}-{concept.public_id}-9x16.{extension}",
                        ContentFile(content), save=False)
        asset.save()
def finished_job_create(*, workspace, brand=None) -> Job:
    """A completed one-concept static job with one stored 9:16 PNG."""
    job = Job.objects.create(workspace=workspace, brand=brand, status=JobStatus.COMPLETED,
                             format="static", count=1, credits_charged=5, progress=100,
                             request={"sizes": ["9:16"]})
    concept = Concept.objects.create(job=job, index=0, copy_angle="sensory",
                                     headline="Glow that lasts", body="Vitamin C serum",
                                     cta="Shop now", template_slug="product-hero",
                                     style_id="soft-gradient", status="completed")
    asset = Asset(job=job, concept=concept, kind="static", aspect="9:16", width=1080,
                  height=1920, mime_type="image/png", size_bytes=9, checksum="x")
    asset.file.save("01-ad-9x16.png", ContentFile(b"\x89PNG-fake"), save=False)
    asset.save()
    return job
