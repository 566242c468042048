"""``python manage.py branddna URL [--json]``: the Brand DNA a scrape of URL would store."""

import json

from django.core.management.base import BaseCommand, CommandError

from brands.services import brand_scrape_preview
from studio.exceptions import AppError


class Command(BaseCommand):
    help = ("Scrape URL exactly as onboarding does and print the Brand DNA it would store; "
            "nothing is saved.")

    def add_arguments(self, parser):
        parser.add_argument("url", help="The website, e.g. https://yourbrand.com")
        parser.add_argument("--json", action="store_true", dest="as_json",
                            help="Print the Brand DNA as JSON (see docs/brand-dna.md)")

    def handle(self, *args, url: str, as_json: bool = False, **options):
        try:
            result = brand_scrape_preview(url=url)
        except AppError as exc:
            raise CommandError(exc.message) from exc
        dna = result.dna_json()
        if as_json:
            self.stdout.write(json.dumps(dna, ensure_ascii=False, indent=2))
            return
        self.stdout.write(_describe(dna, result))


def _describe(dna: dict, result) -> str:
    lines = [f"Name         {dna['name']}", f"Tagline      {dna['tagline']}",
             f"Description  {dna['description']}", f"Language     {dna['language']}",
             f"Logo         {dna['logo'] or '(none found)'}"]
    if result.logo_error:
        lines.append(f"             not downloaded: {result.logo_error}")
    colours = ", ".join(f"{role} {value}" for role, value in dna["colors"].items() if value)
    lines += [f"Colours      {colours}",
              f"Fonts        heading {dna['fonts']['heading'] or '-'}, "
              f"body {dna['fonts']['body'] or '-'}",
              f"Social       {', '.join(dna['social']) or '-'}",
              f"Products     {len(dna['products'])}"]
    for product in dna["products"][:20]:
        price = f"{product['price']:.2f} {product['currency'] or ''}".strip() \
            if product["price"] is not None else "no price"
        lines.append(f"  - {product['name']} ({price})")
    lines.append(f"Pages        {len(result.pages)} fetched, {len(result.errors)} problem(s)")
    for error in result.errors[:10]:
        lines.append(f"  ! {error}")
    return "\n".join(lines)
