"""``manage.py rendergallery``: contact sheets (every template x the four sizes) for the sample
brands (docs/gallery/, for people to look at) and the template previews the catalogue's
``preview`` field points at (static/generations/previews/<slug>.png, 9:16, 270x480)."""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from PIL import Image, ImageDraw

from generations import catalogue
from generations.render import ConceptSpec, RenderFailed, write_copy
from generations.render.engine import layout_concept
from generations.render.fonts import font_path, load_font
from generations.render.samples import sample_brands

ASPECTS = ("9:16", "4:5", "1:1", "16:9")
ANGLE_FOR_CATEGORY = {"social proof": "social proof", "transformation": "transformation",
                      "routine": "ritual", "sensory": "sensory", "comparison": "pain + solution"}
BADGES = {"product-hero": "New", "offer-badge": "-20%", "spotlight": None}


def concept_for(template: dict, brand, product, style_id: str, used: set[str],
                seed: int) -> ConceptSpec:
    angle = ANGLE_FOR_CATEGORY.get(template["category"], "benefit outcome")
    copy = write_copy(brand=brand, product=product, angle=angle, template_slug=template["slug"],
                      avoid_headlines=used, seed=seed)
    used.add(copy.headline)
    return ConceptSpec(template_slug=template["slug"], style_id=style_id,
                       animation_prompt="Serum Droplets", copy_angle=angle,
                       headline=copy.headline, body=copy.body, cta=copy.cta,
                       badge=BADGES.get(template["slug"]), seed=seed)


def contact_sheet(key: str, cell_height: int = 170) -> tuple[Image.Image, list[str]]:
    brand, product, style_id = sample_brands()[key]
    font = load_font(font_path("Inter", 700), 15)
    rows, notes, used = [], [], set()
    for seed, template in enumerate(catalogue.templates()):
        concept = concept_for(template, brand, product, style_id, used, seed)
        cells = []
        for aspect in ASPECTS:
            try:
                scene, report = layout_concept(brand=brand, product=product, concept=concept,
                                               aspect=aspect)
                image = scene.canvas
                if len(report["attempts"]) > 1:
                    notes.append(f"{template['slug']} {aspect}: re-laid out "
                                 f"({report['attempts'][-1]['attempt']})")
            except RenderFailed as failure:
                notes.append(f"{template['slug']} {aspect}: FAILED {failure}")
                image = Image.new("RGB", catalogue.ASPECT_SIZES[aspect], (200, 0, 0))
            width = round(image.width * cell_height / image.height)
            cells.append(image.resize((width, cell_height), Image.Resampling.LANCZOS))
        rows.append((template["slug"], cells))
    gap, label = 10, 22
    sheet = Image.new("RGB", (gap + sum(c.width + gap for c in rows[0][1]),
                              gap + len(rows) * (cell_height + label + gap)), (236, 236, 236))
    draw = ImageDraw.Draw(sheet)
    y = gap
    for slug, cells in rows:
        draw.text((gap, y + 2), slug, font=font, fill=(40, 40, 40))
        x = gap
        for cell in cells:
            sheet.paste(cell, (x, y + label))
            x += cell.width + gap
        y += cell_height + label + gap
    return sheet, notes


class Command(BaseCommand):
    help = "Render contact sheets for the sample brands and template previews."

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, default=Path(settings.BASE_DIR) / "docs" /
                            "gallery")
        parser.add_argument("--previews", type=Path, default=Path(settings.BASE_DIR) / "static")
        parser.add_argument("--brands", default="skincare,streetwear,coffee,rtl")

    def handle(self, *args, **options):
        out: Path = options["out"]
        out.mkdir(parents=True, exist_ok=True)
        for key in options["brands"].split(","):
            started = time.perf_counter()
            sheet, notes = contact_sheet(key)
            path = out / f"contact-sheet-{key}.png"
            sheet.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
            self.stdout.write(f"{path} ({time.perf_counter() - started:.1f} s)")
            for note in notes:
                self.stdout.write(f"  {note}")
        brand, product, style_id = sample_brands()["skincare"]
        used: set[str] = set()
        static_root: Path = options["previews"]
        for seed, template in enumerate(catalogue.templates()):
            concept = concept_for(template, brand, product, style_id, used, seed)
            scene, _ = layout_concept(brand=brand, product=product, concept=concept,
                                      aspect="9:16")
            target = static_root / template["preview"]
            target.parent.mkdir(parents=True, exist_ok=True)
            preview = scene.canvas.resize((270, 480), Image.Resampling.LANCZOS)
            preview.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(target,
                                                                               optimize=True)
        self.stdout.write(self.style.SUCCESS(f"previews in {static_root / 'generations'}"))
