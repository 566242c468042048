"""Structured data on a page, read with extruct: JSON-LD, microdata, RDFa, Open Graph and
microformats, turned into organisation facts and products. Prices go through price-parser.

Pure functions: no I/O. RDFa and microformats are the slow parsers (pyRdfa, mf2py walk the whole
tree), so they run only when the page carries their markers (``typeof=``/``vocab=``,
``h-card``/``h-product`` classes); schema.org in RDFa without those attributes does not exist.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urljoin, urlsplit

import extruct
from price_parser import Price

MAX_PRODUCTS = 50

ORGANISATION_TYPES = {"organization", "corporation", "store", "onlinestore", "brand",
                      "localbusiness", "clothingstore", "onlinebusiness", "website"}

_RDFA_MARKER = re.compile(r"""\s(typeof|vocab)\s*=""", re.I)
_MF_MARKER = re.compile(r"""class\s*=\s*["'][^"']*\bh-(card|product|entry)\b""", re.I)

# Symbols price-parser reports, to ISO 4217. "$", "kr" and "¥" depend on the page's locale.
_SYMBOLS = {
    "€": "EUR", "£": "GBP", "zł": "PLN", "zl": "PLN", "kč": "CZK", "r$": "BRL", "₪": "ILS",
    "₹": "INR", "₩": "KRW", "₽": "RUB", "円": "JPY", "元": "CNY", "rmb": "CNY", "chf": "CHF",
    "fr.": "CHF", "us$": "USD", "c$": "CAD", "ca$": "CAD", "a$": "AUD", "au$": "AUD",
    "nz$": "NZD", "nt$": "TWD", "hk$": "HKD", "s$": "SGD", "mx$": "MXN", "ft": "HUF", "lei": "RON",
    "₺": "TRY", "د.إ": "AED", "ر.س": "SAR", "﷼": "SAR", "e£": "EGP", "kn": "HRK",
}
_DOLLAR_BY_COUNTRY = {"ca": "CAD", "au": "AUD", "nz": "NZD", "sg": "SGD", "hk": "HKD",
                      "mx": "MXN"}
_KRONA_BY_LANGUAGE = {"sv": "SEK", "da": "DKK", "nb": "NOK", "no": "NOK", "nn": "NOK",
                      "is": "ISK"}
_ISO_CODE = re.compile(r"^[A-Z]{3}$")


def currency_code(symbol: str, *, locale: str = "") -> str:
    """ISO 4217 code for a currency symbol or code as written on a page ("" when unknown)."""
    raw = (symbol or "").strip()
    if _ISO_CODE.match(raw.upper()) and raw.upper() not in ("US$",):
        return raw.upper()
    lowered = raw.lower()
    if lowered in _SYMBOLS:
        return _SYMBOLS[lowered]
    language, _, country = locale.replace("_", "-").lower().partition("-")
    if lowered == "$":
        return _DOLLAR_BY_COUNTRY.get(country, "USD")
    if lowered == "¥":
        return "CNY" if language == "zh" else "JPY"
    if lowered in ("kr", "kr."):
        return _KRONA_BY_LANGUAGE.get(language, "SEK")
    return ""


def parse_price(value, *, locale: str = "") -> tuple[Decimal | None, str]:
    """(amount, ISO currency) from a price as written: ``"49,99 zł"``, ``"1.299,00 €"``, 12."""
    if value in (None, ""):
        return None, ""
    if isinstance(value, (int, float, Decimal)):
        amount = Decimal(str(value))
        return (amount.quantize(Decimal("0.01")) if amount >= 0 else None), ""
    text = html_lib.unescape(str(value)).strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):  # machine-readable (schema.org) numbers
        return Decimal(text).quantize(Decimal("0.01")), ""
    parsed = Price.fromstring(text)
    amount = parsed.amount
    if amount is None or amount < 0:
        return None, currency_code(parsed.currency or "", locale=locale)
    return amount.quantize(Decimal("0.01")), currency_code(parsed.currency or "", locale=locale)


