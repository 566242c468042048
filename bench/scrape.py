"""Time the website scrape on every fixture site, plus a generated 10-page shop.

    STUDIO_OUTBOUND_ALLOW_LOOPBACK=1 /work/venv/bin/python bench/scrape.py [--runs 3]

Prints the median wall time of the crawl + extraction + image validation per site (the
database write that follows is a handful of rows and is not included). Target: under 3 s for a
10-page site served on loopback.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ["STUDIO_OUTBOUND_ALLOW_LOOPBACK"] = "1"

import django  # noqa: E402

django.setup()

import logging  # noqa: E402

from django.conf import settings  # noqa: E402

from brands.scrape.crawl import ScrapeFailed, scrape_site  # noqa: E402
from tests.brands.sites import FixtureSite, site_names  # noqa: E402


def ten_page_site(folder: Path) -> Path:
    """A home page, an about page and eight product pages (JSON-LD, one photo each)."""
    from PIL import Image

    (folder / "products").mkdir(parents=True)
    links = []
    for i in range(8):
        slug = f"item-{i}"
        Image.new("RGB", (600, 600), (30 * i, 90, 160)).save(folder / "products" / f"{slug}.jpg")
        (folder / "products" / f"{slug}.html").write_text(
            f'<html lang="en"><head><title>Item {i}</title><script type="application/ld+json">'
            f'{{"@type":"Product","name":"Item {i}","image":"/products/{slug}.jpg",'
            f'"offers":{{"price":"{10 + i}.00","priceCurrency":"USD"}}}}</script></head>'
            f"<body><h1>Item {i}</h1></body></html>")
        links.append(f'<a href="/products/{slug}">Item {i}</a>')
    (folder / "about.html").write_text("<html><body><h1>About us</h1><p>We make things.</p>"
                                       "</body></html>")
    (folder / "index.html").write_text(
        '<html lang="en"><head><title>Tenpage Goods</title><meta name="theme-color" '
        'content="#0066cc"><style>body{font-family:Georgia,serif}</style></head><body>'
        '<header><img class="logo" src="/products/item-1.jpg"></header><h1>Good things, '
        'delivered</h1><a href="/about">About</a>' + "".join(links) + "</body></html>")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    logging.disable(logging.INFO)
    settings.BRANDS_SCRAPE_TIMEOUT_SECONDS = 1.0

    with tempfile.TemporaryDirectory() as tmp:
        sites = [FixtureSite(name).start() for name in site_names()]
        sites.append(FixtureSite("tenpage (generated)", ten_page_site(Path(tmp) / "t")).start())
        print(f"{'site':<22} {'median s':>9} {'requests':>9} {'products':>9}  notes")
        for site in sites:
            times, result, note = [], None, ""
            for _ in range(args.runs):
                started = time.perf_counter()
                try:
                    result = scrape_site(site.url)
                except ScrapeFailed as exc:
                    note = exc.reason
                times.append(time.perf_counter() - started)
            requests = len(result.pages) if result else 0
            products = len(result.products) if result else 0
            if result and result.errors:
                note = note or f"{len(result.errors)} fetch problem(s), e.g. {result.errors[0]}"
            print(f"{site.name:<22} {statistics.median(times):>9.2f} {requests:>9} "
                  f"{products:>9}  {note[:80]}")
            site.stop()


if __name__ == "__main__":
    main()
