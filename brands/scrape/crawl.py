"""Crawl a website and assemble its Brand DNA (no database access here).

``scrape_site`` fetches the home page, its stylesheets and a bounded number of same-site pages
likely to hold products or "about" copy, asks the shop platform APIs (Shopify ``products.json``,
WooCommerce Store API) and the sitemap for products, downloads the logo and product photos, and
feeds everything to the pure functions in ``brands.scrape.extract``.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.utils.module_loading import import_string

from brands.scrape import dna, extract, page, structured
from brands.scrape.colors import image_colors
from brands.scrape.http import FetchedResponse, FetchFailed, OutboundRefused, SafeClient
from brands.scrape.structured import ProductData
from studio.images import ImageRefused, check_image

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[int, str, dict], None]
VoiceDescriber = Callable[..., dict]  # (texts, *, language, name) -> found fields


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
    data: ProductData
    images: list[ImageData] = field(default_factory=list)
    # Image URLs that could not be downloaded, kept with the reason to retry later.
    failed_images: list[dict] = field(default_factory=list)


@dataclass
class ScrapeResult:
    url: str
    found: dict[str, dict]  # field → {"value": ..., "source": ...}
    logo: ImageData | None
    products: list[ScrapedProduct]
    pages: list[dict]
    errors: list[str]
    candidates: dict[str, list[dict]] = field(default_factory=dict)
    logo_url: str = ""  # the chosen logo's address, kept even when its download failed
    logo_error: str = ""

    def value(self, name: str, default=None):
        return self.found.get(name, {}).get("value", default)

    def dna_json(self) -> dict:
        return page.dna_json(found=self.found, products=[p.data for p in self.products],
                             logo=self.logo_url or None)


class _Crawler:
    """One scrape, in stages: home page → styles and identity → logo and palette → more pages
    and platform APIs for products → product photos. Each stage records what it found."""

    def __init__(self, url: str, client: SafeClient, on_progress: ProgressCallback | None,
                 voice_describer: VoiceDescriber | None = None):
        self.url = url
        self.client = client
        self.voice_describer = voice_describer
        self.on_progress = on_progress or (lambda *_: None)
        self.pages: list[dict] = []
        self.errors: list[str] = []
        self.found: dict[str, dict] = {}
        self.deadline = time.monotonic() + settings.BRANDS_SCRAPE_BUDGET_SECONDS
        self.last_fetch_error = ""

    # -- helpers ---------------------------------------------------------------------------
    def fetch(self, url: str, *, kind: str, max_bytes: int | None = None,
              accept: str = "", optional: bool = False) -> FetchedResponse | None:
        """GET through the safe client; problems are recorded, never raised. ``optional``
        resources (sitemaps, platform APIs) that are simply missing are not problems."""
        self.last_fetch_error = ""
        if time.monotonic() > self.deadline:
            self.last_fetch_error = "skipped, scrape time budget used up"
            self.errors.append(f"{url}: {self.last_fetch_error}")
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
            self.last_fetch_error = exc.reason
            return None
        self.pages.append({"url": url, "kind": kind, "status": response.status,
                           "ms": response.elapsed_ms})
        if response.status >= 400:
            self.last_fetch_error = f"HTTP {response.status}"
            if not (optional and response.status in (404, 410)):
                self.errors.append(f"{url}: HTTP {response.status}")
            return None
        return response

    def note(self, name: str, value, source: str) -> None:
        if value not in (None, "", [], {}):
            self.found[name] = {"value": value, "source": source}

    def progress(self, percent: int, stage: str) -> None:
        self.on_progress(percent, stage, dict(self.found))

    def get_home(self) -> FetchedResponse:
        """The home page. Many small sites still have no working HTTPS, so a connection or TLS
        failure on https:// is tried once more on http:// before giving up."""
        try:
            return self.client.get(self.url, check_robots=True)
        except OutboundRefused as exc:
            logger.info("home page of %s refused: %s", self.url, exc.reason)
            raise ScrapeFailed(_plain_refusal(_site_name(self.url), exc.reason)) from exc
        except FetchFailed as exc:
            logger.info("home page of %s failed: %s", self.url, exc.reason)
            if self.url.startswith("https://") and _is_connection_failure(exc.reason):
                plain = "http://" + self.url.removeprefix("https://")
                try:
                    home = self.client.get(plain, check_robots=True)
                except (OutboundRefused, FetchFailed):
                    pass
                else:
                    self.url = plain
                    return home
            raise ScrapeFailed(_plain_fetch_failure(_site_name(self.url), exc.reason),
                               retryable=exc.retryable) from exc

    # -- the crawl -------------------------------------------------------------------------
    def run(self) -> ScrapeResult:
        self.progress(5, "Fetching the home page")
        home = self.fetch_home()
        self.progress(15, "Reading styles")
        analysis = self.read_home(home)
        self.progress(25, "Looking for the logo")
        logo, logo_url, logo_error = self.logo_stage(analysis)
        self.progress(35, "Visiting product and about pages")
        products, texts = self.product_stage(analysis, home)
        self.voice_stage(texts, analysis.value_props)
        self.note("product_count", len(products), "products")
        self.progress(75, f"Found {len(products)} products, downloading photos")
        scraped = self.image_stage(products)
        self.progress(98, "Saving")
        return ScrapeResult(url=analysis.url, found=self.found, logo=logo, products=scraped,
                            pages=self.pages, errors=self.errors,
                            candidates=analysis.candidates.as_json(), logo_url=logo_url,
                            logo_error=logo_error)

    def fetch_home(self) -> FetchedResponse:
        """The home page, refused in plain words when it is not a page we can read."""
        home = self.get_home()
        self.pages.append({"url": self.url, "kind": "home", "status": home.status,
                           "ms": home.elapsed_ms})
        site = _site_name(self.url)
        if home.status >= 400:
            raise ScrapeFailed(_plain_http_status(site, home.status),
                               retryable=home.status >= 500)
        if "html" not in home.content_type and not home.text.lstrip().startswith("<"):
            raise ScrapeFailed(f"{site} answered with a file ({home.content_type or 'unknown'}"
                               "), not a web page. Enter the address of the brand's home page.")
        return home

    def read_home(self, home: FetchedResponse) -> page.PageAnalysis:
        """Fetch the linked stylesheets, then read every candidate off the home page."""
        tree = page.parse_page(home.text)
        sheets = []
        # The site's own and CDN sheets first; builders host theirs elsewhere
        # (static1.squarespace.com, static.parastorage.com), so others follow, up to eight.
        urls = extract.stylesheet_urls(tree, home.url)
        urls.sort(key=lambda u: not (extract.same_site(u, home.url) or "cdn" in u))
        for sheet_url in urls[:8]:
            response = self.fetch(sheet_url, kind="stylesheet", max_bytes=2_000_000)
            if response:
                sheets.append(response.text)
        analysis = page.analyse_page(html=home.text, url=home.url, stylesheets=sheets,
                                     tree=tree, with_palette=False)
        self.found.update(analysis.found)
        return analysis

    def logo_stage(self, analysis: page.PageAnalysis) -> tuple[ImageData | None, str, str]:
        """Download the best logo candidate that works; the palette then counts its colours.
        When none downloads, the best candidate's address is kept with the reason."""
        logo, logo_url, logo_error = None, "", ""
        for url, source in page.logo_urls(analysis):
            image, error = self.load_logo(url)
            if image:
                logo, logo_url, logo_error = image, url, ""
                self.note("logo", url if not url.startswith("data:") else "inline svg", source)
                break
            if not logo_url:
                logo_url, logo_error = url, error
                self.note("logo", url if not url.startswith("data:") else "inline svg",
                          f"{source} (not downloaded: {error})")
        logo_colors = []
        if logo:
            try:
                logo_colors = image_colors(logo.content)
            except Exception as exc:  # noqa: BLE001 - a palette without logo colours is fine
                self.errors.append(f"logo colours: {exc}")
        page.apply_palette(analysis, logo_colors=logo_colors)
        self.found.update({k: v for k, v in analysis.found.items() if k.startswith("color_")})
        return logo, logo_url, logo_error

    def load_logo(self, url: str) -> tuple[ImageData | None, str]:
        if url.startswith("data:image/svg+xml"):
            svg = unquote(url.split(",", 1)[1]).encode()
            image = validate_image(svg, source_url="inline svg")
            return image, "" if image else "inline SVG could not be drawn"
        if url.startswith("data:"):
            return None, "data URL that is not SVG"
        return self.fetch_image(url, kind="logo")

    def product_stage(self, analysis: page.PageAnalysis, home: FetchedResponse
                      ) -> tuple[list[ProductData], list[str]]:
        """Products from the home page, the platform API or sitemap, and visited pages; plus
        the copy of about/listing pages for the tone of voice."""
        base = analysis.url
        products = list(analysis.products)
        texts = analysis.copy["headings"] + analysis.copy["paragraphs"]
        value_props = analysis.value_props
        locale = dna.locale_of(analysis.candidates, analysis.tree)
        max_pages = settings.BRANDS_SCRAPE_MAX_PAGES
        links = extract.candidate_links(analysis.tree, base)
        product_urls = [u for u, kind in links if kind == "product"] + analysis.listed_urls
        queue = [(u, k) for u, k in links if k != "product"]

        platform_products = self.platform_products(base, home.text)
        if not platform_products:
            product_urls += self.sitemap_product_urls(base)
        products.extend(platform_products)
        self.progress(50, "Visiting product and about pages")

        visited = {base}
        budget = max(max_pages - 1, 0)
        # About/listing pages first (copy, product links), then product pages until the budget.
        pending = queue + [(u, "product") for u in product_urls if not platform_products]
        while pending and budget > 0:
            url, kind = pending.pop(0)
            if url in visited or not extract.same_site(url, base):
                continue
            visited.add(url)
            budget -= 1
            response = self.fetch(url, kind=kind, accept="text/html")
            if not response:
                continue
            page_data = structured.read_structured(response.text, response.url)
            page_products, more_urls = structured.products(page_data, response.url,
                                                           locale=locale)
            products.extend(page_products)
            if kind in ("about", "listing"):
                tree = extract.parse_html(response.text)
                page_copy = extract.page_copy(tree)
                texts += page_copy["headings"] + page_copy["paragraphs"]
                if len(value_props) < 3:
                    value_props += [v for v in extract.extract_value_props(tree)
                                    if v not in value_props]
                if kind == "listing" and not platform_products:
                    for link, link_kind in extract.candidate_links(tree, base):
                        if link_kind == "product" and link not in visited:
                            pending.append((link, "product"))
                    pending.extend((u, "product") for u in more_urls if u not in visited)
            self.progress(min(50 + (max_pages - budget) * 2, 70), f"Read {url}")
        self.note("value_props", value_props[:6], "headings")
        return structured.merge_products(products), texts

    def voice_stage(self, texts: list[str], value_props: list[str]) -> None:
        self.note("tone_of_voice", extract.describe_tone(texts), "copy (heuristic)")
        self.describe_voice_with_model(texts)

    def image_stage(self, products: list[ProductData]) -> list[ScrapedProduct]:
        """Download product photos; a failed download keeps its URL and the reason."""
        scraped = []
        per_product = settings.BRANDS_SCRAPE_IMAGES_PER_PRODUCT
        for index, product in enumerate(products):
            item = ScrapedProduct(product)
            for image_url in product.image_urls[:per_product]:
                image, error = self.fetch_image(image_url, kind="product image")
                if image:
                    item.images.append(image)
                else:
                    item.failed_images.append({"url": image_url, "error": error})
            scraped.append(item)
            if index % 5 == 4:
                self.progress(75 + int(20 * (index + 1) / len(products)),
                              f"Downloaded photos for {index + 1} of {len(products)} products")
        return scraped

    def describe_voice_with_model(self, texts: list[str]) -> None:
        """Let the configured chat model improve tone/value props/audience, when there is one.

        The describer is the one passed to ``scrape_site`` (the workspace's brand-reading
        provider, see ``generations.providers``) or else ``settings.BRANDS_VOICE_DESCRIBER``, a
        dotted path to a callable ``(texts: list[str], *, language: str, name: str) -> dict``
        returning any of ``tone_of_voice``, ``value_props`` and ``audience``. Neither: heuristics
        only. A failing model never fails the scrape.
        """
        describer = self.voice_describer
        if describer is None and settings.BRANDS_VOICE_DESCRIBER:
            describer = import_string(settings.BRANDS_VOICE_DESCRIBER)
        if describer is None:
            return
        try:
            described = describer(texts[:200], language=self.found.get(
                "language", {}).get("value", "en"), name=self.found.get("name", {}).get(
                "value", ""))
        except Exception as exc:  # noqa: BLE001 - the model is optional; heuristics stand
            self.errors.append(f"voice model: {exc.__class__.__name__}: {exc}")
            return
        for key in ("tone_of_voice", "value_props", "audience"):
            if described.get(key):
                self.note(key, described[key], "chat model")

    def fetch_image(self, url: str, *, kind: str) -> tuple[ImageData | None, str]:
        """(image, "") or (None, why it could not be used)."""
        if not url.startswith(("http://", "https://")):
            return None, "not an http(s) address"
        response = self.fetch(url, kind=kind,
                              max_bytes=settings.BRANDS_SCRAPE_MAX_IMAGE_BYTES)
        if not response:
            return None, self.last_fetch_error or "download failed"
        image = validate_image(response.content, source_url=url)
        if image is None:
            self.errors.append(f"{url}: not a usable image")
            return None, "not a usable image"
        return image, ""

    def platform_products(self, base: str, html: str) -> list[ProductData]:
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