@dataclass
class ProductData:
    name: str
    description: str = ""
    price: Decimal | None = None
    regular_price: Decimal | None = None  # the price before a sale, when the page shows one
    currency: str = ""
    url: str = ""
    image_urls: list[str] = field(default_factory=list)
    external_id: str = ""
    source: str = ""
    sources: list[str] = field(default_factory=list)

    def key(self) -> str:
        return self.external_id or self.url or self.name.lower()


def clean_url(url: str, base_url: str) -> str:
    """Absolute URL with HTML entities decoded (``&amp;`` written twice is common)."""
    url = html_lib.unescape(html_lib.unescape((url or "").strip()))
    if not url:
        return ""
    if url.startswith("//"):
        url = f"{urlsplit(base_url).scheme or 'https'}:{url}"
    return url if url.startswith("data:") else urljoin(base_url, url)


def _clean(text) -> str:
    return re.sub(r"\s+", " ", html_lib.unescape(str(text or ""))).strip()


def _types(item: dict) -> set[str]:
    value = item.get("@type", [])
    values = value if isinstance(value, list) else [value]
    return {str(t).rstrip("/").split("/")[-1].split("#")[-1].lower() for t in values}


def _first(value):
    if isinstance(value, list):
        return _first(value[0]) if value else None
    if isinstance(value, dict) and "@value" in value:
        return value["@value"]
    return value


def _image_urls(value) -> list[str]:
    if isinstance(value, list):
        return [u for v in value for u in _image_urls(v)]
    if isinstance(value, dict):
        url = value.get("url") or value.get("contentUrl") or value.get("@id") or ""
        return [url] if isinstance(url, str) and url else _image_urls(url)
    return [value] if isinstance(value, str) and value else []


@dataclass
class StructuredData:
    """Everything extruct found, schema.org items flattened into one list."""

    items: list[dict]
    opengraph: dict[str, list[str]]
    microformats: list[dict]


def read_structured(html: str, base_url: str) -> StructuredData:
    # Each parser walks the whole tree: skip the ones whose markup is not on the page.
    syntaxes = [name for name, marker in (("json-ld", "ld+json"), ("microdata", "itemscope"),
                                          ("opengraph", "og:")) if marker in html]
    if _RDFA_MARKER.search(html):
        syntaxes.append("rdfa")
    if _MF_MARKER.search(html):
        syntaxes.append("microformat")
    data = _extruct(html, base_url, [s for s in syntaxes if s != "microdata"])
    if "microdata" in syntaxes:
        data["microdata"] = _extruct(_first_items(html), base_url, ["microdata"]).get(
            "microdata", [])
    items: list[dict] = []

    def walk(value, source: str) -> None:
        if isinstance(value, list):
            for entry in value:
                walk(entry, source)
        elif isinstance(value, dict):
            if "@graph" in value:
                walk(value["@graph"], source)
            if "@type" in value:
                items.append({**value, "_source": source})

    walk(data.get("json-ld", []), "json-ld")
    walk(data.get("microdata", []), "microdata")
    walk(_rdfa_items(data.get("rdfa", [])), "rdfa")
    return StructuredData(items=items, opengraph=_opengraph(html, data.get("opengraph", [])),
                          microformats=data.get("microformat", []))


MAX_MICRODATA_ITEMS = 150


def _first_items(html: str) -> str:
    """The page up to its 150th ``itemscope``: a grid of 3,000 microdata cards takes the
    microdata parser seconds, and only the first 50 products are kept anyway. lxml closes
    the elements left open at the cut."""
    index = -1
    for _ in range(MAX_MICRODATA_ITEMS + 1):
        index = html.find("itemscope", index + 1)
        if index == -1:
            return html
    return html[:html.rfind("<", 0, index)]


