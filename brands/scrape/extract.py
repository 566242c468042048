"""Brand DNA extraction: pure functions over fetched documents (HTML, CSS, JSON, XML).

Nothing here does I/O; ``brands.scrape.crawl`` fetches and feeds these functions. Each function
returns plain values (and, where useful, where it found them) so it can be tested alone.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qs, urljoin, urlsplit
from xml.etree import ElementTree

import tinycss2
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from brands.scrape.colors import (
    RGB,
    colors_in_value,
    distance,
    is_chromatic,
    lightness,
    parse_css_color,
    to_hex,
)

MAX_PRODUCTS = 50


def parse_html(html: str) -> HTMLParser:
    return HTMLParser(html or "")


def _clean(text: str | None) -> str:
    return re.sub(r"\s+", " ", html_lib.unescape(text or "")).strip()


def meta_content(tree: HTMLParser, *names: str) -> str:
    """The first non-empty ``<meta name|property=... content>`` among ``names``."""
    for name in names:
        for attr in ("property", "name", "itemprop"):
            node = tree.css_first(f'meta[{attr}="{name}"]')
            if node and _clean(node.attributes.get("content")):
                return _clean(node.attributes.get("content"))
    return ""


# --- JSON-LD -----------------------------------------------------------------------------------
def json_ld_items(tree: HTMLParser) -> list[dict]:
    """Every JSON-LD object on the page, with ``@graph`` and lists flattened."""
    items: list[dict] = []

    def walk(value) -> None:
        if isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            if "@graph" in value:
                walk(value["@graph"])
            if "@type" in value:
                items.append(value)

    for node in tree.css('script[type="application/ld+json"]'):
        raw = node.text(deep=True) or ""
        try:
            walk(json.loads(raw))
        except ValueError:
            # Sites often leave trailing commas or control characters; try a gentle repair.
            try:
                walk(json.loads(re.sub(r",\s*([}\]])", r"\1", raw.replace("\n", " "))))
            except ValueError:
                continue
    return items


def _types(item: dict) -> set[str]:
    value = item.get("@type", [])
    return {str(t).split("/")[-1].lower() for t in (value if isinstance(value, list) else [value])}


def _first_url(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value:
        return _first_url(value[0])
    if isinstance(value, dict):
        return value.get("url") or value.get("contentUrl") or value.get("@id") or ""
    return ""


def _urls(value) -> list[str]:
    if isinstance(value, list):
        return [u for v in value for u in _urls(v)]
    url = _first_url(value)
    return [url] if url else []


# --- name, tagline, language, social -------------------------------------------------------------
_TITLE_SPLIT = re.compile(r"\s+[|–—\-:·•]\s+")


def extract_name(tree: HTMLParser, url: str) -> tuple[str, str]:
    """(brand name, where it came from)."""
    site_name = meta_content(tree, "og:site_name", "application-name")
    if site_name:
        return site_name, "og:site_name"
    for item in json_ld_items(tree):
        if _types(item) & {"organization", "corporation", "store", "onlinestore", "brand",
                           "localbusiness", "website"} and isinstance(item.get("name"), str):
            return _clean(item["name"]), "json-ld"
    title = _clean(tree.css_first("title").text() if tree.css_first("title") else "")
    host_stem = _host_stem(url)
    if title:
        parts = [p for p in _TITLE_SPLIT.split(title) if p]
        for part in parts:
            if host_stem and host_stem in re.sub(r"[^a-z0-9]", "", part.lower()):
                return part, "title"
        generic = {"home", "homepage", "welcome", "shop", "official site", "store"}
        parts = [p for p in parts if p.lower() not in generic] or parts
        return min(parts, key=len) if len(parts) > 1 else parts[0], "title"
    return (host_stem or "Brand").title(), "domain"


def _host_stem(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    if re.fullmatch(r"[\d.:]+", host) or host in ("localhost", ""):
        return ""
    labels = [label for label in host.split(".") if label not in ("www", "shop", "store")]
    return labels[0] if labels else ""


def extract_tagline(tree: HTMLParser, *, name: str = "") -> tuple[str, str]:
    """(tagline, description): the hero heading and the meta description."""
    description = meta_content(tree, "description", "og:description", "twitter:description")
    tagline = ""
    for selector in (".hero h1", "header h1", "main h1", "h1", ".hero h2", "main h2"):
        for node in tree.css(selector):
            text = _clean(node.text(deep=True))
            if text and text.lower() != name.lower() and 2 <= len(text.split()) <= 14:
                tagline = text
                break
        if tagline:
            break
    if not tagline:
        title = _clean(tree.css_first("title").text()) if tree.css_first("title") else ""
        parts = [p for p in _TITLE_SPLIT.split(title) if p and p.lower() != name.lower()]
        if parts and len(parts[0].split()) >= 2:
            tagline = parts[0]
    if not tagline and description:
        tagline = re.split(r"(?<=[.!?])\s", description)[0][:140]
    return tagline, description


_STOPWORDS = {
    "en": {"the", "and", "you", "your", "with", "for", "our", "are", "is", "of", "to"},
    "fr": {"le", "la", "les", "et", "vous", "votre", "pour", "avec", "des", "est", "une"},
    "de": {"der", "die", "das", "und", "sie", "ihre", "mit", "für", "ist", "ein", "eine"},
    "es": {"el", "la", "los", "las", "y", "tu", "para", "con", "es", "una", "nuestro"},
    "it": {"il", "la", "gli", "e", "tuo", "per", "con", "è", "una", "nostro", "della"},
    "nl": {"de", "het", "en", "je", "jouw", "voor", "met", "is", "een", "onze", "van"},
    "pt": {"o", "a", "os", "as", "e", "você", "para", "com", "é", "uma", "nosso"},
}


def extract_language(tree: HTMLParser, text: str = "") -> tuple[str, str]:
    """(ISO 639-1 code, source): ``<html lang>``, else a stop-word vote over the text."""
    html_node = tree.css_first("html")
    lang = (html_node.attributes.get("lang") or "") if html_node else ""
    if lang.strip():
        return lang.strip().split("-")[0].split("_")[0].lower(), "html lang"
    words = Counter(re.findall(r"[^\W\d_]+", text.lower()))
    scores = {code: sum(words[w] for w in stop) for code, stop in _STOPWORDS.items()}
    best = max(scores, key=scores.get)
    return (best, "text") if scores[best] >= 3 else ("en", "default")


SOCIAL_HOSTS = {
    "instagram.com": "instagram", "facebook.com": "facebook", "tiktok.com": "tiktok",
    "twitter.com": "x", "x.com": "x", "linkedin.com": "linkedin", "youtube.com": "youtube",
    "pinterest.com": "pinterest", "threads.net": "threads",
}


def extract_social(tree: HTMLParser, base_url: str) -> dict[str, str]:
    links: dict[str, str] = {}
    for node in tree.css("a[href]"):
        href = urljoin(base_url, node.attributes.get("href") or "")
        host = (urlsplit(href).hostname or "").lower().removeprefix("www.")
        network = SOCIAL_HOSTS.get(host)
        if network and network not in links and urlsplit(href).path.strip("/"):
            links[network] = href
    for item in json_ld_items(tree):
        for href in item.get("sameAs", []) if isinstance(item.get("sameAs"), list) else []:
            host = (urlsplit(href).hostname or "").lower().removeprefix("www.")
            if SOCIAL_HOSTS.get(host):
                links.setdefault(SOCIAL_HOSTS[host], href)
    return links


# --- logo ----------------------------------------------------------------------------------------
def logo_candidates(tree: HTMLParser, base_url: str) -> list[tuple[str, str]]:
    """Logo URLs in order of trust: (absolute URL, source). Inline SVGs come as data: URLs."""
    found: list[tuple[str, str]] = []

    def add(url: str, source: str) -> None:
        if url:
            absolute = url if url.startswith("data:") else urljoin(base_url, url.strip())
            if absolute not in [u for u, _ in found]:
                found.append((absolute, source))

    for item in json_ld_items(tree):
        if _types(item) & {"organization", "corporation", "store", "onlinestore", "brand",
                           "localbusiness"}:
            add(_first_url(item.get("logo")), "json-ld logo")
    for node in tree.css("header img, nav img, a img, img"):
        attrs = " ".join(str(v or "") for k, v in node.attributes.items()
                         if k in ("class", "id", "alt", "src", "data-src")).lower()
        parent = node.parent
        parent_attrs = " ".join(str(v or "")
                                for v in (parent.attributes.values() if parent else []))
        if "logo" in attrs or "logo" in parent_attrs.lower():
            add(node.attributes.get("src") or node.attributes.get("data-src") or "", "header img")
    for node in tree.css("header svg, a svg, svg"):
        attrs = " ".join(str(v or "") for v in node.attributes.values()).lower()
        parent_attrs = " ".join(str(v or "") for v in (node.parent.attributes.values()
                                                        if node.parent else [])).lower()
        if "logo" in attrs or "logo" in parent_attrs:
            svg = node.html or ""
            if "xmlns" not in svg:
                svg = svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
            add("data:image/svg+xml;utf8," + svg, "inline svg")
            break
    icons = []
    for node in tree.css("link[rel][href]"):
        rel = (node.attributes.get("rel") or "").lower()
        if "apple-touch-icon" in rel or "icon" in rel.split() or "mask-icon" in rel:
            sizes = node.attributes.get("sizes") or ""
            size = max((int(s) for s in re.findall(r"(\d+)x\d+", sizes)), default=0)
            if (node.attributes.get("href") or "").lower().endswith(".svg"):
                size = max(size, 512)
            rank = (2 if "apple-touch-icon" in rel else 1, size)
            icons.append((rank, node.attributes.get("href"), "apple-touch-icon"
                          if "apple-touch-icon" in rel else "link icon"))
    for _rank, href, source in sorted(icons, key=lambda x: x[0], reverse=True):
        add(href, source)
    return found


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
    """Rules (flattened out of @media/@supports), custom properties and @font-face families."""
    facts = facts or CssFacts()
    rules = tinycss2.parse_stylesheet(css_text, skip_comments=True, skip_whitespace=True)
    _walk_rules(rules, facts)
    return facts


def _declarations(content) -> dict[str, str]:
    result: dict[str, str] = {}
    for decl in tinycss2.parse_declaration_list(content, skip_comments=True,
                                                skip_whitespace=True):
        if decl.type == "declaration":
            name = decl.name if decl.name.startswith("--") else decl.lower_name
            result[name] = tinycss2.serialize(decl.value).strip()
    return result


def _walk_rules(rules, facts: CssFacts) -> None:
    for rule in rules:
        if rule.type == "qualified-rule":
            selector = tinycss2.serialize(rule.prelude).strip()
            declarations = _declarations(rule.content)
            facts.rules.append(CssRule(selector, declarations))
            for name, value in declarations.items():
                if name.startswith("--") and (
                    name not in facts.custom_properties or _is_root(selector)
                ):
                    facts.custom_properties[name] = value
        elif rule.type == "at-rule":
            keyword = rule.lower_at_keyword
            if keyword == "font-face" and rule.content:
                family = _declarations(rule.content).get("font-family", "")
                if family:
                    facts.font_faces.append(family.strip("'\" "))
            elif keyword == "import":
                for token in rule.prelude:
                    if token.type in ("url", "string"):
                        facts.imports.append(token.value)
                    elif token.type == "function" and token.lower_name == "url":
                        facts.imports.extend(t.value for t in token.arguments
                                             if t.type == "string")
            elif rule.content is not None and keyword in ("media", "supports", "layer",
                                                          "container"):
                _walk_rules(tinycss2.parse_rule_list(rule.content, skip_comments=True,
                                                     skip_whitespace=True), facts)


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


def extract_palette(
    css: CssFacts,
    *,
    theme_color: str = "",
    logo_colors: list[tuple[RGB, float]] | None = None,
    inline_colors: list[RGB] | None = None,
) -> PaletteResult:
    """Assign primary/secondary/accent/background/text from everything colour-shaped we saw.

    Trust order per role: a custom property named for the role, then ``theme-color`` (primary),
    then where colours are used (buttons and links weigh more than borders), then the logo.
    """
    props = css.custom_properties
    colors: dict[str, RGB] = {}
    sources: dict[str, str] = {}

    # 1. custom properties named for a role
    # Names that say the role outright ("--color-primary") beat looser ones ("--brand-hue").
    explicit = re.compile(r"primary|secondary|accent", re.I)
    for name, value in sorted(props.items(), key=lambda kv: not explicit.search(kv[0])):
        rgb = parse_css_color(resolve_vars(value, props))
        if rgb is None:
            continue
        for role, pattern in _ROLE_PROP:
            if pattern.search(name.lstrip("-")):
                if role not in colors:
                    colors[role] = rgb
                    sources[role] = f"css variable {name}"
                break

    # 2. body/html background and text
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

    # 3. weighted usage of chromatic colours
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
    for rgb in inline_colors or []:
        if is_chromatic(rgb):
            scores[rgb] += 1.0
    theme = parse_css_color(theme_color) if theme_color else None
    if theme and is_chromatic(theme):
        scores[theme] += 8.0
    for rgb, share in logo_colors or []:
        if is_chromatic(rgb) and share >= 0.03:
            scores[tuple(rgb)] += 5.0 * share

    ranked = _merge_similar(scores)
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
    return PaletteResult({role: to_hex(rgb) for role, rgb in colors.items()}, sources)


def _merge_similar(scores: Counter) -> list[RGB]:
    """Chromatic colours by score, near-duplicates (ΔE < 8) folded into the stronger one."""
    merged: list[list] = []
    for rgb, score in scores.most_common():
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


@dataclass
class FontChoice:
    family: str
    generic: str = ""
    weight: int = 400
    source: str = ""


_GENERICS = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui",
             "ui-sans-serif", "ui-serif", "ui-monospace", "-apple-system", "blinkmacsystemfont",
             "ui-rounded", "emoji", "math"}


def split_font_stack(value: str) -> tuple[str, str]:
    """(first real family, generic fallback) of a ``font-family`` value."""
    families = [f.strip().strip("'\"").strip() for f in value.split(",") if f.strip()]
    first = next((f for f in families if f.lower() not in _GENERICS
                  and not f.lower().startswith("var(")), "")
    generic = next((f for f in reversed(families) if f.lower() in _GENERICS), "")
    return first, generic


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


_FONT_PROP_ROLES = [
    ("heading", re.compile(r"head|display|title", re.I)),
    ("body", re.compile(r"body|text|base|sans|main|copy|primary|default", re.I)),
]


def extract_fonts(css: CssFacts, *, google_fonts: list[str] | None = None
                  ) -> dict[str, FontChoice]:
    """Heading and body fonts as written by the site (before mapping to bundled fonts)."""
    props = css.custom_properties
    chosen: dict[str, FontChoice] = {}

    def family_of(value: str) -> tuple[str, str]:
        return split_font_stack(resolve_vars(value, props))

    for rule in css.rules:
        value = rule.declarations.get("font-family")
        if not value:
            continue
        family, generic = family_of(value)
        if not family and not generic:
            continue
        selector = rule.selector.lower()
        weight_raw = rule.declarations.get("font-weight", "")
        weight = int(weight_raw) if weight_raw.isdigit() else (700 if weight_raw == "bold"
                                                                 else 400)
        if re.search(r"(^|[\s,>])h[1-3]\b|\.title|\.headline|\.heading|\.display", selector):
            if "heading" not in chosen:
                chosen["heading"] = FontChoice(family or generic, generic,
                                               weight if weight_raw else 700,
                                               f"css {rule.selector[:40]}")
        elif (_root_selector(rule.selector) or re.search(r"(^|[\s,])p\b", selector)) \
                and "body" not in chosen:
            chosen["body"] = FontChoice(family or generic, generic, weight,
                                            f"css {rule.selector[:40]}")
    for name, value in props.items():
        if not re.search(r"font|family|typeface", name, re.I):
            continue
        family, generic = family_of(value)
        if not family:
            continue
        for role, pattern in _FONT_PROP_ROLES:
            if pattern.search(name.replace("font", "")) and role not in chosen:
                chosen[role] = FontChoice(family, generic, 700 if role == "heading" else 400,
                                          f"css variable {name}")
                break
    families = list(google_fonts or []) + [f for f in css.font_faces if f]
    if "body" not in chosen and families:
        chosen["body"] = FontChoice(families[-1] if len(families) > 1 else families[0],
                                    source="web font")
    if "heading" not in chosen and families:
        chosen["heading"] = FontChoice(families[0], weight=700, source="web font")
    if "heading" not in chosen and "body" in chosen:
        body = chosen["body"]
        chosen["heading"] = FontChoice(body.family, body.generic, 700, "same as body")
    return chosen


def inline_css(tree: HTMLParser) -> tuple[str, list[RGB]]:
    """CSS from ``<style>`` blocks, and colours from ``style=""`` attributes."""
    blocks = [n.text(deep=True) or "" for n in tree.css("style")]
    colors: list[RGB] = []
    for node in tree.css("[style]"):
        style = node.attributes.get("style") or ""
        for decl in tinycss2.parse_declaration_list(style, skip_comments=True,
                                                    skip_whitespace=True):
            if decl.type == "declaration" and decl.lower_name in _COLOR_PROPS:
                colors.extend(colors_in_value(tinycss2.serialize(decl.value)))
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
    headings = [_clean(n.text(deep=True)) for n in clone.css("h1, h2, h3, h4")]
    paragraphs = [_clean(n.text(deep=True)) for n in clone.css("p")]
    items = [_clean(n.text(deep=True)) for n in clone.css("li")]
    body = clone.body
    return {
        "headings": [h for h in headings if h],
        "paragraphs": [p for p in paragraphs if p],
        "items": [i for i in items if i],
        "text": _clean(body.text(separator=" ")) if body else "",
    }


def extract_value_props(tree: HTMLParser, *, limit: int = 6) -> list[str]:
    """Short benefit statements: headings and list items in feature/benefit sections first."""
    found: list[str] = []

    def add(text: str) -> None:
        text = _clean(text).strip(" .•-–")
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
        copy = page_copy(tree)
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
@dataclass
class ProductData:
    name: str
    description: str = ""
    price: Decimal | None = None
    currency: str = ""
    url: str = ""
    image_urls: list[str] = field(default_factory=list)
    external_id: str = ""
    source: str = ""

    def key(self) -> str:
        return self.external_id or self.url or self.name.lower()


def to_decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    text = re.sub(r"[^\d.,\-]", "", text)
    if "," in text and "." in text:
        text = text.replace(",", "") if text.rfind(".") > text.rfind(",") else \
            text.replace(".", "").replace(",", ".")
    elif "," in text:
        text = text.replace(",", ".") if len(text.split(",")[-1]) == 2 else text.replace(",", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    return amount.quantize(Decimal("0.01")) if amount >= 0 else None


def _strip_html(value: str) -> str:
    return _clean(HTMLParser(value or "").text(separator=" ")) if value else ""


def products_from_json_ld(items: list[dict], base_url: str) -> tuple[list[ProductData], list[str]]:
    """Products described in JSON-LD, and product page URLs listed in an ItemList."""
    products: list[ProductData] = []
    urls: list[str] = []

    def from_product(item: dict) -> None:
        name = _clean(str(item.get("name") or ""))
        if not name:
            return
        offers = item.get("offers") or {}
        if isinstance(offers, list):
            offers = offers[0] if offers else {}
        if isinstance(offers, dict) and offers.get("@type", "").lower() == "aggregateoffer" \
                and "price" not in offers:
            offers = {**offers, "price": offers.get("lowPrice")}
        price = to_decimal(offers.get("price")) if isinstance(offers, dict) else None
        currency = str(offers.get("priceCurrency", "")).upper() if isinstance(offers, dict) else ""
        url = urljoin(base_url, item.get("url") or (offers.get("url") if isinstance(offers, dict)
                                                   else "") or "") if (item.get("url")) else ""
        products.append(ProductData(
            name=name, description=_strip_html(str(item.get("description") or "")),
            price=price, currency=currency[:3], url=url,
            image_urls=[urljoin(base_url, u) for u in _urls(item.get("image"))],
            external_id=str(item.get("sku") or item.get("productID") or url or ""),
            source="json-ld",
        ))

    for item in items:
        types = _types(item)
        if "product" in types or "productgroup" in types:
            from_product(item)
        elif "itemlist" in types:
            for element in item.get("itemListElement") or []:
                if not isinstance(element, dict):
                    continue
                inner = element.get("item", element)
                if isinstance(inner, dict) and "product" in _types(inner):
                    from_product(inner)
                else:
                    url = inner.get("url") if isinstance(inner, dict) else inner
                    url = url or element.get("url")
                    if isinstance(url, str) and url:
                        urls.append(urljoin(base_url, url))
    return products, urls


def product_from_open_graph(tree: HTMLParser, url: str) -> ProductData | None:
    if meta_content(tree, "og:type").lower() not in ("product", "og:product", "product.item"):
        return None
    name = meta_content(tree, "og:title")
    if not name:
        return None
    image = meta_content(tree, "og:image", "og:image:url")
    return ProductData(
        name=name, description=meta_content(tree, "og:description", "description"),
        price=to_decimal(meta_content(tree, "product:price:amount", "og:price:amount")),
        currency=meta_content(tree, "product:price:currency", "og:price:currency").upper()[:3],
        url=meta_content(tree, "og:url") or url,
        image_urls=[urljoin(url, image)] if image else [], external_id=url, source="open graph",
    )


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
        prices = [to_decimal(v.get("price")) for v in variants if v.get("price") is not None]
        prices = [p for p in prices if p is not None]
        handle = item.get("handle") or ""
        products.append(ProductData(
            name=_clean(item.get("title")), description=_strip_html(item.get("body_html") or ""),
            price=min(prices) if prices else None, currency=currency,
            url=urljoin(base_url, f"/products/{handle}") if handle else "",
            image_urls=[img.get("src") for img in item.get("images") or [] if img.get("src")],
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
        raw = prices.get("price")
        price = (Decimal(str(raw)) / (Decimal(10) ** minor)).quantize(Decimal("0.01")) \
            if raw not in (None, "") and str(raw).isdigit() else to_decimal(raw)
        products.append(ProductData(
            name=_clean(item.get("name")),
            description=_strip_html(item.get("short_description") or item.get("description")
                                    or ""),
            price=price, currency=str(prices.get("currency_code") or "").upper()[:3],
            url=item.get("permalink") or "",
            image_urls=[img.get("src") for img in item.get("images") or [] if img.get("src")],
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
        root = ElementTree.fromstring(xml.encode() if isinstance(xml, str) else xml)  # noqa: S314
    except ElementTree.ParseError:
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
    for node in tree.css("a[href]"):
        href = (node.attributes.get("href") or "").strip()
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        url = urljoin(base_url, href).split("#")[0]
        if not same_site(url, base_url) or _SKIP_PATH.search(urlsplit(url).path):
            continue
        if urlsplit(url).path in ("", "/"):
            continue
        label = f"{urlsplit(url).path} {_clean(node.text(deep=True))}"
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


def dedupe_products(products: list[ProductData]) -> list[ProductData]:
    seen: dict[str, ProductData] = {}
    by_name: dict[str, str] = {}
    for product in products:
        name_key = product.name.strip().lower()
        key = by_name.get(name_key) or product.key()
        if key in seen:
            existing = seen[key]
            existing.price = existing.price if existing.price is not None else product.price
            existing.currency = existing.currency or product.currency
            existing.description = existing.description or product.description
            for url in product.image_urls:
                if url not in existing.image_urls:
                    existing.image_urls.append(url)
            continue
        seen[key] = product
        by_name[name_key] = key
    return list(seen.values())[:MAX_PRODUCTS]


def group_by(items, key) -> dict:
    grouped = defaultdict(list)
    for item in items:
        grouped[key(item)].append(item)
    return grouped
