import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from brands.services import brand_import_json
from studio.exceptions import AppError
from studio.models import Workspace


class Command(BaseCommand):
    help = ("Create a ready brand in WORKSPACE (slug) from a Brand JSON file (docs/brand-json.md)"
            "; prints the brand id as the last line.")

    def add_arguments(self, parser):
        parser.add_argument("workspace", help="Workspace slug")
        parser.add_argument("--brand-json", required=True, type=Path, metavar="FILE")
        parser.add_argument("--product-image", action="append", type=Path, default=[],
                            metavar="FILE", help="A photo of the product (repeatable)")
        parser.add_argument("--default", action="store_true",
                            help="Make it the workspace's default brand")

    def handle(self, *args, workspace: str, brand_json: Path, product_image: list[Path],
               default: bool, **options):
        target = Workspace.objects.filter(slug=workspace).first()
        if target is None:
            raise CommandError(f"No workspace with slug {workspace!r}.")
        try:
            data = json.loads(brand_json.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"Cannot read {brand_json}: {exc.strerror or exc}") from exc
        except (ValueError, UnicodeDecodeError) as exc:
            raise CommandError(f"{brand_json} is not valid JSON: {exc}") from exc
        logo = None
        if isinstance(data, dict) and isinstance(data.get("logo"), str) and data["logo"]:
            logo = self._read(brand_json.parent / data["logo"])
        images = [self._read(path) for path in product_image]
        try:
            brand = brand_import_json(workspace=target, data=data, logo=logo,
                                      product_images=images, make_default=default)
        except AppError as exc:
            where = f" ({exc.field})" if exc.field else ""
            raise CommandError(f"{exc.message}{where}") from exc
        self.stdout.write(f"Imported {brand.name!r} into {target.slug} with "
                          f"{brand.products.count()} product(s); status {brand.status}"
                          + (", default brand." if default else "."))
        self.stdout.write(str(brand.pk))

    def _read(self, path: Path) -> bytes:
        try:
            return path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from exc