def _extruct(html: str, base_url: str, syntaxes: list[str]) -> dict:
    if not syntaxes:
        return {}
    try:
        return extruct.extract(html, base_url=base_url, syntaxes=syntaxes, uniform=True,
                               errors="ignore")
    except Exception:  # noqa: BLE001 - a page extruct cannot parse has no structured data
        return {}


def _is_schema_rdfa(item: dict) -> bool:
    return any("schema.org" in str(t) for t in item.get("@type", []))


def _rdfa_items(nodes: list[dict]) -> list[dict]:
    """schema.org RDFa nodes with property URIs shortened to plain names and references to
    other nodes (``offers`` → a blank node) replaced by those nodes."""
    flat_by_id: dict[str, dict] = {}
    flat_nodes = []
    for node in nodes:
        if not _is_schema_rdfa(node):
            continue
        flat: dict = {"@type": [str(t).rsplit("/", 1)[-1] for t in node.get("@type", [])]}
        for key, value in node.items():
            if key.startswith(("http://schema.org/", "https://schema.org/")):
                flat[key.rsplit("/", 1)[-1]] = [v["@value"] if "@value" in v else
                                                {"@ref": v.get("@id")}
                                                for v in value if isinstance(v, dict)]
        flat_by_id[node.get("@id", "")] = flat
        flat_nodes.append(flat)
    for flat in flat_nodes:
        for key, values in flat.items():
            if key == "@type":
                continue
            flat[key] = [flat_by_id.get(v["@ref"], v["@ref"]) if isinstance(v, dict)
                         and "@ref" in v else v for v in values]
    return flat_nodes


def _opengraph(html: str, parsed: list[dict]) -> dict[str, list[str]]:
    """Open Graph properties with every value kept (extruct's uniform form keeps only one)."""
    result: dict[str, list[str]] = {}
    for entry in parsed:
        for key, value in entry.items():
            if key.startswith("@"):
                continue
            for item in value if isinstance(value, list) else [value]:
                result.setdefault(key, [])
                if item not in result[key]:
                    result[key].append(item)
    for key, value in re.findall(
            r"""<meta[^>]+property\s*=\s*["']((?:og|product):[\w:]+)["'][^>]*content\s*=\s*"""
            r"""["']([^"']*)["']""", html[:200_000], re.I):
        value = html_lib.unescape(value)
        if value not in result.setdefault(key.lower(), []):
            result[key.lower()].append(value)
    return result


def og(data: StructuredData, *names: str) -> str:
    for name in names:
        for value in data.opengraph.get(name, []):
            if _clean(value):
                return _clean(value)
    return ""


# --- organisation ------------------------------------------------------------------------------
def organisations(data: StructuredData) -> list[dict]:
    return [i for i in data.items if _types(i) & ORGANISATION_TYPES]


def organisation_names(data: StructuredData) -> list[tuple[str, str]]:
    """(name, source) of Organization/Store/WebSite items; the WebSite name counts last."""
    found = []
    for item in sorted(organisations(data), key=lambda i: "website" in _types(i)):
        name = _clean(_first(item.get("name")) or "")
        if name and len(name) <= 80:
            kind = "website" if "website" in _types(item) else "organization"
            found.append((name, f"{item['_source']} {kind}"))
    for card in data.microformats:
        if "h-card" in (card.get("@type") or []):
            name = _clean(_first(card.get("name")) or "")
            if name:
                found.append((name, "microformat h-card"))
    return found


def organisation_logos(data: StructuredData, base_url: str) -> list[tuple[str, str]]:
    logos = []
    for item in organisations(data):
        for url in _image_urls(item.get("logo")):
            logos.append((clean_url(url, base_url), f"{item['_source']} logo"))
    for card in data.microformats:
        for url in _image_urls(card.get("logo") or []):
            logos.append((clean_url(url, base_url), "microformat logo"))
    return logos


