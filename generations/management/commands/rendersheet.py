"""``manage.py rendersheet``: render a sweep (templates x copy angles x seeds, in the given
sizes) for one brand, write a contact sheet PNG and ``report.json``, and exit non-zero if any
concept was refused by its quality gates.

    python manage.py rendersheet --brand-json brand.json --product-image bag.png --out out/ \
        [--templates all|slug,slug] [--angles all|angle,angle] [--seeds 2] \
        [--sizes 9:16,4:5] [--format static|full]
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from PIL import Image

from generations import catalogue
from generations.render import BrandSpec, product_from_json
from generations.render.sheet import SweepOptions, contact_sheet, render_sweep


def _pick(value: str, known: list[str], what: str) -> list[str]:
    if value == "all":
        return known
    picked = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [v for v in picked if v not in known]
    if unknown or not picked:
        raise CommandError(f"unknown {what}: {', '.join(unknown) or repr(value)}; "
                           f"choose from {', '.join(known)} or 'all'")
    return picked


class Command(BaseCommand):
    help = "Render a template x angle x seed sweep for one brand: contact sheet + report.json."

    def add_arguments(self, parser):
        parser.add_argument("--brand-json", required=True, type=Path)
        parser.add_argument("--product-image", type=Path)
        parser.add_argument("--out", required=True, type=Path)
        parser.add_argument("--templates", default="all")
        parser.add_argument("--angles", default="all")
        parser.add_argument("--seeds", type=int, default=1)
        parser.add_argument("--sizes", default="9:16,4:5")
        parser.add_argument("--format", default="static", choices=("static", "full"))
        parser.add_argument("--duration", type=float, default=6.0)

    def handle(self, *args, **options):
        path: Path = options["brand_json"]
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            brand = BrandSpec.from_json(data, base_dir=path.parent)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CommandError(f"cannot read brand JSON {path}: {exc}") from exc
        image = None
        if options["product_image"]:
            try:
                image = options["product_image"].read_bytes()
            except OSError as exc:
                raise CommandError(f"cannot read product image: {exc}") from exc
        product = product_from_json(data.get("product") or {}, image=image)
        if not 1 <= options["seeds"] <= 20:
            raise CommandError("--seeds must be between 1 and 20")
        sweep = SweepOptions(
            templates=_pick(options["templates"], [t["slug"] for t in catalogue.templates()],
                            "templates"),
            angles=_pick(options["angles"], list(catalogue.COPY_ANGLES), "angles"),
            seeds=options["seeds"],
            sizes=_pick(options["sizes"].replace(" ", ""), list(catalogue.ASPECT_SIZES),
                        "sizes"),
            video=options["format"] == "full", duration=options["duration"])
        out: Path = options["out"]
        out.mkdir(parents=True, exist_ok=True)
        report = render_sweep(brand=brand, product=product, options=sweep,
                              video_dir=out / "videos" if sweep.video else None,
                              progress=lambda line: self.stdout.write(line))
        sheet = contact_sheet(report)
        sheet_path = out / "contact-sheet.png"
        sheet.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(sheet_path, optimize=True)
        (out / "report.json").write_text(json.dumps(
            {key: value for key, value in report.items() if key != "canvases"}, indent=2,
            ensure_ascii=False, default=str), encoding="utf-8")
        summary = report["summary"]
        self.stdout.write(f"{sheet_path}\n{out / 'report.json'}")
        self.stdout.write(f"{summary['concepts']} concepts, {summary['refused']} refused, "
                          f"{summary['relaid_out']} re-laid out, median "
                          f"{summary['median_seconds_per_size']:.3f} s per size")
        if summary["refused"]:
            raise CommandError(f"{summary['refused']} of {summary['concepts']} concepts were "
                               "refused by their quality gates (see report.json)")
        self.stdout.write(self.style.SUCCESS("0 refused"))