def load_logo_url(url: str, *, client: SafeClient | None = None
                  ) -> tuple[ImageData | None, str]:
    """Download (or decode, for an inline SVG) one logo candidate: (image, "") or (None, why).
    Used when a person picks a runner-up logo on the review page."""
    own_client = client is None
    client = client or SafeClient(timeout=settings.BRANDS_SCRAPE_TIMEOUT_SECONDS)
    try:
        crawler = _Crawler(url, client, None)
        return crawler.load_logo(url)
    finally:
        if own_client:
            client.close()


def validate_image(content: bytes, *, source_url: str) -> ImageData | None:
    """A scraped image through the studio's image gate (``studio.images``: byte and pixel
    caps, header check before decoding, SVG drawn safely as PNG), or None when refused."""
    try:
        image = check_image(content, label="Image",
                            max_bytes=settings.BRANDS_SCRAPE_MAX_IMAGE_BYTES)
    except ImageRefused as exc:
        logger.info("Skipped image %s: %s", source_url or "(inline)", exc.message)
        return None
    return ImageData(image.content, image.extension, image.width, image.height, source_url)


def scrape_site(url: str, *, client: SafeClient | None = None,
                on_progress: ProgressCallback | None = None,
                voice_describer: VoiceDescriber | None = None) -> ScrapeResult:
    """Scrape ``url`` into a ``ScrapeResult``. Raises ``ScrapeFailed`` if the home page fails.
    ``voice_describer`` reads tone, value props and audience from the site's text (a chat
    model); without one, heuristics (or ``BRANDS_VOICE_DESCRIBER``)."""
    own_client = client is None
    client = client or SafeClient(timeout=settings.BRANDS_SCRAPE_TIMEOUT_SECONDS)
    try:
        return _Crawler(url, client, on_progress, voice_describer).run()
    finally:
        if own_client:
            client.close()