def same_as(data: StructuredData) -> list[str]:
    urls = []
    for item in organisations(data) + [i for i in data.items if "person" in _types(i)
                                       and not organisations(data)]:
        value = item.get("sameAs") or []
        for url in value if isinstance(value, list) else [value]:
            if isinstance(url, str) and url.startswith("http"):
                urls.append(url)
    return urls


# --- products ----------------------------------------------------------------------------------
_STRIKE = re.compile(r"strikethrough|listprice|msrp|srp|regular", re.I)


def _offer_prices(offers, *, locale: str) -> tuple[Decimal | None, Decimal | None, str]:
    """(price, regular price, currency) from ``offers``: one Offer, a list of them (variants:
    the lowest counts), an AggregateOffer, or an Offer with ``priceSpecification``."""
    entries = offers if isinstance(offers, list) else [offers]
    prices: list[tuple[Decimal, str]] = []
    regular: list[Decimal] = []
    currency = ""
    for offer in entries:
        if not isinstance(offer, dict):
            amount, cur = parse_price(_first(offer), locale=locale)
            if amount is not None:
                prices.append((amount, cur))
            continue
        currency = currency or str(_first(offer.get("priceCurrency")) or "")
        raw = _first(offer.get("price"))
        if raw in (None, "") and "aggregateoffer" in _types(offer):
            raw = _first(offer.get("lowPrice"))
        specs = offer.get("priceSpecification") or []
        for spec in specs if isinstance(specs, list) else [specs]:
            if not isinstance(spec, dict):
                continue
            amount, cur = parse_price(_first(spec.get("price")), locale=locale)
            if amount is None:
                continue
            currency = currency or str(_first(spec.get("priceCurrency")) or "") or cur
            if _STRIKE.search(str(_first(spec.get("priceType")) or "")):
                regular.append(amount)
            elif raw in (None, ""):
                raw = amount
        amount, cur = parse_price(raw, locale=locale)
        if amount is not None:
            prices.append((amount, cur))
        if cur and not currency:
            currency = cur
    if not prices:
        return None, (max(regular) if regular else None), currency_code(currency, locale=locale)
    price = min(p for p, _ in prices)
    currency = currency or next((c for _, c in prices if c), "")
    regular_price = max(regular) if regular and max(regular) > price else None
    return price, regular_price, currency_code(currency, locale=locale)


def _product(item: dict, base_url: str, *, locale: str) -> ProductData | None:
    name = _clean(_first(item.get("name")) or "")
    if not name:
        return None
    offers = item.get("offers") or item.get("Offers") or []  # Wix writes "Offers"
    price, regular, currency = _offer_prices(offers, locale=locale)
    url = _first(item.get("url")) or ""
    if not url and isinstance(offers, dict):
        url = _first(offers.get("url")) or ""
    sku = _first(item.get("sku")) or _first(item.get("productID")) or _first(item.get("gtin13"))
    source = item.get("_source", "json-ld")
    return ProductData(
        name=name, description=_clean(re.sub(r"<[^>]+>", " ", str(_first(
            item.get("description")) or ""))),
        price=price, regular_price=regular, currency=currency,
        url=clean_url(str(url), base_url) if url else "",
        image_urls=[clean_url(u, base_url) for u in _image_urls(item.get("image"))],
        external_id=str(sku or "")[:200], source=source, sources=[source],
    )


