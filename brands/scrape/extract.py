"""Brand DNA extraction: pure functions over fetched documents (HTML, CSS, JSON, XML).

Nothing here does I/O; ``brands.scrape.crawl`` fetches and feeds these functions. Each function
returns plain values (and, where useful, where it found them) so it can be tested alone.
"""

from __future__ import annotations

import html as html_lib
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from urllib.parse import parse_qs, urljoin, urlsplit

import tinycss2
import tinycss2.color3
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from brands.scrape.colors import colors_in_value as _colors_in_value
from brands.scrape.colors import parse_css_color
from brands.scrape.structured import MAX_PRODUCTS, ProductData, clean_url, parse_price
from studio.visual.colour import RGB, distance, lightness, to_hex
from studio.visual.colour import hex_to_rgb as from_hex
from studio.visual.colour import is_chromatic as _is_chromatic


def parse_html(html: str) -> HTMLParser:
    return HTMLParser(html or "")


def clean_text(text: str | None) -> str:
    return re.sub(r"\s+", " ", html_lib.unescape(text or "")).strip()


def meta_content(tree: HTMLParser, *names: str) -> str:
    """The first non-empty ``<meta name|property=... content>`` among ``names`` (in the
    ``<head>`` when there is one: selectors over a 1 MB body cost milliseconds each)."""
    root = tree.head if tree.head is not None and tree.head.css_first("meta") else tree
    for name in names:
        for attr in ("property", "name", "itemprop"):
            node = root.css_first(f'meta[{attr}="{name}"]')
            if node and clean_text(node.attributes.get("content")):
                return clean_text(node.attributes.get("content"))
    return ""





# --- name, tagline, language, social -------------------------------------------------------------
_TITLE_SPLIT = re.compile(r"\s+[|–—\-:·•]\s+")


def extract_tagline(tree: HTMLParser, *, name: str = "") -> tuple[str, str]:
    """(tagline, description): the hero heading and the meta description."""
    description = meta_content(tree, "description", "og:description", "twitter:description")
    tagline = ""
    for selector in (".hero h1", "header h1", "main h1", "h1", ".hero h2", "main h2"):
        for node in tree.css(selector):
            text = clean_text(node.text(deep=True))
            if text and text.lower() != name.lower() and 2 <= len(text.split()) <= 14:
                tagline = text
                break
        if tagline:
            break
    if not tagline:
        title = clean_text(tree.css_first("title").text()) if tree.css_first("title") else ""
        parts = [p for p in _TITLE_SPLIT.split(title) if p and p.lower() != name.lower()]
        if parts and len(parts[0].split()) >= 2:
            tagline = parts[0]
    if not tagline and description:
        tagline = re.split(r"(?<=[.!?])\s", description)[0][:140]
    return tagline, description


# --- logo ----------------------------------------------------------------------------------------


# --- CSS: rules, custom properties, palette, fonts ----------------------------------------------
@dataclass
class CssRule:
    selector: str
    declarations: dict[str, str]


@dataclass
class CssFacts:
    rules: list[CssRule] = field(default_factory=list)
    custom_properties: dict[str, str] = field(default_factory=dict)
    font_faces: list[str] = field(default_factory=list)
    imports: list[str] = field(default_factory=list)


def parse_css(css_text: str, facts: CssFacts | None = None) -> CssFacts:
    """Rules (flattened out of @media/@supports), custom properties and @font-face families.

    The block structure is read by a small brace scanner rather than tinycss2's tokenizer:
    tokenizing every byte of a 1 MB stylesheet in pure Python takes seconds, and all we need
    is selectors and declaration strings. Values are still parsed by tinycss2 (colours).
    """
    facts = facts or CssFacts()
    _walk_blocks(_COMMENT.sub("", css_text or ""), facts, depth=0)
    return facts


