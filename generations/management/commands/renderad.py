"""``manage.py renderad``: render one concept (statics, and MP4s for ``--format full``) from a
brand JSON file (docs/brand-json.md) and a product image, printing paths and timings."""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from generations import catalogue
from generations.render import (
    BrandSpec,
    ConceptSpec,
    RenderFailed,
    product_from_json,
    render_concept,
    write_copy,
)


class Command(BaseCommand):
    help = "Render an ad concept locally from a brand JSON file and a product image."

    def add_arguments(self, parser):
        parser.add_argument("--brand-json", required=True, type=Path)
        parser.add_argument("--product-image", type=Path)
        parser.add_argument("--template", default="product-hero",
                            choices=[t["slug"] for t in catalogue.templates()])
        parser.add_argument("--style", default="soft-gradient",
                            choices=[s["id"] for s in catalogue.styles()])
        parser.add_argument("--animation-prompt", default="Serum Droplets")
        parser.add_argument("--angle", default="benefit outcome", choices=catalogue.COPY_ANGLES)
        parser.add_argument("--format", default="static", choices=("static", "full"))
        parser.add_argument("--sizes", default="9:16,4:5",
                            help="comma-separated aspects: 9:16, 4:5, 1:1, 16:9")
        parser.add_argument("--duration", type=float, default=6.0)
        parser.add_argument("--bgm", action="store_true", help="add a generated music bed")
        parser.add_argument("--in-situ", action="store_true")
        parser.add_argument("--badge", default=None)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--out", required=True, type=Path)

    def handle(self, *args, **options):
        path: Path = options["brand_json"]
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            brand = BrandSpec.from_json(data, base_dir=path.parent)
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"cannot read brand JSON {path}: {exc}") from exc
        image = options["product_image"].read_bytes() if options["product_image"] else None
        product = product_from_json(data.get("product") or {}, image=image)
        sizes = [s.strip() for s in options["sizes"].split(",") if s.strip()]
        started = time.perf_counter()
        copy = write_copy(brand=brand, product=product, angle=options["angle"],
                          template_slug=options["template"], seed=options["seed"])
        concept = ConceptSpec(
            template_slug=options["template"], style_id=options["style"],
            animation_prompt=options["animation_prompt"], copy_angle=options["angle"],
            headline=copy.headline, body=copy.body, cta=copy.cta, badge=options["badge"],
            in_situ=options["in_situ"], seed=options["seed"])
        try:
            files = render_concept(brand=brand, product=product, concept=concept, sizes=sizes,
                                   video=options["format"] == "full",
                                   duration=options["duration"], bgm=options["bgm"])
        except RenderFailed as exc:
            raise CommandError(f"render failed its quality gates: {exc}\n"
                               f"{json.dumps(exc.gate_report, indent=2, default=str)}") from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - started
        out: Path = options["out"]
        out.mkdir(parents=True, exist_ok=True)
        self.stdout.write(f"copy: {copy.headline!r} / {copy.body!r} / {copy.cta!r}")
        for f in files:
            name = f"{options['template']}_{f.aspect.replace(':', 'x')}.{f.extension}"
            target = out / name
            target.write_bytes(f.content)
            timing = ", ".join(f"{k}={v}" for k, v in f.timings.items())
            self.stdout.write(f"{target}  {f.kind} {f.width}x{f.height} "
                              f"{len(f.content) // 1024} KB  {timing}")
        self.stdout.write(self.style.SUCCESS(f"rendered {len(files)} files in {elapsed:.2f} s"))
