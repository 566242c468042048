"""Shared by the adcreator tests: images built to a size, and a completed generation."""

from __future__ import annotations

import io
import struct
import zlib

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from generations.models import Asset, AssetKind, Concept, ConceptStatus, Job, JobStatus, Surface


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (64, 64)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 60)).save(buffer, fmt)
    return buffer.getvalue()


def png_of_exact_size(total: int) -> bytes:
    """A valid PNG of exactly ``total`` bytes (a private ancillary chunk pads it)."""
    base = image_bytes("PNG")
    iend = base.rindex(b"IEND") - 4
    pad = total - len(base) - 12
    data = b"\0" * pad
    chunk = (struct.pack(">I", pad) + b"prVt" + data
             + struct.pack(">I", zlib.crc32(b"prVt" + data)))
    content = base[:iend] + chunk + base[iend:]
    assert len(content) == total
    return content


def completed_generation(workspace, brand, *, prompt: str = "A serum on marble") -> Job:
    """An adcreator image generation as the pipeline leaves it: one concept, its PNG."""
    job = Job.objects.create(
        workspace=workspace, brand=brand, surface=Surface.ADCREATOR, format="static", count=1,
        credits_charged=2, status=JobStatus.COMPLETED, progress=100, stage="completed",
        finished_at=timezone.now(),
        request={"count": 1, "format": "static", "sizes": ["1:1"], "prompt": prompt,
                 "model": "local-image", "style_preset": None, "negative_prompt": None})
    concept = Concept.objects.create(
        job=job, index=0, copy_angle="sensory", headline="Glow that lasts",
        body="Vitamin C serum.", cta="Shop now", template_slug="product-hero",
        style_id="marble-luxe", animation_prompt="Serum Droplets",
        status=ConceptStatus.COMPLETED, credits=2)
    asset = Asset(job=job, concept=concept, kind=AssetKind.STATIC, aspect="1:1", width=1080,
                  height=1080, mime_type="image/png", size_bytes=3, checksum="0" * 64)
    asset.file.save("1x1.png", ContentFile(image_bytes()), save=False)
    asset.save()
    return job