def products(data: StructuredData, base_url: str, *, locale: str = ""
             ) -> tuple[list[ProductData], list[str]]:
    """Products in the structured data, and product page URLs listed in an ItemList."""
    found: list[ProductData] = []
    listed: list[str] = []
    for item in data.items:
        if len(found) >= MAX_PRODUCTS:
            break
        types = _types(item)
        if types & {"product", "productgroup", "individualproduct", "productmodel"}:
            product = _product(item, base_url, locale=locale)
            if product:
                found.append(product)
        elif "itemlist" in types:
            for element in item.get("itemListElement") or []:
                if not isinstance(element, dict):
                    continue
                inner = element.get("item", element)
                if isinstance(inner, dict) and _types(inner) & {"product", "productgroup"}:
                    product = _product({**inner, "_source": item["_source"]}, base_url,
                                       locale=locale)
                    if product:
                        found.append(product)
                    continue
                url = inner.get("url") if isinstance(inner, dict) else inner
                url = url or element.get("url")
                if isinstance(url, str) and url:
                    listed.append(clean_url(url, base_url))
    og_product = _open_graph_product(data, base_url, locale=locale)
    if og_product:
        if len(found) == 1:
            # One product in the markup and Open Graph on the same page describe one thing,
            # even when og:title carries the shop's name ("Mug – Acme").
            og_product.name, og_product.external_id = found[0].name, found[0].external_id
            og_product.url = found[0].url or og_product.url
        found.append(og_product)
    for entry in data.microformats:
        if "h-product" in (entry.get("@type") or []):
            product = _product({"name": entry.get("name"), "image": entry.get("photo"),
                                "url": entry.get("url"), "offers": entry.get("price"),
                                "_source": "microformat"}, base_url, locale=locale)
            if product:
                found.append(product)
    return found, listed


def _open_graph_product(data: StructuredData, base_url: str, *, locale: str
                        ) -> ProductData | None:
    kind = og(data, "og:type").lower()
    price_raw = og(data, "product:price:amount", "product:sale_price:amount", "og:price:amount",
                   "product:price")
    if kind not in ("product", "og:product", "product.item") and not price_raw:
        return None
    name = og(data, "og:title")
    if not name:
        return None
    price, currency = parse_price(price_raw, locale=locale)
    sale, _ = parse_price(og(data, "product:sale_price:amount"), locale=locale)
    original, _ = parse_price(og(data, "product:original_price:amount"), locale=locale)
    if sale is not None:
        price = sale
    declared = og(data, "product:price:currency", "product:sale_price:currency",
                  "og:price:currency", "product:currency")
    url = og(data, "og:url")
    return ProductData(
        name=name, description=og(data, "og:description"), price=price,
        regular_price=original if original is not None and price is not None
        and original > price else None,
        currency=currency_code(declared, locale=locale) or currency,
        url=clean_url(url, base_url) if url else base_url,
        image_urls=[clean_url(u, base_url) for u in data.opengraph.get("og:image", [])[:3]
                    + data.opengraph.get("og:image:secure_url", [])[:1] if u],
        external_id="", source="open graph", sources=["open graph"],
    )


def _name_key(name: str) -> str:
    return re.sub(r"[^\w]+", " ", name.lower()).strip()


def _url_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{(parts.hostname or '').removeprefix('www.')}{parts.path.rstrip('/')}"


def merge_products(items: list[ProductData]) -> list[ProductData]:
    """One product per thing on sale: the same SKU, page URL or name seen in several sources
    (JSON-LD and Open Graph on one page, a listing and the product page) becomes one entry;
    the first source's values win, later ones fill what it lacked."""
    merged: list[ProductData] = []
    index: dict[str, ProductData] = {}
    for product in items:
        keys = [k for k in (f"sku:{product.external_id}" if product.external_id else "",
                            f"url:{_url_key(product.url)}" if product.url else "",
                            f"name:{_name_key(product.name)}") if k]
        existing = next((index[k] for k in keys if k in index), None)
        if existing is None:
            merged.append(product)
            existing = product
        else:
            for attr in ("price", "regular_price"):
                if getattr(existing, attr) is None:
                    setattr(existing, attr, getattr(product, attr))
            existing.currency = existing.currency or product.currency
            existing.description = existing.description or product.description
            existing.url = existing.url or product.url
            existing.external_id = existing.external_id or product.external_id
            for url in product.image_urls:
                if url not in existing.image_urls:
                    existing.image_urls.append(url)
            for source in product.sources:
                if source not in existing.sources:
                    existing.sources.append(source)
        for key in keys:
            index.setdefault(key, existing)
    return merged[:MAX_PRODUCTS]
