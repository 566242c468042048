"""Assembles one concept: palette, background, layout with re-layout on failed gates, encoding."""

from __future__ import annotations

import io
import json
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any

import numpy as np
from PIL import Image

from generations import catalogue

from .backgrounds import fit_backdrop, paint_background
from .colour import hex_to_rgb, is_dark
from .copy import labels, price_text, ritual_steps, shorter_variants
from .fonts import match_family
from .gates import run_gates
from .imaging import opaque_mean, pixels, placeholder_product, prepare_product
from .layout import LayoutOptions, Scene, build_scene
from .png import submit_png
from .specs import BrandSpec, ConceptSpec, ProductSpec, RenderedFile, RenderFailed

# Re-layout, in order, until every gate passes. Shorter copy comes first (the copy is cut only
# at a sentence or clause boundary, or a block is left out whole): a shorter line at the
# designed size reads better than the same words in smaller type. Then smaller type within the
# readable floor and a primary CTA, scrims everywhere, a taller headline box in the same
# template, and last another arrangement.
RELAYOUT_ATTEMPTS = (
    ("smaller text", LayoutOptions(min_scale=0.85, primary_cta=True), None),
    ("scrim", LayoutOptions(min_scale=0.8, force_scrim=True, primary_cta=True), None),
    # A single long word (a German compound) may need the readable floor itself.
    ("smallest readable type", LayoutOptions(min_scale=0.3, force_scrim=True,
                                             primary_cta=True), None),
    ("taller headline", LayoutOptions(min_scale=0.8, force_scrim=True, primary_cta=True,
                                      grow_headline=0.5), None),
    ("alternate arrangement", LayoutOptions(min_scale=0.8, force_scrim=True, primary_cta=True,
                                            grow_headline=0.6), "product-hero"),
)
MAX_SHORTER_COPY = 6
# Blocks a concept can ship without (whole, or not at all); a headline and CTA always stay.
DROPPABLE = ("body", "eyebrow", "list", "badge")
FALLBACK_STYLE = "soft-gradient"
RTL_LANGUAGES = ("ar", "he", "fa", "ur")


def palette_of(brand: BrandSpec) -> dict[str, tuple[int, int, int]]:
    return {role: hex_to_rgb(value) for role, value in brand.colors.items()}


def fonts_of(brand: BrandSpec) -> dict[str, str]:
    return {"heading": match_family(brand.fonts.get("heading")),
            "body": match_family(brand.fonts.get("body"))}


def content_for(brand: BrandSpec, product: ProductSpec, concept: ConceptSpec) -> dict[str, Any]:
    """Everything the layout may draw, keyed by slot name."""
    image = product.image or placeholder_product(hex_to_rgb(brand.colors["primary"]),
                                                 hex_to_rgb(brand.colors["accent"]))
    return {
        "headline": concept.headline, "body": concept.body, "cta": concept.cta,
        "badge": concept.badge, "eyebrow": product.name, "brand_name": brand.name,
        "value_props": list(brand.value_props) or [product.name],
        "steps": ritual_steps(brand, product), "labels": labels(brand),
        "price_text": price_text(product), "logo": brand.logo,
        "rtl": brand.language.split("-")[0].lower() in RTL_LANGUAGES,
        "product_image": prepare_product(image),
    }


def _horizon(template: dict, aspect_class: str) -> float:
    """Where an in-situ surface meets the wall: just above the product's base."""
    products = [layer for layer in template["layouts"][aspect_class]
                if layer["type"] == "product"]
    if not products:
        return 0.7
    _x, y, _w, h = products[-1]["frame"]
    return min(0.92, y + h * 0.9)


def product_colour(product_image: Image.Image) -> tuple[int, int, int]:
    """Mean colour of the product's opaque pixels."""
    mean = opaque_mean(product_image, 64)
    if mean is None:
        return (128, 128, 128)
    return tuple(int(v) for v in mean)  # type: ignore[return-value]


def style_against_product(style: dict, brand: BrandSpec, product_rgb: tuple[int, int, int]
                          ) -> dict:
    """Swap the style's palette stops when the product would melt into its background.

    The product is the focal point: a pink hoodie on a pink poster background disappears, so
    the backdrop moves to the palette role that differs most from the product.
    """
    render = style.get("render", {})
    stops = render.get("stops", ["background"])
    palette = palette_of(brand)
    if min(_distance(palette[r], product_rgb) for r in stops if r in palette) >= 70:
        return style
    # Only swap within the same lightness class, so a dark premium look stays dark (the
    # layout then adds a halo behind the product instead).
    dark = is_dark(palette[stops[0]]) if stops[0] in palette else False
    options = [r for r in ("background", "secondary", "accent", "text", "primary")
               if is_dark(palette[r]) == dark and _distance(palette[r], product_rgb) >= 70]
    if not options:
        return style
    best = max(options, key=lambda r: _distance(palette[r], product_rgb))
    swapped = [best if _distance(palette[r], product_rgb) < 70 else r for r in stops]
    return {**style, "render": {**render, "stops": swapped}}


