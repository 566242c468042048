"""Slideshows: a sequence of the engine's statics joined by transitions into one H.264 MP4.

Each slide is a concept laid out by the static engine (template, style, copy and quality
gates, so a slide is as finished as a static ad); the slides follow each other with the
motion engine's soft wipe or a cross-fade, with a slow push-in while a slide holds. Without
text overlays a slide is the style's background and the product alone (no copy to check).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import replace

import numpy as np
from PIL import Image

from generations import catalogue

from .engine import background_for, content_for, layout_concept
from .motion import FPS, ease_in_out, encode_mp4, frame_count, poster_jpeg
from .specs import BrandSpec, ConceptSpec, ProductSpec, RenderedFile

SLIDE_COUNTS = (3, 4, 5, 6, 8, 9, 10)
HOLD_SECONDS = 2.0
TRANSITION_SECONDS = 0.5
PUSH_IN = 0.04  # how far a slide zooms while it holds
TRANSITIONS = ("wipe", "crossfade")
# Templates a slideshow rotates through: the ones with one product and a headline.
SLIDE_TEMPLATES = ("product-hero", "spotlight", "minimal-luxury", "arch-frame", "bold-type",
                   "sensory-closeup", "split-panel", "offer-badge")


def slide_concepts(*, brand: BrandSpec, products: Sequence[ProductSpec], first: ConceptSpec,
                   slide_count: int, aspect: str, text_overlays: bool
                   ) -> list[tuple[ProductSpec, ConceptSpec]]:
    """The slides: the planned concept first, then the next templates, styles and copy angles
    in turn, each with fresh copy (never a headline twice) for the product it shows."""
    from . import write_copy  # the package's public copy entry point (it imports this module's
    # siblings, so it is looked up when a slideshow is planned, not at import)

    if slide_count not in SLIDE_COUNTS:
        raise ValueError(f"slide_count must be one of {SLIDE_COUNTS}")
    styles = [s["id"] for s in catalogue.styles()]
    start_style = styles.index(first.style_id) if first.style_id in styles else 0
    angles = list(catalogue.COPY_ANGLES)
    start_angle = angles.index(first.copy_angle)
    products = list(products) or [ProductSpec(name=brand.name, description=brand.tagline)]
    slides = [(products[0], first)]
    used = {first.headline, first.body}
    for index in range(1, slide_count):
        product = products[index % len(products)]
        template = SLIDE_TEMPLATES[index % len(SLIDE_TEMPLATES)]
        angle = angles[(start_angle + index) % len(angles)]
        seed = first.seed * 31 + index
        headline = body = cta = ""
        if text_overlays:
            copy = write_copy(brand=brand, product=product, angle=angle,
                              template_slug=template, avoid_headlines=used, seed=seed,
                              sizes=(aspect,))
            headline, body, cta = copy.headline, copy.body, copy.cta
            used.update((headline, body))
        slides.append((product, replace(
            first, template_slug=template, style_id=styles[(start_style + index) % len(styles)],
            copy_angle=angle, headline=headline, body=body, cta=cta, badge=None, seed=seed)))
    return slides


def _plain_slide(brand: BrandSpec, product: ProductSpec, concept: ConceptSpec,
                 aspect: str) -> Image.Image:
    """Background and product, no text: the style painted for the size, the cut-out product
    centred in the middle band with room around it."""
    template = catalogue.template_by_slug(concept.template_slug)
    style = catalogue.style_by_id(concept.style_id)
    size = catalogue.ASPECT_SIZES[aspect]
    product_image = content_for(brand, product, concept)["product_image"]
    canvas = background_for(style, brand, template, catalogue.ASPECT_CLASSES[aspect], size,
                            concept, product_image).convert("RGB")
    box = (int(size[0] * 0.7), int(size[1] * 0.55))
    scale = min(box[0] / product_image.width, box[1] / product_image.height)
    placed = product_image.resize((max(1, int(product_image.width * scale)),
                                   max(1, int(product_image.height * scale))),
                                  Image.Resampling.LANCZOS)
    x, y = (size[0] - placed.width) // 2, (size[1] - placed.height) // 2
    canvas.paste(placed, (x, y), placed if placed.mode == "RGBA" else None)
    return canvas


def slide_images(*, brand: BrandSpec, slides: Sequence[tuple[ProductSpec, ConceptSpec]],
                 aspect: str, text_overlays: bool) -> tuple[list[Image.Image], list[dict]]:
    """Each slide as a finished RGB image and its gate report (text slides pass the same gates
    as a static ad; RenderFailed propagates when one cannot)."""
    images, reports = [], []
    for product, concept in slides:
        if text_overlays:
            scene, report = layout_concept(brand=brand, product=product, concept=concept,
                                           aspect=aspect)
            images.append(scene.canvas.convert("RGB"))
            reports.append({"ok": report["ok"], "template": report.get("template"),
                            "style": report.get("style"), "copy": report.get("copy")})
        else:
            images.append(_plain_slide(brand, product, concept, aspect))
            reports.append({"ok": True, "template": None, "style": concept.style_id,
                            "copy": None})
    return images, reports


def _push_in(image: Image.Image, amount: float) -> Image.Image:
    if amount <= 0:
        return image
    w, h = image.size
    dx, dy = int(w * amount / 2), int(h * amount / 2)
    return image.crop((dx, dy, w - dx, h - dy)).resize((w, h), Image.Resampling.BILINEAR)


def slideshow_frames(images: Sequence[Image.Image], *, hold: float = HOLD_SECONDS,
                     transition: float = TRANSITION_SECONDS) -> tuple[Iterator[Image.Image],
                                                                      int]:
    """Frames of the whole sequence and their count: each slide holds (pushing in slowly),
    then the next one arrives with a wipe or a cross-fade, alternating. The last slide holds
    to the end; frame 0 is the first slide as laid out."""
    w, h = images[0].size
    hold_frames, move_frames = frame_count(hold), frame_count(transition)
    count = len(images) * hold_frames + (len(images) - 1) * move_frames
    ramp = np.clip(np.linspace(-1, 2, w * 2, dtype=np.float32), 0, 1)
    wipe = Image.fromarray((ramp * 255).astype(np.uint8)[None, :].repeat(8, 0), "L").resize(
        (w * 2, h), Image.Resampling.BILINEAR)

    def frames() -> Iterator[Image.Image]:
        # The push-in is drawn in a few steps, not per frame: a held slide re-uses its frame.
        for index, image in enumerate(images):
            last_zoom = None
            held = image
            for i in range(hold_frames):
                zoom = round(PUSH_IN * ease_in_out(i / max(1, hold_frames - 1)), 3)
                if zoom != last_zoom:
                    held, last_zoom = _push_in(image, zoom), zoom
                yield held
            if index + 1 == len(images):
                return
            following = images[index + 1]
            kind = TRANSITIONS[index % len(TRANSITIONS)]
            for i in range(move_frames):
                q = ease_in_out((i + 1) / (move_frames + 1))
                if kind == "wipe":
                    offset = int((1 - q) * w)
                    yield Image.composite(following, held, wipe.crop((offset, 0, offset + w,
                                                                      h)))
                else:
                    yield Image.blend(held, following, q)

    return frames(), count


def render_slideshow(*, brand: BrandSpec, products: Sequence[ProductSpec], first: ConceptSpec,
                     slide_count: int, aspect: str = "9:16",
                     text_overlays: bool = False) -> RenderedFile:
    """One MP4 of ``slide_count`` slides at ``aspect`` (H.264, 30 fps, faststart, silent)."""
    if aspect not in catalogue.ASPECT_SIZES:
        raise ValueError(f"unknown aspect {aspect!r}")
    started = time.perf_counter()
    slides = slide_concepts(brand=brand, products=products, first=first,
                            slide_count=slide_count, aspect=aspect,
                            text_overlays=text_overlays)
    images, reports = slide_images(brand=brand, slides=slides, aspect=aspect,
                                   text_overlays=text_overlays)
    laid_out = time.perf_counter() - started
    frames, count = slideshow_frames(images)
    w, h = images[0].size
    content = encode_mp4(frames, size=(w, h), count=count)
    return RenderedFile(
        kind="video", aspect=aspect, width=w, height=h, duration=count / FPS, content=content,
        mime="video/mp4", extension="mp4", poster=poster_jpeg(images[0]),
        gate_report={"ok": all(r["ok"] for r in reports), "slides": reports,
                     "video": {"frames": count, "fps": FPS, "slideshow": True,
                               "slide_count": slide_count, "hold_s": HOLD_SECONDS,
                               "transition_s": TRANSITION_SECONDS}},
        timings={"layout_s": round(laid_out, 3),
                 "video_s": round(time.perf_counter() - started - laid_out, 3)})
