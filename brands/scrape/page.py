"""One page in, its Brand DNA out: the pure half of the scrape.

``analyse_page`` reads a fetched page (and the stylesheets it links, already fetched) into ranked
candidates, the chosen values, the palette and the products it describes. The crawler
(``brands.scrape.crawl``) adds what needs the network — more pages, platform APIs, images — and
the fixture scorer and ``branddna`` command read saved pages through the same function.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from brands.scrape import dna, extract, structured
from brands.scrape.evidence import Candidates
from studio.visual import fonts as bundled
from studio.visual.colour import RGB

PALETTE_ROLES = ("primary", "secondary", "accent", "background", "text")


@dataclass
class PageAnalysis:
    url: str
    tree: HTMLParser
    data: structured.StructuredData
    css: extract.CssFacts
    inline_colors: list[RGB]
    candidates: Candidates
    font_generics: dict[str, str]
    copy: dict[str, list[str]]
    tagline: str
    description: str
    value_props: list[str]
    products: list[structured.ProductData]
    listed_urls: list[str]
    palette: extract.PaletteResult | None = None
    found: dict[str, dict] = field(default_factory=dict)


def parse_page(html: str) -> HTMLParser:
    return extract.parse_html(html)


def analyse_page(*, html: str, url: str, stylesheets: list[str] | tuple[str, ...] = (),
                 tree: HTMLParser | None = None,
                 logo_colors: list[tuple[RGB, float]] | None = None,
                 with_palette: bool = True) -> PageAnalysis:
    """``with_palette=False`` leaves the palette to a later ``apply_palette`` call (the crawl
    computes it once, after the logo's colours are known)."""
    tree = tree or parse_page(html)
    data = structured.read_structured(html, url)
    css_text, inline_colors = extract.inline_css(tree)
    css = extract.parse_css(css_text)
    for sheet in stylesheets:
        extract.parse_css(sheet, css)
    copy = extract.page_copy(tree)
    candidates, generics = dna.page_candidates(tree=tree, html=html, url=url, css=css,
                                               text=copy["text"], data=data)
    name = candidates.value("name", "") or dna.host_stem(url).title() or "Brand"
    tagline, description = extract.extract_tagline(tree, name=name)
    for source, value in (("meta description", extract.meta_content(tree, "description")),
                          ("og:description", structured.og(data, "og:description"))):
        candidates.add("description", value, source=source, evidence="declared",
                       weight=2 if source == "meta description" else 1)
    candidates.add("tagline", tagline, source="hero heading", evidence="layout")
    locale = dna.locale_of(candidates, tree)
    found_products, listed = structured.products(data, url, locale=locale)
    for product in found_products:
        product.name = strip_shop_name(product.name, name)
    analysis = PageAnalysis(
        url=url, tree=tree, data=data, css=css, inline_colors=inline_colors,
        candidates=candidates, font_generics=generics, copy=copy, tagline=tagline,
        description=candidates.value("description", "") or description,
        value_props=extract.extract_value_props(tree, copy=copy),
        products=structured.merge_products(found_products), listed_urls=listed,
    )
    if with_palette:
        apply_palette(analysis, logo_colors=logo_colors)
    else:
        analysis.found = found_fields(analysis)
    return analysis


def strip_shop_name(product_name: str, shop_name: str) -> str:
    """"Candle No. 4 — Thistle & Wick" → "Candle No. 4" (platforms append the shop's name)."""
    if not shop_name:
        return product_name
    pattern = re.compile(r"\s*[|–—\-:·]\s*" + re.escape(shop_name) + r"\s*$", re.I)
    stripped = pattern.sub("", product_name).strip()
    return stripped or product_name


def apply_palette(analysis: PageAnalysis, *, logo_colors: list[tuple[RGB, float]] | None
                  ) -> None:
    """(Re)compute the palette — again once the logo is downloaded and its colours known."""
    theme = analysis.candidates.value("theme", "")
    palette = extract.extract_palette(analysis.css, theme_color=theme, logo_colors=logo_colors,
                                      inline_colors=analysis.inline_colors)
    analysis.palette = palette
    for role in PALETTE_ROLES:
        field_name = f"color_{role}"
        analysis.candidates.clear(field_name)
        analysis.candidates.add(field_name, palette.colors[role],
                                source=palette.sources.get(role, ""), evidence="declared"
                                if palette.sources.get(role, "").startswith("css variable")
                                else "layout", weight=10)
        if role in ("primary", "secondary", "accent"):
            for rank, hex_value in enumerate(palette.ranked):
                analysis.candidates.add(field_name, hex_value, source="colour used on the site",
                                        evidence="frequency", weight=8 - rank)
    analysis.found = found_fields(analysis)


def found_fields(analysis: PageAnalysis) -> dict[str, dict]:
    """{field: {"value", "source"}} — the shape ``BrandScrape.found`` and the services use."""
    c = analysis.candidates
    found: dict[str, dict] = {}

    def note(name: str, value, source: str) -> None:
        if value not in (None, "", [], {}):
            found[name] = {"value": value, "source": source}

    for name in ("name", "language", "theme"):
        best = c.best(name)
        if best:
            note(name if name != "theme" else "theme_color", best.value, best.source)
    if "name" not in found:
        note("name", dna.host_stem(analysis.url).title() or "Brand", "domain")
    if "language" not in found:
        note("language", "en", "default")
    note("tagline", analysis.tagline, "hero heading")
    note("description", analysis.description, "meta description")
    note("social_links", dna.social_links(c), "links and sameAs")
    for role in ("heading", "body"):
        best = c.best(f"{role}_font")
        if best is None and role == "heading":
            best = c.best("body_font")
        if best is None:
            continue
        generic = analysis.font_generics.get(best.value, "")
        match = bundled.match_font(best.value, generic=generic or None,
                                   weight=700 if role == "heading" else 400)
        note(f"{role}_font", match, f"{best.value} ({best.source})")
        note(f"{role}_font_source", best.value, best.source)
    if analysis.palette:
        for role, hex_value in analysis.palette.colors.items():
            note(f"color_{role}", hex_value, analysis.palette.sources.get(role, ""))
    note("value_props", analysis.value_props[:6], "headings")
    return found


def logo_urls(analysis: PageAnalysis, *, limit: int = 5) -> list[tuple[str, str]]:
    return [(c.value, c.source) for c in analysis.candidates.ranked("logo")[:limit]]


def _price(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def dna_json(*, found: dict[str, dict], products: list[structured.ProductData],
             logo: str | None) -> dict:
    """The Brand DNA a scrape would store, in the ``branddna --json`` shape."""

    def value(name: str, default=None):
        return found.get(name, {}).get("value", default)

    return {
        "name": value("name", ""),
        "tagline": value("tagline", ""),
        "description": value("description", ""),
        "language": value("language", ""),
        "logo": logo or None,
        "colors": {**{role: value(f"color_{role}") for role in PALETTE_ROLES},
                   "theme": value("theme_color")},
        "fonts": {"heading": value("heading_font_source"), "body": value("body_font_source")},
        "social": list((value("social_links") or {}).values()),
        "products": [{"name": p.name, "price": _price(p.price), "currency": p.currency or None,
                      "image": p.image_urls[0] if p.image_urls else None,
                      "url": p.url or None} for p in products],
    }
