"""The local generation engine: statics, MP4s and copy with no keys and no internet.

Public API (used by the pipeline, the CLI and the bench)::

    write_copy(brand=..., product=..., angle=..., template_slug=..., avoid_headlines=..., seed=...)
    render_concept(brand=..., product=..., concept=..., sizes=("9:16", "4:5"), video=False, ...)
    render_transition(first=..., last=..., size="9:16", duration=4.0)
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

from generations import catalogue

from .copy import DEFAULT_PROVIDER, CopyProvider, LocalCopywriter
from .engine import LAYOUT_STEPS, render_statics
from .specs import (
    BrandSpec,
    ConceptSpec,
    Copy,
    ProductSpec,
    RenderedFile,
    RenderFailed,
    product_from_json,
)

__all__ = [
    "BrandSpec", "ConceptSpec", "Copy", "CopyProvider", "LocalCopywriter", "ProductSpec",
    "RenderFailed", "RenderedFile", "product_from_json", "render_concept", "render_transition",
    "write_copy",
]

MIN_DURATION, MAX_DURATION = 2.0, 15.0


def write_copy(*, brand: BrandSpec, product: ProductSpec, angle: str, template_slug: str,
               avoid_headlines: set[str] | frozenset[str] = frozenset(), seed: int = 0,
               provider: CopyProvider | None = None,
               sizes: Sequence[str] = ("9:16", "4:5")) -> Copy:
    """Headline, body and CTA for one concept; deterministic for a seed, never a headline in
    ``avoid_headlines`` (the job's headlines and bodies so far), written to fit the template's
    slots in every one of ``sizes``."""
    if angle not in catalogue.COPY_ANGLES:
        raise ValueError(f"unknown copy angle {angle!r}")
    template = catalogue.template_by_slug(template_slug)
    max_words = template.get("copy_limits", {}).get("headline_words", 7)
    classes = tuple(dict.fromkeys(catalogue.ASPECT_CLASSES[s] for s in sizes
                                  if s in catalogue.ASPECT_CLASSES)) or ("tall", "portrait")
    return (provider or DEFAULT_PROVIDER).write(
        brand=brand, product=product, angle=angle, template_slug=template_slug,
        avoid_headlines=avoid_headlines, seed=seed, max_headline_words=max_words,
        aspect_classes=classes)


def render_concept(*, brand: BrandSpec, product: ProductSpec, concept: ConceptSpec,
                   sizes: Sequence[str] = ("9:16", "4:5"), video: bool = False,
                   duration: float = 6.0, bgm: bool = False,
                   image_formats: Sequence[str] = ("png", "jpeg"),
                   checkpoint: Callable[[int, int], None] | None = None,
                   backdrops: Mapping[str, bytes] | None = None) -> list[RenderedFile]:
    """Render one concept's statics (every size x format) and, with ``video``, one MP4 per size.

    ``checkpoint(done, total)`` is called at every step boundary (layout stages, an encode, a
    video frame), from whichever thread did the step; whatever it raises stops the render and
    reaches the caller. Raises RenderFailed (with the gate report) when a size still fails
    its quality gates after re-layout; nothing is returned for such a concept.
    ``backdrops`` (per size, images a model provider made) replace the painted backgrounds.
    """
    unknown = [s for s in sizes if s not in catalogue.ASPECT_SIZES]
    if unknown:
        raise ValueError(f"unknown sizes {unknown}")
    formats = [("jpeg" if f in ("jpg", "jpeg") else f) for f in image_formats]
    duration = max(MIN_DURATION, min(MAX_DURATION, float(duration)))
    step = None
    if checkpoint is not None:
        from .motion import frame_count

        total = len(sizes) * (LAYOUT_STEPS + 1 + len(formats)) + (
            frame_count(duration) * len(sizes) if video else 0)
        step = _StepCounter(checkpoint, total)
    files, scenes = render_statics(brand=brand, product=product, concept=concept, sizes=sizes,
                                   image_formats=formats, step=step, backdrops=backdrops)
    if not video:
        return files
    from .motion import render_scene_video

    prompt = catalogue.animation_prompt_by_name(concept.animation_prompt)

    reports = {f.aspect: f.gate_report for f in files}

    side_by_side = min(2, len(sizes))

    def one(aspect: str) -> RenderedFile:
        # Two encoders at once, one thread each: x264's own frame threads on top of them
        # only contend for the same two cores (~10% slower in all).
        return render_scene_video(scenes[aspect], prompt, duration=duration, seed=concept.seed,
                                  bgm=bgm, gate_report=reports[aspect], step=step,
                                  encoder_threads=1 if side_by_side > 1 else 0)

    # The two sizes encode side by side: libx264 and Pillow release the GIL.
    with ThreadPoolExecutor(max_workers=side_by_side) as pool:
        videos = list(pool.map(one, sizes))
    return files + videos


class _StepCounter:
    """Counts steps finished across the threads of one render and reports each to the
    checkpoint."""

    def __init__(self, checkpoint: Callable[[int, int], None], total: int):
        self._checkpoint = checkpoint
        self._total = total
        self._done = 0
        self._lock = threading.Lock()

    def __call__(self) -> None:
        with self._lock:
            self._done += 1
            done = self._done
        self._checkpoint(done, self._total)


def render_transition(*, first: bytes, last: bytes, size: str = "9:16",
                      duration: float = 4.0) -> RenderedFile:
    """First-frame/last-frame transition video between two images."""
    from .motion import transition_video

    duration = max(MIN_DURATION, min(MAX_DURATION, float(duration)))
    return transition_video(first, last, size=size, duration=duration)
