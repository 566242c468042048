"""Time the website scrape on every fixture site, plus a generated 10-page shop.

    STUDIO_OUTBOUND_ALLOW_LOOPBACK=1 /work/venv/bin/python bench/scrape.py [--runs 3]

Prints the median wall time of the crawl + extraction + image validation per site (the
database write that follows is a handful of rows and is not included). Targets: under 3 s for
a 10-page site served on loopback; under 1.5 s for a 1 MB home page with 4,000 CSS rules.
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


def big_page_site(folder: Path, *, rules: int = 4000, target_bytes: int = 1_000_000) -> Path:
    """One home page of about 1 MB: 4,000 CSS rules (CSS-in-JS style classes, media queries,
    custom properties), a long product grid with microdata and many links and images."""
    folder.mkdir(parents=True)
    css = [":root{--color-primary:#1f6f50;--font-heading:'Playfair Display',serif}",
           "body{font-family:Inter,sans-serif;color:#222}",
           "h1,h2{font-family:'Playfair Display',serif}"]
    for i in range(rules - len(css)):
        if i % 10 == 0:
            css.append(f"@media (min-width:{300 + i % 900}px){{.css-{i:x}{{margin:{i % 7}px}}}}")
        else:
            css.append(f".css-{i:x} .item-{i}:hover{{color:#{(i * 37) % 256:02x}"
                       f"{(i * 11) % 256:02x}{(i * 5) % 256:02x};padding:{i % 9}px "
                       f"{i % 5}px;font-family:Inter,sans-serif;border:1px solid #eee}}")
    cards, i = [], 0
    head = ('<html lang="en"><head><title>Bigpage Shop</title><meta property="og:site_name" '
            'content="Bigpage"><style>' + "\n".join(css) + "</style></head><body><header>"
            '<a href="/"><img src="/logo.png" alt="Bigpage" class="logo"></a></header><main>')
    size = len(head)
    while size < target_bytes:
        card = (f'<div class="css-{i % 3000:x} product-card" itemscope '
                f'itemtype="https://schema.org/Product"><a href="/p/{i}" itemprop="url">'
                f'<img itemprop="image" src="/img/{i}.jpg" alt="Item {i}"><h3 itemprop="name">'
                f'Item {i}</h3></a><p>Hand made in small batches, number {i} of many.</p>'
                '<div itemprop="offers" itemscope itemtype="https://schema.org/Offer">'
                f'<meta itemprop="price" content="{10 + i % 90}.00"><meta '
                'itemprop="priceCurrency" content="USD"></div></div>')
        cards.append(card)
        size += len(card)
        i += 1
    (folder / "index.html").write_text(head + "".join(cards) + "</main></body></html>")
    from PIL import Image

    Image.new("RGB", (200, 60), (31, 111, 80)).save(folder / "logo.png")
    (folder / "robots.txt").write_text("User-agent: *\nDisallow: /p/\nDisallow: /img/\n")
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
        sites.append(FixtureSite("1 MB, 4000 rules", big_page_site(Path(tmp) / "b")).start())
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