_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_BRACE_OR_QUOTE = re.compile(r"[{}\"']")
_DECLARATION = re.compile(r"""\s*([-\w]+)\s*:\s*((?:[^;"'(]|\([^)]*\)|"[^"]*"|'[^']*')*)""")
_IMPORT_URL = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)|["']([^"']+)["']""")
_GROUPING_AT_RULES = ("media", "supports", "layer", "container", "document")


def _css_blocks(text: str):
    """(prelude, body) pairs at one nesting level; statements like ``@import x;`` come with
    ``body=None``."""
    i, n = 0, len(text)
    while i < n:
        brace = text.find("{", i)
        semi = text.find(";", i)
        if brace == -1:
            if text[i:].strip().startswith("@"):
                yield text[i:].strip().rstrip(";"), None
            return
        if semi != -1 and semi < brace:
            yield text[i:semi].strip(), None
            i = semi + 1
            continue
        depth, j = 1, brace + 1
        while depth and j < n:
            match = _BRACE_OR_QUOTE.search(text, j)
            if match is None:
                j = n
                break
            char, j = match.group(), match.end()
            if char in "\"'":
                close = text.find(char, j)
                j = close + 1 if close != -1 else n
            elif char == "{":
                depth += 1
            else:
                depth -= 1
        yield text[i:brace].strip(), text[brace + 1:j - 1]
        i = j


def _declarations(body: str) -> dict[str, str]:
    result: dict[str, str] = {}
    for match in _DECLARATION.finditer(body):
        name, value = match.group(1), match.group(2).strip()
        if value:
            result[name if name.startswith("--") else name.lower()] = value
    return result


def _walk_blocks(text: str, facts: CssFacts, *, depth: int) -> None:
    for prelude, body in _css_blocks(text):
        if prelude.startswith("@"):
            keyword = prelude[1:].split(None, 1)[0].lower() if len(prelude) > 1 else ""
            keyword = keyword.split("(", 1)[0]
            if keyword == "import":
                for url, string in _IMPORT_URL.findall(prelude):
                    facts.imports.append(url or string)
            elif body is None:
                continue
            elif keyword == "font-face":
                family = _declarations(body).get("font-family", "")
                if family:
                    facts.font_faces.append(family.strip("'\" "))
            elif keyword in _GROUPING_AT_RULES and depth < 8:
                _walk_blocks(body, facts, depth=depth + 1)
            continue
        if body is None or not prelude:
            continue
        declarations = _declarations(body)
        facts.rules.append(CssRule(prelude, declarations))
        for name, value in declarations.items():
            if name.startswith("--") and (name not in facts.custom_properties
                                          or _is_root(prelude)):
                facts.custom_properties[name] = value


_NAMED_COLORS = frozenset(tinycss2.color3._COLOR_KEYWORDS) | {"transparent", "currentcolor"}
_HEX = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_PLAIN_WORDS = re.compile(r"[-\w.%]+")


is_chromatic = lru_cache(maxsize=16384)(_is_chromatic)


@lru_cache(maxsize=8192)
def colors_in_value(value: str) -> tuple[RGB, ...]:
    """The colours in a declaration value; plain hex values skip the tokenizer, and repeated
    values (real stylesheets repeat a handful of colours thousands of times) are cached."""
    parts = value.replace(",", " ").split()
    if "(" not in value and all(_HEX.fullmatch(p) or (_PLAIN_WORDS.fullmatch(p) and p.lower()
                                                       not in _NAMED_COLORS) for p in parts):
        return tuple(from_hex(p) for p in parts if _HEX.fullmatch(p))
    return tuple(_colors_in_value(value))


def _is_root(selector: str) -> bool:
    return any(s.strip() in (":root", "html", "body", ":host") for s in selector.split(","))


def resolve_vars(value: str, props: dict[str, str], depth: int = 0) -> str:
    """Substitute ``var(--x, fallback)`` from the custom properties (nested, bounded)."""
    if "var(" not in value or depth > 8:
        return value

    def substitute(match: re.Match) -> str:
        name, _, fallback = match.group(1).partition(",")
        name = name.strip()
        if name in props:
            return resolve_vars(props[name], props, depth + 1)
        return resolve_vars(fallback.strip(), props, depth + 1)

    return resolve_vars(re.sub(r"var\(\s*(--[\w-]+\s*(?:,[^()]*(?:\([^()]*\))?[^()]*)?)\)",
                               substitute, value), props, depth + 1)


_ROLE_PROP = [
    ("secondary", re.compile(r"secondary", re.I)),
    ("accent", re.compile(r"accent|highlight|tertiary", re.I)),
    ("background", re.compile(r"(^|-)(bg|background|surface|base|paper|canvas)(-|$)", re.I)),
    ("text", re.compile(r"(^|-)(text|foreground|fg|ink|body-color|copy|font-color)(-|$)", re.I)),
    ("primary", re.compile(r"primary|brand|main|theme|key", re.I)),
]

_COLOR_PROPS = ("color", "background-color", "background", "border-color", "fill",
                "border", "border-top", "border-bottom", "outline-color", "stroke")


@lru_cache(maxsize=16384)
def _selector_weight(selector: str, prop: str) -> tuple[str, float]:
    """What a colour in this rule is used for, and how much it says about the brand."""
    s = selector.lower()
    background = prop.startswith("background")
    if re.search(r"(^|[\s,>])(button|\.btn|\.button|\.cta|\[type=.?submit|\.primary)", s):
        return "action", 8.0 if background else 3.0
    if re.search(r"(^|[\s,>])(header|nav|\.hero|\.banner|\.announcement|footer)", s):
        return "frame", 3.0 if background else 1.5
    if re.search(r"(^|[\s,>])a(\b|:|\.|$)|\blink\b", s):
        return "link", 3.0
    if re.search(r"(^|[\s,>])h[1-3]\b|\.title|\.headline", s):
        return "heading", 2.0
    return "other", 1.0


def _root_selector(selector: str) -> bool:
    return any(part.strip() in ("body", "html", ":root", "html body")
               for part in selector.split(","))


@dataclass
class PaletteResult:
    colors: dict[str, str]  # role → "#rrggbb"
    sources: dict[str, str]  # role → where it came from
    ranked: list[str] = field(default_factory=list)  # brand-colour candidates, best first


def extract_palette(
    css: CssFacts,
    *,
    theme_color: str = "",
    logo_colors: list[tuple[RGB, float]] | None = None,
    inline_colors: list[RGB] | None = None,
) -> PaletteResult:
    """Assign primary/secondary/accent/background/text from everything colour-shaped we saw.

    Stages: custom properties named for a role; the body/html background and text; weighted
    usage of chromatic colours (buttons and links weigh more than borders; a chromatic
    ``theme-color`` and the logo's colours count too); then the roles still open are filled from
    that ranking, and the rest derived from the primary.
    """
    colors, sources = _palette_from_variables(css)
    _palette_from_root_rules(css, colors, sources)
    theme = parse_css_color(theme_color) if theme_color else None
    ranked = _merge_similar(_colour_usage(css, inline_colors=inline_colors or [], theme=theme,
                                          logo_colors=logo_colors or []))
    _assign_brand_roles(colors, sources, ranked=ranked, theme=theme)
    _derive_missing_roles(colors, sources)
    return PaletteResult({role: to_hex(rgb) for role, rgb in colors.items()}, sources,
                         [to_hex(rgb) for rgb in ranked[:8]])


def _palette_from_variables(css: CssFacts) -> tuple[dict[str, RGB], dict[str, str]]:
    props = css.custom_properties
    colors: dict[str, RGB] = {}
    sources: dict[str, str] = {}
    # Names that say the role outright ("--color-primary") beat looser ones ("--brand-hue").
    explicit = re.compile(r"primary|secondary|accent", re.I)
    for name, value in sorted(props.items(), key=lambda kv: not explicit.search(kv[0])):
        value = resolve_vars(value, props)
        # Themes that compose colours in CSS keep bare channels: "--color-accent: 78, 107, 80".
        if re.fullmatch(r"\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*", value):
            value = f"rgb({value})"
        rgb = parse_css_color(value)
        if rgb is None:
            continue
        for role, pattern in _ROLE_PROP:
            if pattern.search(name.lstrip("-")):
                if role not in colors:
                    colors[role] = rgb
                    sources[role] = f"css variable {name}"
                break
    return colors, sources


def _palette_from_root_rules(css: CssFacts, colors: dict[str, RGB],
                             sources: dict[str, str]) -> None:
    props = css.custom_properties
    for rule in css.rules:
        if not _root_selector(rule.selector):
            continue
        for prop in ("background-color", "background"):
            if prop in rule.declarations and "background" not in colors:
                found = colors_in_value(resolve_vars(rule.declarations[prop], props))
                if found:
                    colors["background"], sources["background"] = found[0], "body background"
        if "color" in rule.declarations and "text" not in colors:
            rgb = parse_css_color(resolve_vars(rule.declarations["color"], props))
            if rgb:
                colors["text"], sources["text"] = rgb, "body color"


def _colour_usage(css: CssFacts, *, inline_colors: list[RGB], theme: RGB | None,
                  logo_colors: list[tuple[RGB, float]]) -> Counter:
    props = css.custom_properties
    scores: Counter = Counter()
    for rule in css.rules:
        for prop in _COLOR_PROPS:
            if prop not in rule.declarations:
                continue
            _use, weight = _selector_weight(rule.selector, prop)
            if prop.startswith("border") or prop in ("outline-color", "stroke"):
                weight *= 0.3
            for rgb in colors_in_value(resolve_vars(rule.declarations[prop], props)):
                if is_chromatic(rgb):
                    scores[rgb] += weight
    for rgb in inline_colors:
        if is_chromatic(rgb):
            scores[rgb] += 1.0
    if theme and is_chromatic(theme):
        scores[theme] += 8.0
    for rgb, share in logo_colors:
        if is_chromatic(rgb) and share >= 0.03:
            scores[tuple(rgb)] += 5.0 * share
    return scores


def _assign_brand_roles(colors: dict[str, RGB], sources: dict[str, str], *,
                        ranked: list[RGB], theme: RGB | None) -> None:
    if "primary" not in colors:
        if theme and is_chromatic(theme):
            colors["primary"], sources["primary"] = theme, "theme-color"
        elif ranked:
            colors["primary"], sources["primary"] = ranked[0], "most used colour"
    for role in ("secondary", "accent"):
        if role in colors:
            continue
        taken = [c for r, c in colors.items() if r in ("primary", "secondary", "accent")]
        for rgb in ranked:
            if all(distance(rgb, other) > 20 for other in taken):
                colors[role], sources[role] = rgb, "frequent colour"
                break


def _derive_missing_roles(colors: dict[str, RGB], sources: dict[str, str]) -> None:
    background = colors.setdefault("background", (255, 255, 255))
    sources.setdefault("background", "default")
    if "text" not in colors:
        colors["text"] = (17, 17, 17) if lightness(background) > 0.5 else (255, 255, 255)
        sources["text"] = "default"
    if "primary" not in colors:
        colors["primary"], sources["primary"] = colors["text"], "text colour (no brand colour)"
    primary = colors["primary"]
    if "secondary" not in colors:
        colors["secondary"] = _shade(primary, -0.35)
        sources["secondary"] = "shade of primary"
    if "accent" not in colors:
        colors["accent"] = _shade(primary, 0.6)
        sources["accent"] = "tint of primary"


def _merge_similar(scores: Counter) -> list[RGB]:
    """Chromatic colours by score, near-duplicates (ΔE < 8) folded into the stronger one."""
    merged: list[list] = []
    for rgb, score in scores.most_common(60):  # the long tail cannot reach the top three
        for entry in merged:
            if distance(rgb, entry[0]) < 8:
                entry[1] += score
                break
        else:
            merged.append([rgb, score])
    return [rgb for rgb, _ in sorted(merged, key=lambda e: e[1], reverse=True)]


def _shade(rgb: RGB, amount: float) -> RGB:
    """Mix towards black (amount < 0) or white (amount > 0)."""
    target = 255 if amount > 0 else 0
    a = abs(amount)
    return tuple(round(c + (target - c) * a) for c in rgb)  # type: ignore[return-value]


def google_font_families(tree: HTMLParser, css: CssFacts | None = None) -> list[str]:
    """Families requested from Google Fonts by ``<link>`` or ``@import``."""
    hrefs = [n.attributes.get("href") or "" for n in tree.css("link[href]")]
    hrefs += css.imports if css else []
    families = []
    for href in hrefs:
        if "fonts.googleapis.com" not in href:
            continue
        for family in parse_qs(urlsplit(html_lib.unescape(href)).query).get("family", []):
            for part in family.split("|"):
                name = part.split(":")[0].replace("+", " ").strip()
                if name and name not in families:
                    families.append(name)
    return families


def inline_css(tree: HTMLParser) -> tuple[str, list[RGB]]:
    """CSS from ``<style>`` blocks, and colours from ``style=""`` attributes."""
    blocks = [n.text(deep=True) or "" for n in tree.css("style")]
    colors: list[RGB] = []
    for node in tree.css("[style]")[:5000]:
        for name, value in _declarations(node.attributes.get("style") or "").items():
            if name in _COLOR_PROPS:
                colors.extend(colors_in_value(value))
    return "\n".join(blocks), colors


def stylesheet_urls(tree: HTMLParser, base_url: str) -> list[str]:
    urls = []
    for node in tree.css("link[href]"):
        rel = (node.attributes.get("rel") or "").lower().split()
        href = node.attributes.get("href") or ""
        if "stylesheet" in rel and "fonts.googleapis.com" not in href:
            urls.append(urljoin(base_url, href))
    return urls


# --- copy: value propositions and tone --------------------------------------------------------
_NAV_WORDS = {"shop", "products", "about", "contact", "blog", "faq", "cart", "login", "menu",
              "home", "search", "account", "collections", "all products", "our story",
              "newsletter", "follow us", "subscribe", "featured products", "best sellers",
              "bestsellers", "testimonials", "reviews", "pricing", "features"}


def page_copy(tree: HTMLParser) -> dict[str, list[str]]:
    """Headings and paragraphs outside navigation, footer and scripts."""
    clone = HTMLParser(tree.html or "")
    for node in clone.css("script, style, noscript, nav, footer, template, svg"):
        node.decompose()
    headings = [clean_text(n.text(deep=True)) for n in clone.css("h1, h2, h3, h4")]
    paragraphs = [clean_text(n.text(deep=True)) for n in clone.css("p")]
    items = [clean_text(n.text(deep=True)) for n in clone.css("li")]
    body = clone.body
    return {
        "headings": [h for h in headings if h],
        "paragraphs": [p for p in paragraphs if p],
        "items": [i for i in items if i],
        "text": clean_text(body.text(separator=" ")) if body else "",
    }


def extract_value_props(tree: HTMLParser, *, limit: int = 6,
                        copy: dict[str, list[str]] | None = None) -> list[str]:
    """Short benefit statements: headings and list items in feature/benefit sections first."""
    found: list[str] = []

    def add(text: str) -> None:
        text = clean_text(text).strip(" .•-–")
        words = text.split()
        if text.lower().startswith(("why ", "how ")) or text.endswith("?"):
            return  # a section title ("Why Northwind"), not a benefit
        if 2 <= len(words) <= 14 and text.lower() not in _NAV_WORDS and text not in found \
                and not re.search(r"[$€£¥]\s?\d|\d\s?[$€£]", text):
            found.append(text)

    section_selector = ", ".join(
        f'[class*="{k}"] {t}, [id*="{k}"] {t}'
        for k in ("feature", "benefit", "why", "value", "usp", "promise")
        for t in ("h2", "h3", "h4", "li", "strong")
    )
    for node in tree.css(section_selector):
        add(node.text(deep=True))
    if len(found) < 3:
        copy = copy or page_copy(tree)
        for heading in copy["headings"][1:]:
            add(heading)
    return found[:limit]


def describe_tone(texts: list[str]) -> str:
    """A short tone-of-voice description from the site's copy (heuristic, no model)."""
    text = " ".join(t for t in texts if t.strip().lower() not in _NAV_WORDS)
    words = re.findall(r"[^\W\d_']+", text.lower())
    if not words:
        return ""
    n = len(words)
    sentences = [s for s in re.split(r"[.!?]+", text) if s.strip()]
    avg_len = n / max(len(sentences), 1)
    second_person = sum(words.count(w) for w in ("you", "your", "you're", "yours")) / n
    first_plural = sum(words.count(w) for w in ("we", "our", "us")) / n
    exclaim = text.count("!") / max(len(sentences), 1)
    emoji = bool(re.search(r"[\U0001F300-\U0001FAFF]", text))
    formal_words = {"solutions", "enterprise", "leverage", "industry", "professional",
                    "compliance", "platform", "organisations", "organizations", "scalable"}
    warm_words = {"love", "happy", "joy", "gentle", "care", "delight", "friends", "cozy",
                  "beautiful", "feel"}
    bold_words = {"best", "ultimate", "powerful", "bold", "fearless", "revolutionary",
                  "fastest", "never", "unstoppable"}
    formal = sum(w in formal_words for w in words) / n
    warm = sum(w in warm_words for w in words) / n
    bold = sum(w in bold_words for w in words) / n
    traits = []
    if exclaim > 0.25 or emoji:
        traits.append("energetic")
    if warm > 0.006:
        traits.append("warm")
    if bold > 0.006:
        traits.append("bold")
    if formal > 0.006:
        traits.append("professional")
    if second_person > 0.02:
        traits.append("conversational")
    if first_plural > 0.02 and "warm" not in traits:
        traits.append("personal")
    traits.append("concise" if avg_len < 14 else "detailed")
    if len(traits) == 1:
        traits.insert(0, "clear")
    head = ", ".join(traits[:-1])
    return f"{head} and {traits[-1]}".capitalize()


# --- products ----------------------------------------------------------------------------------


def _strip_html(value: str) -> str:
    return clean_text(HTMLParser(value or "").text(separator=" ")) if value else ""


def shopify_currency(html: str) -> str:
    match = re.search(r'Shopify\.currency\s*=\s*\{[^}]*"active"\s*:\s*"([A-Z]{3})"', html)
    if match:
        return match.group(1)
    match = re.search(r'"currencyCode"\s*:\s*"([A-Z]{3})"', html)
    return match.group(1) if match else ""


def products_from_shopify(data: dict, base_url: str, *, currency: str = "") -> list[ProductData]:
    """Products from a Shopify store's public ``/products.json``."""
    products = []
    for item in (data or {}).get("products", [])[:MAX_PRODUCTS]:
        variants = item.get("variants") or [{}]
        prices = [parse_price(v.get("price"))[0] for v in variants
                  if v.get("price") is not None]
        prices = [p for p in prices if p is not None]
        regular = [parse_price(v.get("compare_at_price"))[0] for v in variants
                   if v.get("compare_at_price")]
        regular = [p for p in regular if p is not None]
        handle = item.get("handle") or ""
        products.append(ProductData(
            name=clean_text(item.get("title")),
            description=_strip_html(item.get("body_html") or ""),
            price=min(prices) if prices else None,
            regular_price=max(regular) if regular and prices and max(regular) > min(prices)
            else None, currency=currency,
            url=urljoin(base_url, f"/products/{handle}") if handle else "",
            image_urls=[clean_url(img.get("src"), base_url) for img in item.get("images") or []
                        if img.get("src")],
            external_id=f"shopify:{item.get('id') or handle}", source="shopify",
        ))
    return [p for p in products if p.name]


def products_from_woocommerce(data: list, base_url: str) -> list[ProductData]:
    """Products from the WooCommerce Store API (``/wp-json/wc/store/v1/products``)."""
    products = []
    for item in (data or [])[:MAX_PRODUCTS]:
        if not isinstance(item, dict):
            continue
        prices = item.get("prices") or {}
        minor = int(prices.get("currency_minor_unit", 2) or 0)

        def minor_units(raw, minor=minor):
            if raw in (None, ""):
                return None
            if str(raw).isdigit():
                return (Decimal(str(raw)) / (Decimal(10) ** minor)).quantize(Decimal("0.01"))
            return parse_price(raw)[0]

        price = minor_units(prices.get("price"))
        regular = minor_units(prices.get("regular_price"))
        products.append(ProductData(
            name=clean_text(item.get("name")),
            description=_strip_html(item.get("short_description") or item.get("description")
                                    or ""),
            price=price, regular_price=regular if regular and price and regular > price else None,
            currency=str(prices.get("currency_code") or "").upper()[:3],
            url=item.get("permalink") or "",
            image_urls=[clean_url(img.get("src"), base_url) for img in item.get("images") or []
                        if img.get("src")],
            external_id=f"woocommerce:{item.get('id')}", source="woocommerce",
        ))
    return [p for p in products if p.name]


def looks_like_woocommerce(html: str) -> bool:
    return "woocommerce" in html.lower() or "wp-content" in html or "api.w.org" in html


def looks_like_shopify(html: str) -> bool:
    return "cdn.shopify.com" in html or "Shopify.shop" in html or "shopify" in html.lower()


_SITEMAP_NS = re.compile(r"\{[^}]+\}")


def sitemap_urls(xml: str) -> tuple[list[str], list[str]]:
    """(page URLs, nested sitemap URLs) from a sitemap or sitemap index."""
    try:
        root = ElementTree.fromstring(xml.encode() if isinstance(xml, str) else xml)
    except (ElementTree.ParseError, DefusedXmlException):
        return [], []
    pages, nested = [], []
    for element in root.iter():
        if _SITEMAP_NS.sub("", element.tag) == "loc" and element.text:
            parent_is_index = _SITEMAP_NS.sub("", root.tag) == "sitemapindex"
            (nested if parent_is_index else pages).append(element.text.strip())
    return pages, nested


PRODUCT_PATH = re.compile(r"/(products?|shop|item|p)/[^/?#]+/?$", re.I)


def is_product_url(url: str) -> bool:
    return bool(PRODUCT_PATH.search(urlsplit(url).path))


# --- crawl planning ----------------------------------------------------------------------------
_SKIP_PATH = re.compile(r"cart|checkout|login|account|signin|sign-in|register|wishlist|"
                        r"\.(pdf|jpe?g|png|gif|webp|svg|zip|mp4)$", re.I)
_PRODUCT_HINT = re.compile(r"product|produit|shop|boutique|tienda|negozio|collection|store|"
                           r"catalog|menu|range", re.I)
_ABOUT_HINT = re.compile(r"about|story|mission|who-we-are|our-|values|company|histoire|"
                         r"a-propos|qui-sommes|ueber-uns|chi-siamo|nosotros", re.I)


def same_site(url: str, base_url: str) -> bool:
    a, b = urlsplit(url), urlsplit(base_url)

    def strip(host: str | None) -> str:
        return (host or "").lower().removeprefix("www.")

    return a.scheme in ("http", "https") and strip(a.hostname) == strip(b.hostname) and \
        a.port == b.port


def candidate_links(tree: HTMLParser, base_url: str) -> list[tuple[str, str]]:
    """Same-site links worth fetching: (url, kind) with kind in product/listing/about."""
    scored: dict[str, tuple[int, str]] = {}
    for node in tree.css("a[href]")[:800]:  # a crawl visits ten pages; 800 links is plenty
        href = (node.attributes.get("href") or "").strip()
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        url = urljoin(base_url, href).split("#")[0]
        if not same_site(url, base_url) or _SKIP_PATH.search(urlsplit(url).path):
            continue
        if urlsplit(url).path in ("", "/"):
            continue
        label = f"{urlsplit(url).path} {clean_text(node.text(deep=True))}"
        if is_product_url(url):
            score, kind = 3, "product"
        elif _PRODUCT_HINT.search(label):
            score, kind = 4, "listing"
        elif _ABOUT_HINT.search(label):
            score, kind = 5, "about"
        else:
            continue
        if url not in scored or scored[url][0] < score:
            scored[url] = (score, kind)
    ordered = sorted(scored.items(), key=lambda kv: -kv[1][0])
    return [(url, kind) for url, (_score, kind) in ordered]