def _distance(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    return float(np.linalg.norm(np.array(a, np.float32) - np.array(b, np.float32)))


def background_for(style: dict, brand: BrandSpec, template: dict, aspect_class: str,
                   size: tuple[int, int], concept: ConceptSpec,
                   product_image: Image.Image | None = None) -> Image.Image:
    if product_image is not None:
        style = style_against_product(style, brand, product_colour(product_image))
    # Keyed on what repeats within a job (brand palette + style + size + scene horizon), not
    # on the concept's seed: concepts sharing a style share one painted background.
    return paint_background(style["id"], json.dumps(style, sort_keys=True),
                            tuple(sorted(brand.colors.items())), size, 0,
                            round(_horizon(template, aspect_class), 3), concept.in_situ)


def _failed_roles(report: dict[str, Any]) -> list[str]:
    gate = report["gates"]["text_fits"]
    return list(dict.fromkeys(f["role"] for f in gate["failures"]))


def shorten_content(content: dict[str, Any], roles: list[str], names: tuple[str, ...]
                    ) -> tuple[dict[str, Any], list[str]] | None:
    """The content with the failing ``roles`` one step shorter, and what was changed; None
    when nothing can be shortened any more. A text is replaced by a shorter variant made of
    whole sentences or clauses, or (for optional blocks) left out."""
    changed = dict(content)
    steps = []
    for role in roles:
        slot = {"list": None, "wordmark": "brand_name"}.get(role, role)
        if role == "list":
            for key in ("value_props", "steps"):
                items = list(changed.get(key) or [])
                if len(items) > 1:
                    longest = max(items, key=len)
                    items.remove(longest)
                    changed[key] = items
                    steps.append(f"list: dropped {longest!r}")
            continue
        if slot is None:
            continue
        text = changed.get(slot) or ""
        if not text:
            continue
        variants = shorter_variants(text, exclude=names)
        if variants:
            changed[slot] = variants[0]
            steps.append(f"{role}: {variants[0]!r}")
        elif role in DROPPABLE:
            changed[slot] = ""
            steps.append(f"{role}: left out")
    return (changed, steps) if steps else None


LAYOUT_STEPS = 3  # content ready, background painted, first scene built


def layout_concept(*, brand: BrandSpec, product: ProductSpec, concept: ConceptSpec,
                   aspect: str, step: Callable[[], None] | None = None,
                   backdrop: bytes | None = None) -> tuple[Scene, dict[str, Any]]:
    """Lay the concept out for one aspect, re-laying out until the gates pass. ``step`` is
    called ``LAYOUT_STEPS`` times along the first attempt (it may raise to stop).

    ``backdrop`` (an image a model provider made, already checked) replaces the painted
    background: it is one more layer under the same layout, copy fitting and gates.

    Raises RenderFailed with the last gate report when every attempt fails.
    """
    template = catalogue.template_by_slug(concept.template_slug)
    try:
        style = catalogue.style_by_id(concept.style_id)
    except catalogue.CatalogueError:
        style = catalogue.style_by_id(FALLBACK_STYLE)
    aspect_class = catalogue.ASPECT_CLASSES[aspect]
    size = catalogue.ASPECT_SIZES[aspect]
    content = content_for(brand, product, concept)
    step = step or (lambda: None)
    step()
    names = (product.name, brand.name)
    attempts: list[dict[str, Any]] = []
    backgrounds: dict[str, Image.Image] = {}

    def attempt(name: str, options: LayoutOptions, chosen: dict) -> tuple[Scene, dict]:
        first = not attempts
        if chosen["slug"] not in backgrounds:
            backgrounds[chosen["slug"]] = (
                fit_backdrop(backdrop, size) if backdrop is not None
                else background_for(style, brand, chosen, aspect_class, size, concept,
                                    content["product_image"]))
        if first:
            step()
        scene = build_scene(template=chosen, aspect_class=aspect_class, aspect=aspect, size=size,
                            background=backgrounds[chosen["slug"]], palette=palette_of(brand),
                            fonts=fonts_of(brand), content=content, options=options)
        if first:
            step()
        report = run_gates(scene, brand_has_logo=brand.logo is not None)
        attempts.append({"attempt": name, "ok": report["ok"],
                         "failed": [k for k, g in report["gates"].items() if not g["ok"]]})
        return scene, report

    def done(scene: Scene, report: dict, chosen: dict) -> tuple[Scene, dict[str, Any]]:
        report.update(attempts=attempts, template=chosen["slug"], style=style["id"],
                      aspect=aspect, copy={"headline": content["headline"],
                                           "body": content["body"],
                                           "eyebrow": content["eyebrow"]})
        return scene, report

    scene, report = attempt("as designed", LayoutOptions(), template)
    if report["ok"]:
        return done(scene, report, template)
    for _ in range(MAX_SHORTER_COPY):
        roles = _failed_roles(report)
        shorter = shorten_content(content, roles, names) if roles else None
        if shorter is None:
            break
        content, steps = shorter
        scene, report = attempt("shorter copy (" + "; ".join(steps) + ")", LayoutOptions(),
                                template)
        if report["ok"]:
            return done(scene, report, template)
    for name, options, alternate in RELAYOUT_ATTEMPTS:
        chosen = catalogue.template_by_slug(alternate) if alternate else template
        scene, report = attempt(name, options, chosen)
        if report["ok"]:
            return done(scene, report, chosen)
    report.update(attempts=attempts, template=template["slug"], style=style["id"],
                  aspect=aspect)
    raise RenderFailed(report)


# A PNG is deflated in this many bands at once: the last size's PNG is the render's tail.
PNG_BANDS = 2


def submit_encode(pool: ThreadPoolExecutor, image: Image.Image, fmt: str
                  ) -> Callable[[], tuple[bytes, str, str]]:
    """Start encoding ``image`` on the pool; returns the function that waits for the file."""
    if fmt == "png":
        rgb = image.convert("RGB") if image.mode not in ("RGB", "RGBA") else image
        png = submit_png(pixels(rgb), PNG_BANDS, pool.submit)
        return lambda: (png(), "image/png", "png")
    return pool.submit(encode_jpeg, image).result


def encode_jpeg(image: Image.Image) -> tuple[bytes, str, str]:
    buffer = io.BytesIO()
    # Baseline (not progressive): progressive costs ~40% more encode time for a smaller file.
    (image if image.mode == "RGB" else image.convert("RGB")).save(buffer, "JPEG", quality=90,
                                                                  optimize=False)
    return buffer.getvalue(), "image/jpeg", "jpg"


_pool_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None


def _static_pool() -> ThreadPoolExecutor:
    """A process-wide pool for layouts and encodes (created lazily, reused)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="render-static")
        return _pool


def _forget_pool_after_fork() -> None:
    # A forked child (a Celery prefork worker) inherits the pool object but not its threads.
    global _pool
    _pool = None


os.register_at_fork(after_in_child=_forget_pool_after_fork)


def render_statics(*, brand: BrandSpec, product: ProductSpec, concept: ConceptSpec,
                   sizes: Sequence[str], image_formats: Sequence[str],
                   step: Callable[[], None] | None = None,
                   backdrops: Mapping[str, bytes] | None = None
                   ) -> tuple[list[RenderedFile], dict[str, Scene]]:
    """Statics for every size and format.

    Layouts and encodes run on a small thread pool (Pillow and zlib release the GIL), so the
    second size lays out while the first one's PNG is being compressed. ``step`` is called in
    the caller's thread after each layout and each encode lands (it may raise to stop).
    """
    started = time.perf_counter()
    pool = _static_pool()
    # One shared pool: its threads keep their (per-thread) font caches warm.
    layouts = {aspect: pool.submit(layout_concept, brand=brand, product=product,
                                   concept=concept, aspect=aspect, step=step,
                                   backdrop=(backdrops or {}).get(aspect))
               for aspect in sizes}
    scenes: dict[str, Scene] = {}
    encodes: dict[str, list] = {}
    # Each size's encodes start as soon as its own layout lands (the smaller size's while the
    # larger one is still laying out); the files come back in the order asked for.
    aspect_of = {future: aspect for aspect, future in layouts.items()}
    for done in as_completed(layouts.values()):
        aspect = aspect_of[done]
        scene, report = done.result()
        if step:
            step()
        scenes[aspect] = scene
        laid_out = time.perf_counter() - started
        encodes[aspect] = [(scene, report, laid_out, submit_encode(pool, scene.canvas, fmt))
                           for fmt in image_formats]
    files = []
    for scene, report, laid_out, encoded in (e for aspect in sizes for e in encodes[aspect]):
        content, mime, ext = encoded()
        if step:
            step()
        files.append(RenderedFile(kind="static", aspect=scene.aspect, width=scene.width,
                                  height=scene.height, duration=None, content=content,
                                  mime=mime, extension=ext, gate_report=report,
                                  timings={"layout_s": round(laid_out, 4)}))
    return files, {aspect: scenes[aspect] for aspect in sizes}
