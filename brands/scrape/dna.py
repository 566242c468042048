"""Brand DNA candidates from one page: name, logo, theme colour, language, fonts, social.

``page_candidates`` collects every candidate for each field with where it was seen and how
strong that evidence is (see ``brands.scrape.evidence``). Structured data comes from extruct
(``brands.scrape.structured``); what no markup library covers — where an image sits in the
layout, which CSS rules use a font, which links are profiles rather than share buttons — is
read here from the selectolax tree, because it is about this product's question ("which of these
is the brand's own?"), not about parsing a format.
"""

from __future__ import annotations

import html as html_lib
import re
from collections import Counter
from functools import lru_cache
from urllib.parse import urljoin, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from brands.scrape import structured
from brands.scrape.colors import parse_css_color
from brands.scrape.evidence import Candidates
from brands.scrape.extract import (
    CssFacts,
    clean_text,
    google_font_families,
    meta_content,
    resolve_vars,
)
from studio.visual.colour import to_hex

# --- name ----------------------------------------------------------------------------------
_TITLE_SPLIT = re.compile(r"\s+[|–—\-:·•»]\s+|\s*[|–—·•»]\s*")
_GENERIC_TITLE = {"home", "homepage", "home page", "welcome", "shop", "official site", "store",
                  "online shop", "startseite", "accueil", "inicio", "strona główna",
                  "úvodní stránka", "página inicial", "início"}
_PRICE_TEXT = re.compile(r"[$€£¥₪₹]|\d+[.,]\d{2}\b|\b(zł|kč|usd|eur|pln|czk|brl)\b", re.I)
_COPYRIGHT = re.compile(
    r"(?:©|\(c\)|copyright)\s*(?:(?:19|20)\d{2}(?:\s*[-–]\s*(?:19|20)\d{2})?)?\s*,?\s*"
    r"([^\n.|,©]{2,40}?)\s*(?:\.|,|\||-|–|all rights|alle rechte|tous droits|todos|wszelkie|"
    r"všechna|tutti|$)", re.I)


