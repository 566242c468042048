"""Score Brand DNA extraction against the saved-page corpus in ``tests/fixtures/pages``.

Each ``<name>.html`` is a page shaped like a real platform's markup; ``<name>.json`` next to it
holds the page's address and what a person would write down (only the fields present are
scored); an optional ``<name>.css`` is passed as the page's linked stylesheet.

    /work/venv/bin/python -m tests.brands.corpus     # prints the per-field table
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

PAGES_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "pages"


def page_names() -> list[str]:
    return sorted(p.stem for p in PAGES_DIR.glob("*.html"))


def run_page(name: str) -> dict:
    """The ``branddna --json`` output for a saved page (no network)."""
    from brands.scrape.page import analyse_page, dna_json, found_fields, logo_urls

    html = (PAGES_DIR / f"{name}.html").read_text(encoding="utf-8")
    spec = json.loads((PAGES_DIR / f"{name}.json").read_text(encoding="utf-8"))
    css_file = PAGES_DIR / f"{name}.css"
    sheets = [css_file.read_text(encoding="utf-8")] if css_file.exists() else []
    analysis = analyse_page(html=html, url=spec["url"], stylesheets=sheets)
    logos = logo_urls(analysis, limit=1)
    return dna_json(found=found_fields(analysis), products=analysis.products,
                    logo=logos[0][0] if logos else None)


def _text(value) -> str:
    return re.sub(r"\s+", " ", str(value or "")).strip().casefold()


def _url(value) -> str:
    """Scheme, ``www.``, query (image sizes, cache busters) and trailing slash don't count."""
    if not value:
        return ""
    if str(value).startswith("data:image/svg"):
        return "inline-svg"
    parts = urlsplit(str(value))
    return f"{(parts.hostname or '').removeprefix('www.')}{parts.path.rstrip('/')}".lower()


def _expected_url(value) -> str:
    return "inline-svg" if value == "inline-svg" else _url(value)


def score_page(expected: dict, actual: dict) -> dict[str, tuple[int, int]]:
    """{field: (right, labelled)} for one page."""
    scores: dict[str, list[int]] = defaultdict(lambda: [0, 0])

    def mark(field: str, right: bool) -> None:
        scores[field][0] += int(right)
        scores[field][1] += 1

    for field in ("name", "language", "description"):
        if field in expected:
            mark(field, _text(expected[field]) == _text(actual.get(field)))
    if "logo" in expected:
        accepted = expected["logo"] if isinstance(expected["logo"], list) else [expected["logo"]]
        mark("logo", _url(actual.get("logo")) in {_expected_url(u) for u in accepted})
    if "theme" in expected:
        mark("theme", _text(expected["theme"]) == _text(actual["colors"].get("theme")))
    for role in ("heading", "body"):
        if role in expected.get("fonts", {}):
            mark(f"font {role}", _text(expected["fonts"][role]) == _text(actual["fonts"][role]))
    if "social" in expected:
        mark("social", {_url(u) for u in expected["social"]} == {_url(u) for u in
                                                                 actual["social"]})
    found = {_text(p["name"]): p for p in actual["products"]}
    for product in expected.get("products", []):
        got = found.get(_text(product["name"]))
        mark("product name", got is not None)
        got = got or {}
        if "price" in product:
            mark("price", got.get("price") == product["price"])
        if "currency" in product:
            mark("currency", got.get("currency") == product["currency"])
        if "image" in product:
            mark("product image", _url(got.get("image")) == _url(product["image"]))
    if "products" in expected and not expected["products"]:
        mark("product name", not actual["products"])
    return {field: (right, total) for field, (right, total) in scores.items()}


def score_corpus() -> tuple[dict[str, tuple[int, int]], list[str]]:
    """Totals per field over every page, and a line per miss."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses: list[str] = []
    for name in page_names():
        spec = json.loads((PAGES_DIR / f"{name}.json").read_text(encoding="utf-8"))
        actual = run_page(name)
        for field, (right, total) in score_page(spec["expected"], actual).items():
            totals[field][0] += right
            totals[field][1] += total
            if right < total:
                misses.append(f"{name}: {field}")
    return {f: (r, t) for f, (r, t) in totals.items()}, misses


def table(totals: dict[str, tuple[int, int]]) -> str:
    lines = [f"{'field':<15} {'right':>6} {'of':>4} {'%':>7}"]
    for field, (right, total) in sorted(totals.items()):
        lines.append(f"{field:<15} {right:>6} {total:>4} {100 * right / total:>6.1f}%")
    right = sum(r for r, _ in totals.values())
    total = sum(t for _, t in totals.values())
    lines.append(f"{'overall':<15} {right:>6} {total:>4} {100 * right / total:>6.1f}%")
    return "\n".join(lines)


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    django.setup()
    scored, missed = score_corpus()
    print(table(scored))
    print("\n".join(missed))
