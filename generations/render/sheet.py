"""A render sweep (templates x copy angles x seeds x sizes) for one brand, its report and its
contact sheet: how to look at the engine's output the way a marketer would, all at once."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from generations import catalogue

from . import render_concept, write_copy
from .engine import render_statics
from .fonts import font_path, load_font
from .report import concept_report, refused_report
from .specs import BrandSpec, ConceptSpec, ProductSpec, RenderFailed

CELL_HEIGHT = 240
BADGES = {"offer-badge": "-20%", "product-hero": "New"}


@dataclass(frozen=True)
class SweepOptions:
    templates: list[str]
    angles: list[str]
    seeds: int = 1
    sizes: list[str] = field(default_factory=lambda: ["9:16", "4:5"])
    video: bool = False
    duration: float = 6.0


def sweep_concepts(*, brand: BrandSpec, product: ProductSpec, options: SweepOptions
                   ) -> list[ConceptSpec]:
    """One concept per template x angle x seed; styles and motion rotate as in a job, and no
    headline repeats within one template's row (a job never repeats one)."""
    styles = [s["id"] for s in catalogue.styles()]
    prompts = [p["name"] for p in catalogue.animation_prompts()]
    concepts = []
    for t_index, slug in enumerate(options.templates):
        used: set[str] = set()
        for a_index, angle in enumerate(options.angles):
            for seed in range(options.seeds):
                n = (t_index * len(options.angles) + a_index) * options.seeds + seed
                copy = write_copy(brand=brand, product=product, angle=angle, template_slug=slug,
                                  avoid_headlines=used, seed=seed, sizes=options.sizes)
                used.update((copy.headline, copy.body))
                concepts.append(ConceptSpec(
                    template_slug=slug, style_id=styles[n % len(styles)],
                    animation_prompt=prompts[n % len(prompts)], copy_angle=angle,
                    headline=copy.headline, body=copy.body, cta=copy.cta,
                    badge=BADGES.get(slug), seed=seed))
    return concepts


def render_sweep(*, brand: BrandSpec, product: ProductSpec, options: SweepOptions,
                 video_dir: Path | None = None,
                 progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Render every concept of the sweep; returns the report (``canvases`` holds thumbnails
    for the contact sheet and is not part of report.json)."""
    concepts = sweep_concepts(brand=brand, product=product, options=options)
    results, per_size = [], []
    canvases: list[dict[str, Image.Image] | None] = []
    for index, concept in enumerate(concepts):
        started = time.perf_counter()
        try:
            if options.video:
                files = render_concept(brand=brand, product=product, concept=concept,
                                       sizes=options.sizes, video=True,
                                       duration=options.duration)
                scenes = None
            else:
                files, scenes = render_statics(brand=brand, product=product, concept=concept,
                                               sizes=options.sizes,
                                               image_formats=("png", "jpeg"))
        except RenderFailed as failure:
            results.append(refused_report(concept=concept, gate_report=failure.gate_report))
            canvases.append(None)
            if progress:
                progress(f"REFUSED {concept.template_slug} / {concept.copy_angle} / seed "
                         f"{concept.seed}: {failure}")
            continue
        elapsed = time.perf_counter() - started
        report = concept_report(concept=concept, files=files)
        report["seconds"] = round(elapsed, 3)
        per_size.append(elapsed / len(options.sizes))
        results.append(report)
        thumbs = {}
        for aspect in options.sizes:
            if scenes is not None:
                image = scenes[aspect].canvas
            else:
                from .imaging import open_image

                png = next(f for f in files if f.aspect == aspect and f.kind == "static"
                           and f.extension == "png")
                image = open_image(png.content)
            thumbs[aspect] = _thumbnail(image)
        canvases.append(thumbs)
        if video_dir is not None:
            video_dir.mkdir(parents=True, exist_ok=True)
            for f in files:
                if f.kind == "video":
                    name = (f"{index + 1:03d}-{concept.template_slug}-"
                            f"{concept.copy_angle.replace(' ', '').replace('+', '-')}-"
                            f"{concept.seed}-{f.aspect.replace(':', 'x')}.mp4")
                    (video_dir / name).write_bytes(f.content)
        if progress and (index + 1) % 12 == 0:
            progress(f"{index + 1}/{len(concepts)} concepts")
    refused = sum(r["refused"] for r in results)
    return {
        "brand": brand.name, "product": product.name, "language": brand.language,
        "sizes": options.sizes, "format": "full" if options.video else "static",
        "summary": {"concepts": len(results), "refused": refused,
                    "relaid_out": sum(r["relaid_out"] and not r["refused"] for r in results),
                    "median_seconds_per_size": round(statistics.median(per_size), 4)
                    if per_size else 0.0},
        "concepts": results, "canvases": canvases,
    }


def _thumbnail(image: Image.Image) -> Image.Image:
    width = round(image.width * CELL_HEIGHT / image.height)
    return image.convert("RGB").resize((width, CELL_HEIGHT), Image.Resampling.LANCZOS)


def contact_sheet(report: dict[str, Any]) -> Image.Image:
    """Rows per template, a cell per angle x seed x size; refused cells are red."""
    sizes = report["sizes"]
    label_font = load_font(font_path("Inter", 700), 18)
    small_font = load_font(font_path("Inter", 400), 13)
    widths = {a: round(catalogue.ASPECT_SIZES[a][0] * CELL_HEIGHT / catalogue.ASPECT_SIZES[a][1])
              for a in sizes}
    rows: dict[str, list[tuple[dict, dict | None]]] = {}
    for result, thumbs in zip(report["concepts"], report["canvases"], strict=True):
        rows.setdefault(result["template"], []).append((result, thumbs))
    gap, label, caption = 10, 28, 18
    concept_w = sum(widths.values()) + gap * (len(sizes) - 1)
    columns = max(len(v) for v in rows.values())
    sheet_w = gap + columns * (concept_w + gap * 2)
    sheet_h = gap + len(rows) * (label + CELL_HEIGHT + caption + gap)
    sheet = Image.new("RGB", (sheet_w, sheet_h), (236, 236, 236))
    draw = ImageDraw.Draw(sheet)
    y = gap
    for slug, cells in rows.items():
        draw.text((gap, y + 4), slug, font=label_font, fill=(30, 30, 30))
        x = gap
        for result, thumbs in cells:
            cx = x
            for aspect in sizes:
                if thumbs is None:
                    draw.rectangle((cx, y + label, cx + widths[aspect], y + label + CELL_HEIGHT),
                                   fill=(200, 0, 0))
                    draw.text((cx + 8, y + label + 8), "REFUSED", font=label_font,
                              fill=(255, 255, 255))
                else:
                    sheet.paste(thumbs[aspect], (cx, y + label))
                cx += widths[aspect] + gap
            draw.text((x, y + label + CELL_HEIGHT + 2),
                      f"{result['angle']} · seed {result['seed']}", font=small_font,
                      fill=(90, 90, 90))
            x += concept_w + gap * 2
        y += label + CELL_HEIGHT + caption + gap
    return sheet
