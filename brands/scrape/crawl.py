"""Crawl a website and assemble its Brand DNA (no database access here).

``scrape_site`` fetches the home page, its stylesheets and a bounded number of same-site pages
likely to hold products or "about" copy, asks the shop platform APIs (Shopify ``products.json``,
WooCommerce Store API) and the sitemap for products, downloads the logo and product photos, and
feeds everything to the pure functions in ``brands.scrape.extract``.
"""

from __future__ import annotations

import io
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings

from brands import fonts as bundled
from brands.scrape import extract
from brands.scrape.colors import image_colors
from brands.scrape.http import FetchedResponse, FetchFailed, OutboundRefused, SafeClient

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[int, str, dict], None]


class ScrapeFailed(Exception):
    """The site could not be scraped at all (home page unreachable or refused)."""

    def __init__(self, reason: str, *, retryable: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


@dataclass
class ImageData:
    content: bytes
    extension: str  # "png", "jpg", "webp", "gif"
    width: int
    height: int
    source_url: str


@dataclass
class ScrapedProduct:
    data: extract.ProductData
    images: list[ImageData] = field(default_factory=list)


@dataclass
class ScrapeResult:
    url: str
    found: dict[str, dict]  # field → {"value": ..., "source": ...}
    logo: ImageData | None
    products: list[ScrapedProduct]
    pages: list[dict]
    errors: list[str]

    def value(self, name: str, default=None):
        return self.found.get(name, {}).get("value", default)


def _setting(name: str, default):
    return getattr(settings, name, default)


class _Crawler:
    def __init__(self, url: str, client: SafeClient, on_progress: ProgressCallback | None):
        self.url = url
        self.client = client
        self.on_progress = on_progress or (lambda *_: None)
        self.pages: list[dict] = []
        self.errors: list[str] = []
        self.found: dict[str, dict] = {}
        self.deadline = time.monotonic() + _setting("BRANDS_SCRAPE_BUDGET_SECONDS", 60)

    # -- helpers ---------------------------------------------------------------------------
    def fetch(self, url: str, *, kind: str, max_bytes: int | None = None,
              accept: str = "", optional: bool = False) -> FetchedResponse | None:
        """GET through the safe client; problems are recorded, never raised. ``optional``
        resources (sitemaps, platform APIs) that are simply missing are not problems."""
        if time.monotonic() > self.deadline:
            self.errors.append(f"{url}: skipped, scrape time budget used up")
            return None
        started = time.monotonic()
        try:
            response = self.client.get(
                url, check_robots=True, max_bytes=max_bytes,
                headers={"Accept": accept} if accept else None,
            )
        except (OutboundRefused, FetchFailed) as exc:
            self.pages.append({"url": url, "kind": kind, "status": None, "error": exc.reason,
                               "ms": int((time.monotonic() - started) * 1000)})
            self.errors.append(f"{url}: {exc.reason}")
            return None
        self.pages.append({"url": url, "kind": kind, "status": response.status,
                           "ms": response.elapsed_ms})
        if response.status >= 400:
            if not (optional and response.status in (404, 410)):
                self.errors.append(f"{url}: HTTP {response.status}")
            return None
        return response

    def note(self, name: str, value, source: str) -> None:
        if value not in (None, "", [], {}):
            self.found[name] = {"value": value, "source": source}

    def progress(self, percent: int, stage: str) -> None:
        self.on_progress(percent, stage, dict(self.found))

    # -- the crawl -------------------------------------------------------------------------
    def run(self) -> ScrapeResult:
        self.progress(5, "Fetching the home page")
        try:
            home = self.client.get(self.url, check_robots=True)
        except OutboundRefused as exc:
            raise ScrapeFailed(f"Refused: {exc.reason}") from exc
        except FetchFailed as exc:
            raise ScrapeFailed(f"Could not fetch {self.url}: {exc.reason}",
                               retryable=exc.retryable) from exc
        self.pages.append({"url": self.url, "kind": "home", "status": home.status,
                           "ms": home.elapsed_ms})
        if home.status >= 400:
            raise ScrapeFailed(f"{self.url} answered HTTP {home.status}",
                               retryable=home.status >= 500)
        if "html" not in home.content_type and not home.text.lstrip().startswith("<"):
            raise ScrapeFailed(f"{self.url} is not a web page ({home.content_type})")
        base = home.url
        html = home.text
        tree = extract.parse_html(html)

        name, source = extract.extract_name(tree, base)
        self.note("name", name, source)
        tagline, description = extract.extract_tagline(tree, name=name)
        self.note("tagline", tagline, "hero heading")
        self.note("description", description, "meta description")
        copy = extract.page_copy(tree)
        language, lang_source = extract.extract_language(tree, copy["text"])
        self.note("language", language, lang_source)
        self.note("social_links", extract.extract_social(tree, base), "links")
        self.progress(15, "Reading styles")

        css_text, inline_colors = extract.inline_css(tree)
        facts = extract.parse_css(css_text)
        for sheet_url in extract.stylesheet_urls(tree, base)[:8]:
            if not extract.same_site(sheet_url, base) and "cdn" not in sheet_url:
                continue
            response = self.fetch(sheet_url, kind="stylesheet", max_bytes=2_000_000)
            if response:
                extract.parse_css(response.text, facts)
        google = extract.google_font_families(tree, facts)
        font_choices = extract.extract_fonts(facts, google_fonts=google)
        for role in ("heading", "body"):
            choice = font_choices.get(role)
            if choice:
                match = bundled.match_font(choice.family, generic=choice.generic,
                                           weight=choice.weight)
                self.note(f"{role}_font", match, f"{choice.family} ({choice.source})")
                self.note(f"{role}_font_source", choice.family, choice.source)
        self.progress(25, "Looking for the logo")

        logo = self.fetch_logo(tree, base)
        logo_colors = []
        if logo:
            try:
                logo_colors = image_colors(logo.content)
            except Exception as exc:  # noqa: BLE001 - a palette without logo colours is fine
                self.errors.append(f"logo colours: {exc}")
        theme = extract.meta_content(tree, "theme-color", "msapplication-TileColor")
        palette = extract.extract_palette(facts, theme_color=theme, logo_colors=logo_colors,
                                          inline_colors=inline_colors)
        for role, hex_value in palette.colors.items():
            self.note(f"color_{role}", hex_value, palette.sources.get(role, ""))
        self.progress(35, "Visiting product and about pages")

        products, listed_urls = extract.products_from_json_ld(extract.json_ld_items(tree), base)
        og_product = extract.product_from_open_graph(tree, base)
        if og_product:
            products.append(og_product)
        texts = copy["headings"] + copy["paragraphs"]
        value_props = extract.extract_value_props(tree)

        max_pages = _setting("BRANDS_SCRAPE_MAX_PAGES", 10)
        links = extract.candidate_links(tree, base)
        product_urls = [u for u, kind in links if kind == "product"] + listed_urls
        queue = [(u, k) for u, k in links if k != "product"]

        platform_products = self.platform_products(base, html)
        if not platform_products:
            product_urls += self.sitemap_product_urls(base)
        products.extend(platform_products)
        self.progress(50, "Visiting product and about pages")

        visited = {base}
        budget = max(max_pages - 1, 0)
        # About/listing pages first (copy, product links), then product pages until the budget.
        pending = queue + [(u, "product") for u in product_urls
                           if not platform_products]
        while pending and budget > 0:
            url, kind = pending.pop(0)
            if url in visited or not extract.same_site(url, base):
                continue
            visited.add(url)
            budget -= 1
            response = self.fetch(url, kind=kind, accept="text/html")
            if not response:
                continue
            page = extract.parse_html(response.text)
            page_products, more_urls = extract.products_from_json_ld(
                extract.json_ld_items(page), response.url)
            products.extend(page_products)
            og = extract.product_from_open_graph(page, response.url)
            if og:
                products.append(og)
            if kind in ("about", "listing"):
                page_copy = extract.page_copy(page)
                texts += page_copy["headings"] + page_copy["paragraphs"]
                if len(value_props) < 3:
                    value_props += [v for v in extract.extract_value_props(page)
                                    if v not in value_props]
            if kind == "listing" and not platform_products:
                for link, link_kind in extract.candidate_links(page, base):
                    if link_kind == "product" and link not in visited:
                        pending.append((link, "product"))
                pending.extend((u, "product") for u in more_urls if u not in visited)
            self.progress(min(50 + (max_pages - budget) * 2, 70), f"Read {url}")

        self.note("value_props", value_props[:6], "headings")
        self.note("tone_of_voice", extract.describe_tone(texts), "copy (heuristic)")
        self.describe_voice_with_model(texts)
        products = extract.dedupe_products(products)
        self.note("product_count", len(products), "products")
        self.progress(75, f"Found {len(products)} products, downloading photos")

        scraped = []
        per_product = _setting("BRANDS_SCRAPE_IMAGES_PER_PRODUCT", 2)
        for index, product in enumerate(products):
            images = []
            for image_url in product.image_urls[:per_product]:
                image = self.fetch_image(urljoin(base, image_url), kind="product image")
                if image:
                    images.append(image)
            scraped.append(ScrapedProduct(product, images))
            if index % 5 == 4:
                self.progress(75 + int(20 * (index + 1) / len(products)),
                              f"Downloaded photos for {index + 1} of {len(products)} products")
        self.progress(98, "Saving")
        return ScrapeResult(url=base, found=self.found, logo=logo, products=scraped,
                            pages=self.pages, errors=self.errors)

    def describe_voice_with_model(self, texts: list[str]) -> None:
        """Let the configured chat model improve tone/value props/audience, when there is one.

        ``settings.BRANDS_VOICE_DESCRIBER`` is a dotted path to a callable
        ``(texts: list[str], *, language: str, name: str) -> dict`` returning any of
        ``tone_of_voice``, ``value_props`` and ``audience``. Unset (the default): heuristics only.
        A failing model never fails the scrape.
        """
        path = _setting("BRANDS_VOICE_DESCRIBER", "")
        if not path:
            return
        from django.utils.module_loading import import_string

        try:
            described = import_string(path)(texts[:200], language=self.found.get(
                "language", {}).get("value", "en"), name=self.found.get("name", {}).get(
                "value", ""))
        except Exception as exc:  # noqa: BLE001 - the model is optional; heuristics stand
            self.errors.append(f"voice model: {exc.__class__.__name__}: {exc}")
            return
        for key in ("tone_of_voice", "value_props", "audience"):
            if described.get(key):
                self.note(key, described[key], "chat model")

    def fetch_logo(self, tree, base: str) -> ImageData | None:
        for url, source in extract.logo_candidates(tree, base)[:5]:
            if url.startswith("data:image/svg+xml"):
                svg = unquote(url.split(",", 1)[1]).encode()
                image = validate_image(svg, source_url="inline svg")
            else:
                image = self.fetch_image(url, kind="logo")
            if image:
                self.note("logo", image.source_url, source)
                return image
        return None

    def fetch_image(self, url: str, *, kind: str) -> ImageData | None:
        if not url.startswith(("http://", "https://")):
            return None
        response = self.fetch(url, kind=kind,
                              max_bytes=_setting("BRANDS_SCRAPE_MAX_IMAGE_BYTES", 8_000_000))
        if not response:
            return None
        image = validate_image(response.content, source_url=url)
        if image is None:
            self.errors.append(f"{url}: not a usable image")
        return image

    def platform_products(self, base: str, html: str) -> list[extract.ProductData]:
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(base))
        if extract.looks_like_shopify(html):
            response = self.fetch(origin + "/products.json?limit=50", kind="shopify",
                                  accept="application/json", optional=True)
            if response:
                try:
                    products = extract.products_from_shopify(
                        response.json(), base, currency=extract.shopify_currency(html))
                    if products:
                        self.note("platform", "shopify", "/products.json")
                        return products
                except ValueError:
                    self.errors.append("products.json is not JSON")
        if extract.looks_like_woocommerce(html):
            response = self.fetch(origin + "/wp-json/wc/store/v1/products?per_page=50",
                                  kind="woocommerce", accept="application/json",
                                  optional=True)
            if response:
                try:
                    products = extract.products_from_woocommerce(response.json(), base)
                    if products:
                        self.note("platform", "woocommerce", "Store API")
                        return products
                except ValueError:
                    self.errors.append("WooCommerce Store API answer is not JSON")
        return []

    def sitemap_product_urls(self, base: str) -> list[str]:
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(base))
        sitemaps = self.client.robots_sitemaps(base) or [origin + "/sitemap.xml"]
        product_urls: list[str] = []
        for sitemap in sitemaps[:3]:
            response = self.fetch(sitemap, kind="sitemap", max_bytes=5_000_000, optional=True)
            if not response:
                continue
            pages, nested = extract.sitemap_urls(response.text)
            for child in [n for n in nested if re.search(r"product", n, re.I)][:2]:
                child_response = self.fetch(child, kind="sitemap", optional=True)
                if child_response:
                    pages += extract.sitemap_urls(child_response.text)[0]
            product_urls += [p for p in pages if extract.is_product_url(p)
                             and extract.same_site(p, base)]
        return product_urls[: extract.MAX_PRODUCTS]