# ---------------------------------------------------------------------------------------------
# Why a scan failed, in words a marketer can act on (the technical reason goes to the log).
# ---------------------------------------------------------------------------------------------
_BY_HAND = " Check the address, try again later, or set the brand up by hand."


def _site_name(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc or url


def _is_connection_failure(reason: str) -> bool:
    lowered = reason.lower()
    return "connection failed" in lowered or "ssl" in lowered or "certificate" in lowered


def _plain_fetch_failure(site: str, reason: str) -> str:
    lowered = reason.lower()
    if "timed out" in lowered:
        return f"{site} took too long to answer." + _BY_HAND
    if "could not resolve" in lowered or "no addresses" in lowered:
        return f"We could not find a website at {site}: that address does not exist." + _BY_HAND
    if "ssl" in lowered or "certificate" in lowered:
        return (f"{site} has a broken secure (HTTPS) connection, and it did not answer "
                "without one either." + _BY_HAND)
    if "refused" in lowered:
        return f"We could not reach {site}: nothing answered at that address." + _BY_HAND
    if "larger than" in lowered:
        return f"The home page of {site} is too large to scan." + _BY_HAND
    return f"We could not reach {site}." + _BY_HAND


def _plain_refusal(site: str, reason: str) -> str:
    lowered = reason.lower()
    if "robots" in lowered:
        return (f"{site} asks robots not to visit it (robots.txt), so we did not scan it. "
                "Set the brand up by hand instead.")
    if "redirects" in lowered:
        return f"{site} redirects too many times to scan." + _BY_HAND
    if "address" in lowered or "loopback" in lowered:
        return (f"{site} points to a private or local network address, which the studio does "
                "not visit. Enter the brand's public website.")
    return f"The studio does not visit {site}. Enter the brand's public website."


def _plain_http_status(site: str, status: int) -> str:
    if status in (401, 403):
        return (f"{site} did not let us in (it answered {status}: the site blocks visitors "
                "like us or needs a password)." + _BY_HAND)
    if status in (404, 410):
        return f"{site} has no page at that address (it answered {status})." + _BY_HAND
    if status >= 500:
        return f"{site} had a server error (it answered {status}). Try again in a few minutes."
    return f"{site} answered {status} instead of its home page." + _BY_HAND