def host_stem(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    if re.fullmatch(r"[\d.:]+", host) or host in ("localhost", ""):
        return ""
    labels = [label for label in host.split(".") if label not in ("www", "shop", "store")]
    return labels[0] if labels else ""


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def name_candidates(c: Candidates, tree: HTMLParser, data: structured.StructuredData,
                    url: str) -> None:
    for meta, weight in (("og:site_name", 10), ("application-name", 8),
                         ("apple-mobile-web-app-title", 6)):
        value = meta_content(tree, meta)
        if value and len(value) <= 80:
            if re.fullmatch(r"(www\.)?[\w-]+(\.[a-z]{2,})+", value.lower()):
                # "shop.example.cz": the platform filled in the domain, not a brand name
                c.add("name", value, source=f"{meta} (a domain)", evidence="frequency",
                      weight=0.5)
            else:
                c.add("name", value, source=meta, evidence="declared", weight=weight)
    for name, source in structured.organisation_names(data):
        c.add("name", name, source=source, evidence="structured",
              weight=3 if "website" in source else 5)
    stem = host_stem(url)
    title_node = tree.css_first("title")
    title = clean_text(title_node.text() if title_node else "")
    parts = [p.strip() for p in _TITLE_SPLIT.split(title) if p.strip()]
    parts = [p for p in parts if p.lower() not in _GENERIC_TITLE and not _PRICE_TEXT.search(p)]
    # Home pages put the brand first ("Acme | Walk further"); inner pages last ("Mug – Acme").
    home = _is_home(url, url)
    for index, part in enumerate(parts):
        if stem and len(stem) >= 3 and stem in _squash(part) and len(part) <= 60:
            c.add("name", part, source="title (matches the domain)", evidence="layout",
                  weight=4)
        elif len(parts) == 1 and len(part) <= 60:
            c.add("name", part, source="title", evidence="frequency", weight=3)
        elif index == len(parts) - 1 and len(part) <= 60:
            c.add("name", part, source="title (last part)", evidence="frequency",
                  weight=1 if home else 2)
        elif index == 0 and len(part) <= 60:
            c.add("name", part, source="title (first part)", evidence="frequency",
                  weight=2 if home else 1)
    for node in tree.css("footer"):
        match = _COPYRIGHT.search(clean_text(node.text(separator=" ")))
        if match and not re.search(r"\d", match.group(1)):
            c.add("name", match.group(1).strip(" -–"), source="footer copyright",
                  evidence="layout", weight=2)
            break


# --- language ------------------------------------------------------------------------------
_LANG_FIXES = {"iw": "he", "in": "id", "jp": "ja", "cz": "cs", "gr": "el", "dk": "da",
               "ji": "yi", "ua": "uk", "kr": "ko", "cn": "zh"}
_RTL_LANGUAGES = ["ar", "he", "fa", "ur", "ps", "ug"]
_IDENTIFIABLE = [
    "af", "ar", "az", "be", "bg", "bn", "bs", "ca", "cs", "cy", "da", "de", "el", "en", "es",
    "et", "eu", "fa", "fi", "fr", "ga", "gl", "gu", "he", "hi", "hr", "hu", "hy", "id", "is",
    "it", "ja", "ka", "kk", "km", "kn", "ko", "lt", "lv", "mk", "ml", "mn", "mr", "ms", "my",
    "ne", "nl", "no", "pa", "pl", "ps", "pt", "ro", "ru", "si", "sk", "sl", "sq", "sr", "sv",
    "sw", "ta", "te", "th", "tl", "tr", "uk", "ur", "uz", "vi", "zh",
]


def normalise_language(code: str) -> str:
    primary = re.split(r"[-_]", (code or "").strip().lower())[0]
    primary = _LANG_FIXES.get(primary, primary)
    return primary if re.fullmatch(r"[a-z]{2}", primary) else ""


@lru_cache(maxsize=1)
def _identifier():
    """py3langid's model, loaded once per process (about a second: it is decompressed)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(_IDENTIFIABLE)
    return identifier


def identify_language(text: str, *, rtl: bool = False) -> tuple[str, float]:
    """(ISO 639-1 code, probability) of visible text, by py3langid; ``rtl`` keeps to the
    right-to-left languages (the page said ``dir="rtl"``)."""
    sample = clean_text(text)[:4000]
    if len(re.findall(r"\w", sample)) < 12:
        return "", 0.0
    ranked = _identifier().rank(sample)
    if rtl:
        ranked = [(code, p) for code, p in ranked if code in _RTL_LANGUAGES] or ranked
    code, probability = ranked[0]
    return code, float(probability)


def language_candidates(c: Candidates, tree: HTMLParser, data: structured.StructuredData,
                        text: str) -> None:
    html_node = tree.css_first("html")
    attrs = html_node.attributes if html_node else {}
    for attr in ("lang", "xml:lang"):
        code = normalise_language(attrs.get(attr) or "")
        if code:
            c.add("language", code, source=f"html {attr}", evidence="declared", weight=10)
    for node in tree.css('meta[http-equiv]'):
        if (node.attributes.get("http-equiv") or "").lower() == "content-language":
            code = normalise_language(node.attributes.get("content") or "")
            c.add("language", code, source="content-language", evidence="declared", weight=6)
    code = normalise_language(structured.og(data, "og:locale"))
    c.add("language", code, source="og:locale", evidence="declared", weight=5)
    if c.best("language"):
        return  # declared: no need to guess (and no model to load)
    body = tree.body
    rtl = "rtl" in ((attrs.get("dir") or "") + (body.attributes.get("dir") or "" if body else
                                                 "")).lower()
    code, probability = identify_language(text, rtl=rtl)
    c.add("language", code, source="text (py3langid)" + (", dir=rtl" if rtl else ""),
          evidence="frequency", weight=10 * probability)


# --- theme colour ----------------------------------------------------------------------------
def theme_candidates(c: Candidates, tree: HTMLParser) -> None:
    """Every declared theme colour, greys and whites included: the site chose them."""
    for node in tree.css("meta[name]"):
        name = (node.attributes.get("name") or "").lower()
        if name not in ("theme-color", "msapplication-tilecolor", "msapplication-navbutton-color"):
            continue
        rgb = parse_css_color(node.attributes.get("content") or "")
        if rgb is None:
            continue
        media = (node.attributes.get("media") or "").lower()
        if name != "theme-color":
            weight, source = 4.0, name
        elif "dark" in media:
            weight, source = 5.0, "theme-color (dark scheme)"
        else:
            weight, source = 10.0, "theme-color" + (" (light scheme)" if media else "")
        c.add("theme", to_hex(rgb), source=source, evidence="declared", weight=weight)


# --- logo ----------------------------------------------------------------------------------
_LOGO_WORD = re.compile(r"logo|brand|site-title|wordmark|emblem", re.I)
_HEADER_WORD = re.compile(r"(^|[\s_-])(header|masthead|navbar|site-branding|topbar|top-bar|"
                          r"site-nav|nav-bar|brand)", re.I)
_FOOTER_WORD = re.compile(r"footer|bottom", re.I)
_NOT_OWN_LOGO = re.compile(r"product|card|badge|trust|payment|partner|press|featured|"
                           r"as-seen|promo|banner|slider|carousel|testimonial|review|vendor|"
                           r"client|sponsor|certif|seal|award|marquee|brands-list", re.I)


def _attr_text(node) -> str:
    attrs = node.attributes
    return " ".join(str(attrs.get(k) or "") for k in ("class", "id", "role", "itemprop",
                                                         "aria-label", "data-section-type"))


def _srcset_best(srcset: str) -> str:
    best, best_width = "", -1.0
    for part in (srcset or "").split(","):
        bits = part.strip().split()
        if not bits:
            continue
        size = bits[1] if len(bits) > 1 else "1x"
        number = re.match(r"[\d.]+", size)
        width = float(number.group()) if number else 1.0
        if size.endswith("x"):
            width *= 1000
        if width > best_width:
            best, best_width = bits[0], width
    return best


def image_source(node) -> str:
    attrs = node.attributes
    for key in ("src", "data-src", "data-lazy-src", "data-original"):
        value = (attrs.get(key) or "").strip()
        if value and not value.startswith("data:image/gif") and "blank" not in value \
                and "placeholder" not in value.lower():
            return value
    srcset = attrs.get("srcset") or attrs.get("data-srcset") or ""
    if not srcset and node.parent is not None and node.parent.tag == "picture":
        source = node.parent.css_first("source[srcset]")
        srcset = source.attributes.get("srcset") if source else ""
    return _srcset_best(srcset or "")


def _is_home(href: str, base_url: str) -> bool:
    if not href:
        return False
    target, base = urlsplit(urljoin(base_url, href)), urlsplit(base_url)
    if (target.hostname or "").removeprefix("www.") != (base.hostname or "").removeprefix("www."):
        return False
    return bool(re.fullmatch(r"/?([a-z]{2}([-_][a-z]{2})?/?)?(index\.\w+)?", target.path,
                             re.I)) and not target.query


def _layout_score(node, *, base_url: str, name: str) -> tuple[float, list[str]]:
    score, why = 0.0, []
    own = _attr_text(node) + " " + " ".join(str(node.attributes.get(k) or "")
                                            for k in ("alt", "title", "src", "data-src"))
    if _LOGO_WORD.search(own):
        score, why = score + 2, [*why, "named logo"]
    alt = clean_text(node.attributes.get("alt") or node.attributes.get("aria-label") or "")
    if name and alt and (_squash(alt) == _squash(name) or (_squash(name) in _squash(alt)
                         and len(alt) < len(name) + 12)):
        score, why = score + 3, [*why, "alt is the site name"]
    in_header = in_footer = home = not_own = named_parent = False
    depth, parent = 0, node.parent
    while parent is not None and parent.tag not in ("body", "html"):
        depth += 1
        attrs = _attr_text(parent)
        if parent.tag in ("header", "nav") or (parent.attributes.get("role") == "banner") \
                or _HEADER_WORD.search(attrs):
            in_header = True
        if parent.tag == "footer" or _FOOTER_WORD.search(attrs):
            in_footer = True
        if parent.tag == "a" and _is_home(parent.attributes.get("href") or "", base_url):
            home = True
        if depth <= 3 and _LOGO_WORD.search(attrs):
            named_parent = True
        if _NOT_OWN_LOGO.search(attrs) or "product" in (parent.attributes.get("itemtype")
                                                          or "").lower():
            not_own = True
        parent = parent.parent
    if named_parent:
        score, why = score + 1.5, [*why, "inside a logo element"]
    if in_header:
        score, why = score + 3, [*why, "in the header"]
    if home:
        score, why = score + 3, [*why, "links to the home page"]
    if in_footer:
        score, why = score - 3, [*why, "in the footer"]
    if not_own:
        score, why = score - 5, [*why, "inside a product/promo/badge block"]
    return score, why


def logo_candidates(c: Candidates, tree: HTMLParser, data: structured.StructuredData,
                    base_url: str, *, name: str = "") -> None:
    og_logo = structured.og(data, "og:logo")
    if og_logo:
        c.add("logo", structured.clean_url(og_logo, base_url), source="og:logo",
              evidence="declared", weight=10)
    for url, source in structured.organisation_logos(data, base_url):
        c.add("logo", url, source=source, evidence="structured", weight=6)
    for node in tree.css('[itemprop="logo"]'):
        url = node.attributes.get("content") or node.attributes.get("href") or \
            image_source(node)
        if url:
            c.add("logo", structured.clean_url(url, base_url), source="microdata logo",
                  evidence="structured", weight=5)
    for position, node in enumerate(tree.css("img")[:400]):
        url = image_source(node)
        if not url:
            continue
        width = node.attributes.get("width") or ""
        if width.isdigit() and int(width) <= 2:
            continue  # tracking pixel
        score, why = _layout_score(node, base_url=base_url, name=name)
        if position < 3 and "in the footer" not in why:
            score, why = score + 1, [*why, "near the top of the page"]
        if score >= 3:
            c.add("logo", structured.clean_url(url, base_url), source="img: " + ", ".join(why),
                  evidence="layout", weight=score)
    for node in tree.css("svg")[:200]:
        score, why = _layout_score(node, base_url=base_url, name=name)
        label = node.css_first("title")
        if label and name and _squash(name) in _squash(label.text()):
            score += 2
        if score >= 4.5 and len(node.html or "") < 200_000:
            svg = node.html or ""
            if "xmlns=" not in svg[:300]:
                svg = svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
            # An inline SVG is a fine logo, but one with an address can be fetched, cached and
            # shown as-is: at equal evidence the addressed one wins.
            c.add("logo", "data:image/svg+xml;utf8," + svg,
                  source="inline svg: " + ", ".join(why), evidence="layout", weight=score - 1)
    for node in tree.css("link[rel][href]"):
        rel = (node.attributes.get("rel") or "").lower()
        href = structured.clean_url(node.attributes.get("href") or "", base_url)
        if "apple-touch-icon" in rel:
            c.add("logo", href, source="apple-touch-icon", evidence="frequency", weight=2)
        elif "icon" in rel.split() or "mask-icon" in rel:
            big = href.lower().endswith(".svg") or bool(
                re.search(r"(1[2-9]\d|[2-9]\d\d)x", node.attributes.get("sizes") or ""))
            c.add("logo", href, source="link icon", evidence="frequency",
                  weight=1.5 if big else 1)


# --- social profiles ------------------------------------------------------------------------
_NETWORKS = [
    ("instagram", re.compile(r"(^|\.)instagram\.com$")),
    ("facebook", re.compile(r"(^|\.)(facebook|fb)\.com$")),
    ("tiktok", re.compile(r"(^|\.)tiktok\.com$")),
    ("x", re.compile(r"(^|\.)(twitter|x)\.com$")),
    ("linkedin", re.compile(r"(^|\.)linkedin\.com$")),
    ("youtube", re.compile(r"(^|\.)youtube\.com$")),
    ("pinterest", re.compile(r"(^|\.)pinterest\.(com|[a-z]{2}|co\.[a-z]{2}|com\.[a-z]{2})$")),
    ("threads", re.compile(r"(^|\.)threads\.(net|com)$")),
    ("snapchat", re.compile(r"(^|\.)snapchat\.com$")),
]
_SHARE_PATH = re.compile(
    r"^/(sharer|share|intent|dialog|plugins|pin/create|sharearticle|shareArticle|home$|"
    r"hashtag|search|watch|embed|shorts|p/|reel/|status|photo|video|posts|events|groups/.*/"
    r"permalink|tr$|login|oauth|i/)", re.I)
_PROFILE_CONTEXT_BAD = re.compile(
    r"testimonial|review|quote|author|byline|comment|team|member|press|article|post-content|"
    r"entry-content|avis|auteur|bewertung|kundenstimme|opini|recenz|depoimento|resen|"
    r"testimonio|rese[ñn]a", re.I)
_SOCIAL_CONTEXT = re.compile(r"social|follow|footer|connect|community|(^|[\s_-])(pied|pie|"
                             r"rodape|stopka|paticka|fusszeile|redes)([\s_-]|$)", re.I)


def social_network(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return next((name for name, pattern in _NETWORKS if pattern.search(host)), "")


def profile_url(url: str) -> str:
    """A canonical profile address, or "" when the link is a share button, a post or a video."""
    url = url.strip()
    parts = urlsplit(url)
    network = social_network(url)
    if not network or parts.scheme not in ("http", "https"):
        return ""
    path = parts.path
    if parts.fragment.startswith("!/"):  # twitter.com/#!/brand
        path = "/" + parts.fragment[2:]
    if network == "youtube" and not re.match(r"^/(@|c/|channel/|user/)", path):
        return ""
    if network != "youtube" and _SHARE_PATH.search(path):
        return ""
    if network == "pinterest" and re.match(r"^/pin/", path):
        return ""
    segments = [s for s in path.split("/") if s]
    if not segments or (network == "facebook" and segments[0] in ("profile.php",)
                        and "id=" not in parts.query):
        return ""
    if network == "linkedin" and segments[0] not in ("company", "in", "school", "showcase"):
        return ""
    if network in ("instagram", "tiktok", "x", "threads", "pinterest", "snapchat"):
        segments = segments[:2] if network == "snapchat" else segments[:1]
    elif network in ("youtube", "linkedin"):
        segments = segments[:2] if segments[0] in ("c", "channel", "user", "company", "in",
                                                   "school", "showcase") else segments[:1]
    elif network == "facebook":
        segments = segments[:1] if segments[0] != "pages" else segments[:3]
    canonical_host = {"instagram": "www.instagram.com", "facebook": "www.facebook.com",
                      "tiktok": "www.tiktok.com", "x": "x.com", "linkedin": "www.linkedin.com",
                      "youtube": "www.youtube.com", "pinterest": "www.pinterest.com",
                      "threads": "www.threads.net", "snapchat": "www.snapchat.com"}[network]
    if network == "x" and (parts.hostname or "").lower().endswith("twitter.com"):
        canonical_host = "twitter.com"  # both names are in use; keep the one the site links
    query = parts.query if network == "facebook" and segments[0] == "profile.php" else ""
    return urlunsplit(("https", canonical_host, "/" + "/".join(segments), query, ""))


def social_candidates(c: Candidates, tree: HTMLParser, data: structured.StructuredData,
                      base_url: str, *, name: str = "") -> None:
    brands = [b for b in (_squash(name), _squash(host_stem(base_url))) if len(b) >= 3]
    for url in structured.same_as(data):
        profile = profile_url(url)
        if profile:
            c.add(f"social:{social_network(profile)}", profile, source="schema.org sameAs",
                  evidence="structured", weight=5)
    for node in tree.css("a[href]"):
        href = (node.attributes.get("href") or "").strip()
        if not href.startswith(("http", "//")):
            continue
        profile = profile_url(structured.clean_url(href, base_url))
        if not profile:
            continue
        good_place = bad_place = False
        parent = node.parent
        while parent is not None and parent.tag not in ("body", "html"):
            attrs = _attr_text(parent)
            if parent.tag in ("footer", "header", "nav") or _SOCIAL_CONTEXT.search(attrs):
                good_place = True
            if parent.tag == "blockquote" or _PROFILE_CONTEXT_BAD.search(attrs):
                bad_place = True
            parent = parent.parent
        if bad_place:
            continue  # a testimonial's, an author's or a post's link: someone else's profile
        handle = _squash(urlsplit(profile).path.rsplit("/", 1)[-1])
        weight = 1.0 + (0.5 if any(b in handle or (handle and handle in b)
                                   for b in brands) else 0)
        evidence = "frequency"
        if good_place:
            evidence, weight = "layout", weight + 2
        c.add(f"social:{social_network(profile)}", profile, source="link", evidence=evidence,
              weight=weight)


def social_links(c: Candidates) -> dict[str, str]:
    links = {}
    for field in c.fields():
        if field.startswith("social:"):
            best = c.best(field)
            if best:
                links[field.split(":", 1)[1]] = best.value
    return links


# --- fonts ---------------------------------------------------------------------------------
_GENERIC = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "ui-sans-serif",
            "ui-serif", "ui-monospace", "ui-rounded", "emoji", "math", "fangsong", "inherit",
            "initial", "unset", "revert", "revert-layer", "-apple-system", "blinkmacsystemfont"}
_ICON_FONT = re.compile(r"awesome|icon|glyph|dashicons|slick|swiper|star|woocommerce|"
                        r"material symbols|etmodules|fontello|ionicons|simple-line|themify|"
                        r"elegant|linearicons|feather|remixicon|bootstrap-icons", re.I)
_SYSTEM = {"arial", "helvetica", "helvetica neue", "segoe ui", "tahoma", "verdana",
           "times new roman", "times", "roboto", "noto sans", "liberation sans", "ubuntu",
           "cantarell", "oxygen", "oxygen-sans", "apple color emoji", "segoe ui emoji",
           "segoe ui symbol", "noto color emoji", "sf pro text", "sf pro display",
           "courier new", "courier", "lucida grande", "menlo", "monaco", "consolas",
           "meiryo", "hiragino sans", "hiragino kaku gothic pro", "yu gothic", "ms pgothic",
           "microsoft yahei", "pingfang sc", "simsun", "heiti sc"}
# Wix names its text styles font_0 (title) … font_6 (heading 6) and font_7 … font_10 (paragraphs).
_HEADING_SELECTOR = re.compile(r"(^|[\s,>+~(])h[1-4]\b|title|headline|heading|display|hero|"
                               r"\.font_[02-6]\b", re.I)
_BODY_SELECTOR = re.compile(r"(^|[\s,>+~(])(body|html|:root|p|main|article)(?![\w-])|"
                            r"(^|[\s,])\.?(text|copy|rte|content|prose)\b|\.font_([789]|10)\b",
                            re.I)
# Third-party widgets style themselves: their fonts are not the brand's.
WIDGET_SELECTOR = re.compile(r"cookie|consent|gdpr|onetrust|cc-window|cc-banner|cky-|klaro|"
                             r"usercentrics|shopify-pc__|cli-bar|cli-plugin|iubenda|didomi|"
                             r"termly|hubspot|intercom|zendesk|tidio|recaptcha|pswp|fancybox|"
                             r"mfp-|tawk|crisp-client|trustpilot|klaviyo", re.I)
_NEXT_FONT = re.compile(r"^__(.+?)_(Fallback_)?[0-9a-f]{5,8}$")
_SHORTHAND = re.compile(r"(?:^|\s)[\d.]+(?:px|em|rem|%|pt|vw|vh)(?:\s*/\s*[\w.%-]+)?\s+(.+)$")


def font_stack(value: str, props: dict[str, str]) -> list[str]:
    """The families of a ``font-family`` value, generic keywords and ``inherit`` dropped,
    next/font's hashed names (``__Inter_d65c78``) mapped back to the family."""
    value = resolve_vars(value, props)
    families = []
    for raw in value.split(","):
        family = raw.strip().strip("'\"").strip()
        if not family or family.lower() in _GENERIC or family.lower().startswith("var("):
            continue
        match = _NEXT_FONT.match(family)
        if match:
            if match.group(2):
                continue
            family = match.group(1).replace("_", " ")
        families.append(family)
    return families


def _shorthand_family(value: str) -> str:
    match = _SHORTHAND.search(value.strip())
    return match.group(1) if match else ""


_FOUNDRY_SUFFIX = re.compile(r"-(lt|w0\d|std|pro-w\d\d)[-_].*$|-w0\d[-_].*$", re.I)


def _title_case(family: str) -> str:
    """How a person writes a family: Adobe Fonts slugs ("freight-big-pro") and Monotype web
    ids ("avenir-lt-w01_35-light1475496") become "Freight Big Pro" and "Avenir"."""
    if any(ch.isupper() for ch in family):
        return family
    family = _FOUNDRY_SUFFIX.sub("", family)
    if "-" in family and " " not in family:
        family = family.replace("-", " ")
    return family.title()


def font_candidates(c: Candidates, css: CssFacts, tree: HTMLParser) -> dict[str, str]:
    """Heading and body families as the site wrote them.

    declared: a web font the site loads (Google Fonts link, ``@font-face``) used in heading or
    body rules, or a custom property named for the role (``--font-heading``); layout: a family
    in heading rules (h1–h4, .title, bold big type) or body rules (body, p); frequency: families
    counted over every rule and ``style=""`` attribute (CSS-in-JS class soup). Returns each
    family's generic fallback (``serif``...) as written in its stacks, for font matching.
    """
    props = css.custom_properties
    loaded = [f.lower() for f in google_font_families(tree, css)]
    loaded += [(_NEXT_FONT.match(f).group(1).replace("_", " ") if _NEXT_FONT.match(f) else f)
               .lower() for f in css.font_faces]
    loaded = list(dict.fromkeys(loaded))  # in the order the page loads them
    webfonts = set(loaded)
    usage: dict[str, Counter] = {"heading": Counter(), "body": Counter(), "any": Counter()}
    # Utility-class sites put the body font on <html>/<body> as a class (".font-sans").
    root_classes = set()
    for node in (tree.css_first("html"), tree.body):
        if node is not None:
            root_classes |= set((node.attributes.get("class") or "").split())
    root_class_rule = re.compile(r"^\.(" + "|".join(re.escape(c) for c in root_classes)
                                 + r")$") if root_classes else None
    spelled: dict[str, str] = {}
    generics: dict[str, str] = {}

    def note_generic(value: str) -> None:
        stack = [f.strip().strip("'\"").lower() for f in resolve_vars(value, props).split(",")]
        generic = next((f for f in reversed(stack) if f in _GENERIC and f not in (
            "inherit", "initial", "unset", "revert", "revert-layer")), "")
        real = font_stack(value, props)
        if generic and real:
            generics.setdefault(_title_case(real[0]), generic)

    def first_real(stack: list[str]) -> str:
        for family in stack:
            if _ICON_FONT.search(family):
                return ""
            spelled.setdefault(family.lower(), family)
            return family.lower()
        return ""

    for name, value in props.items():
        if not re.search(r"font|family|typeface|ff", name, re.I) or re.search(
                r"size|weight|style|height|spacing|scale|feature|variation", name, re.I):
            continue
        family = first_real(font_stack(_shorthand_family(value) or value, props))
        if not family:
            continue
        label = name.lstrip("-").lower()
        if re.search(r"head|display|title", label):
            c.add("heading_font", _title_case(spelled[family]), source=f"css variable {name}",
                  evidence="declared", weight=6)
        elif re.search(r"body|text|base|copy|paragraph|main|primary|default|sans", label):
            c.add("body_font", _title_case(spelled[family]), source=f"css variable {name}",
                  evidence="declared", weight=6)
    for rule in css.rules:
        if WIDGET_SELECTOR.search(rule.selector):
            continue
        decl = rule.declarations
        value = decl.get("font-family") or _shorthand_family(
            resolve_vars(decl.get("font", ""), props))
        if not value:
            continue
        family = first_real(font_stack(value, props))
        if not family:
            continue
        note_generic(value)
        selector = rule.selector
        weight_raw = decl.get("font-weight", "")
        bold_big = ((weight_raw.isdigit() and int(weight_raw) >= 600) or weight_raw == "bold") \
            and bool(re.search(r"([3-9]\d|\d{3})px|([2-9](\.\d+)?|\d{2})rem", decl.get(
                "font-size", "") + decl.get("font", "")))
        if _HEADING_SELECTOR.search(selector) or bold_big:
            usage["heading"][family] += 1
        if _BODY_SELECTOR.search(selector) or (
                root_class_rule and any(root_class_rule.match(part.strip())
                                        for part in selector.split(","))):
            usage["body"][family] += 1
        usage["any"][family] += 1
    for node in tree.css("[style]")[:2000]:
        style = node.attributes.get("style") or ""
        match = re.search(r"font-family\s*:\s*([^;]+)", style, re.I)
        if match:
            family = first_real(font_stack(html_lib.unescape(match.group(1)), props))
            if family:
                usage["any"][family] += 1
                if node.tag in ("h1", "h2", "h3"):
                    usage["heading"][family] += 1
    for role in ("heading", "body"):
        field = f"{role}_font"
        other = "body" if role == "heading" else "heading"
        # A system family in a base rule while a web font the site loads is used elsewhere and
        # not for the other role is a framework default (normalize.css, MUI's Roboto).
        spare_webfont = any(f in webfonts and f not in usage[other] for f in usage["any"])
        for family, count in usage[role].items():
            own = family in webfonts
            system = family in _SYSTEM and not own
            evidence = "declared" if own else "frequency" if system and spare_webfont \
                else "layout"
            weight = count * (0.3 if system else 1.0) + 0.1 * usage["any"][family]
            c.add(field, _title_case(spelled[family]),
                  source=f"{'web font in ' if own else ''}{role} rules ({count})",
                  evidence=evidence, weight=weight)
        for family, count in usage["any"].items():
            if family in usage[role]:
                continue
            own = family in webfonts
            system = family in _SYSTEM and not own
            c.add(field, _title_case(spelled[family]), source=f"used in {count} rules",
                  evidence="frequency", weight=count * (0.3 if system else 1.0)
                  + (5 if own else 0))
        # Loaded but never used in the CSS we saw: sites list the display face first and
        # the text face last (family=Playfair+Display&family=Lato).
        unused = [f for f in loaded if f not in usage["any"] and not _ICON_FONT.search(f)]
        for rank, family in enumerate(unused if role == "heading" else unused[::-1]):
            c.add(field, _title_case(spelled.get(family, family)), source="web font",
                  evidence="frequency", weight=0.5 / (rank + 1))
    return generics


# --- all of the above ---------------------------------------------------------------------
def page_candidates(*, tree: HTMLParser, html: str, url: str, css: CssFacts, text: str,
                    data: structured.StructuredData | None = None
                    ) -> tuple[Candidates, dict[str, str]]:
    """Candidates for every Brand DNA field one page can tell (products come separately), and
    the generic fallback of each font family seen."""
    data = data or structured.read_structured(html, url)
    c = Candidates()
    name_candidates(c, tree, data, url)
    name = c.value("name", "")
    language_candidates(c, tree, data, text)
    theme_candidates(c, tree)
    logo_candidates(c, tree, data, url, name=name)
    social_candidates(c, tree, data, url, name=name)
    generics = font_candidates(c, css, tree)
    return c, generics


def locale_of(c: Candidates, tree: HTMLParser) -> str:
    """A locale such as ``en-ca`` for currency symbols ("$" in Canada is CAD)."""
    html_node = tree.css_first("html")
    lang = (html_node.attributes.get("lang") or "") if html_node else ""
    if "-" in lang or "_" in lang:
        return lang.replace("_", "-").lower()
    return meta_content(tree, "og:locale").replace("_", "-").lower() or c.value("language", "")