def validate_image(content: bytes, *, source_url: str) -> ImageData | None:
    """Pillow-validated raster image (SVG is rasterised to PNG), or None when unusable."""
    from PIL import Image, UnidentifiedImageError

    head = content[:512].lstrip()
    if head.startswith(b"<?xml") or head.startswith(b"<svg") or b"<svg" in head:
        content = rasterise_svg(content)
        if content is None:
            return None
    try:
        with Image.open(io.BytesIO(content)) as img:
            img.verify()
        with Image.open(io.BytesIO(content)) as img:
            fmt = (img.format or "").upper()
            width, height = img.size
            if fmt == "ICO":
                img.load()
                buffer = io.BytesIO()
                img.convert("RGBA").save(buffer, "PNG")
                content, fmt = buffer.getvalue(), "PNG"
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError):
        return None
    extension = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp", "GIF": "gif"}.get(fmt)
    if not extension or width < 16 or height < 16 or width * height > 40_000_000:
        return None
    return ImageData(content, extension, width, height, source_url)


_UNSAFE_SVG = re.compile(rb"<(script|foreignObject)\b[^>]*?(/>|>.*?</\1>)", re.I | re.S)
# Any reference that is not to the document itself or inline data (file paths, URLs).
_EXTERNAL_REF = re.compile(rb"""(xlink:)?href\s*=\s*["'](?!#|data:image/)[^"']*["']""", re.I)


def rasterise_svg(content: bytes, *, width: int = 512) -> bytes | None:
    """Render an SVG logo to PNG. External references are stripped first: a hostile SVG must
    not make the renderer read local files or reach the network."""
    try:
        import resvg_py
    except ImportError:
        logger.warning("resvg-py is not installed; SVG logos cannot be rasterised")
        return None
    cleaned = _EXTERNAL_REF.sub(b"", _UNSAFE_SVG.sub(b"", content))
    try:
        png = resvg_py.svg_to_bytes(svg_string=cleaned.decode("utf-8", errors="replace"),
                                    width=width)
    except (ValueError, BaseException) as exc:
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        return None
    return bytes(png)


def scrape_site(url: str, *, client: SafeClient | None = None,
                on_progress: ProgressCallback | None = None) -> ScrapeResult:
    """Scrape ``url`` into a ``ScrapeResult``. Raises ``ScrapeFailed`` if the home page fails."""
    own_client = client is None
    client = client or SafeClient(timeout=_setting("BRANDS_SCRAPE_TIMEOUT_SECONDS", 10.0))
    try:
        return _Crawler(url, client, on_progress).run()
    finally:
        if own_client:
            client.close()
