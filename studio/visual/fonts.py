"""Match a brand's font (a website's CSS family, a Brand JSON name) to a bundled family.

The bundled families (open-licence TTFs under ``static/fonts/``) are listed in
``static/fonts/catalogue.json``. The scrape stores the match as Brand DNA; the engine matches
again at render time (a Brand JSON may name any family). Both call ``match_font``:

1. the same family is bundled (case/spacing-insensitive, or its slug) → that family;
2. a well-known look-alike is bundled (Helvetica → Inter, Futura → Montserrat, Times → Playfair
   Display, ...);
3. otherwise the default bundled family of the detected classification, guessed from the name
   and the CSS generic fallback: serif → Playfair Display, display/condensed → Anton, mono →
   JetBrains Mono, script → Dancing Script, anything else → Inter; among a classification's
   families the one with the wanted weight wins.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

FONTS_DIR = Path(__file__).resolve().parents[2] / "static" / "fonts"
DEFAULT_FAMILY = "Inter"

GENERIC_CLASS = {
    "serif": "serif", "sans-serif": "sans", "monospace": "mono", "cursive": "script",
    "fantasy": "display", "system-ui": "sans", "ui-sans-serif": "sans", "ui-serif": "serif",
    "ui-monospace": "mono", "-apple-system": "sans", "blinkmacsystemfont": "sans",
    "ui-rounded": "sans", "emoji": None, "math": None,
}

# Popular web fonts that are not bundled → the bundled family that looks closest.
LOOKALIKES = {
    "helvetica": "Inter", "helvetica neue": "Inter", "arial": "Inter", "roboto": "Inter",
    "open sans": "Inter", "lato": "Inter", "source sans pro": "Inter", "source sans 3": "Inter",
    "noto sans": "Inter", "segoe ui": "Inter", "sf pro display": "Inter", "sf pro text": "Inter",
    "ibm plex sans": "Inter", "work sans": "DM Sans", "nunito": "Poppins", "nunito sans": "DM Sans",
    "manrope": "DM Sans", "plus jakarta sans": "DM Sans", "outfit": "Poppins",
    "raleway": "Montserrat",
    "futura": "Montserrat", "gotham": "Montserrat", "proxima nova": "Montserrat",
    "avenir": "Montserrat", "avenir next": "Montserrat", "circular": "DM Sans",
    "space mono": "JetBrains Mono", "roboto mono": "JetBrains Mono", "fira code": "JetBrains Mono",
    "courier": "JetBrains Mono", "courier new": "JetBrains Mono", "menlo": "JetBrains Mono",
    "consolas": "JetBrains Mono", "ibm plex mono": "JetBrains Mono",
    "georgia": "Lora", "merriweather": "Lora", "pt serif": "Lora", "times": "Playfair Display",
    "times new roman": "Playfair Display", "libre baskerville": "Lora",
    "source serif pro": "Lora",
    "dm serif display": "Playfair Display", "didot": "Playfair Display",
    "bodoni": "Playfair Display", "bodoni moda": "Playfair Display",
    "garamond": "Cormorant Garamond", "eb garamond": "Cormorant Garamond",
    "cormorant": "Cormorant Garamond", "oswald": "Anton", "impact": "Anton",
    "league gothic": "Bebas Neue", "alfa slab one": "Archivo Black",
    "pacifico": "Dancing Script", "great vibes": "Dancing Script", "lobster": "Dancing Script",
    "satisfy": "Dancing Script",
}

DEFAULT_FOR_CLASS = {
    "sans": "Inter", "serif": "Playfair Display", "display": "Anton",
    "mono": "JetBrains Mono", "script": "Dancing Script",
}

_NAME_HINTS = [
    (re.compile(r"mono|code|courier", re.I), "mono"),
    (re.compile(r"script|hand|brush|signature|callig|pacifico", re.I), "script"),
    (re.compile(r"sans|grotesk|grotesque|gothic", re.I), "sans"),
    (re.compile(r"serif|garamond|baskerville|caslon|didot|bodoni|times|slab|antiqua|georgia"
                r"|playfair|merriweather|canela", re.I), "serif"),
    (re.compile(r"display|poster|headline|black|condensed|bebas|anton|impact|druk", re.I),
     "display"),
]


@dataclass(frozen=True)
class BundledFont:
    family: str
    slug: str
    classification: str
    weights: dict[str, str]  # "400" → "inter/Inter-400Regular.ttf" (relative to FONTS_DIR)
    scripts: tuple[str, ...] = ()
    licence: str = ""


@cache
def font_catalogue() -> tuple[dict, ...]:
    """``static/fonts/catalogue.json`` as it is: every bundled family, symbol fonts included."""
    with open(FONTS_DIR / "catalogue.json", encoding="utf-8") as fh:
        return tuple(json.load(fh))


@cache
def bundled_fonts() -> tuple[BundledFont, ...]:
    """The bundled families usable for brand text (symbol fonts such as emoji left out)."""
    return tuple(
        BundledFont(entry["family"], entry["slug"], entry["classification"],
                    dict(entry.get("weights", {})), tuple(entry.get("scripts", ())),
                    entry.get("licence", ""))
        for entry in font_catalogue() if entry.get("classification") in DEFAULT_FOR_CLASS
    )


def _key(name: str) -> str:
    return re.sub(r"[\s_\-]+", " ", name.strip().strip("'\"")).lower()


def bundled_font(family: str) -> BundledFont | None:
    """The bundled family called ``family`` (or whose slug it is), else None."""
    key = _key(family)
    return next((f for f in bundled_fonts() if key in (_key(f.family), _key(f.slug))), None)


def bundled_family_choices() -> list[tuple[str, str]]:
    return [(f.family, f"{f.family} ({f.classification})") for f in bundled_fonts()]


def _bundled_or_lookalike(family: str) -> BundledFont | None:
    """Steps 1 and 2 of the matching order: the family itself, else its known look-alike."""
    return bundled_font(family) or bundled_font(LOOKALIKES.get(_key(family), ""))


def classify(family: str, *, generic: str | None = None) -> str:
    """Best guess at a family's classification from its name and its CSS generic fallback."""
    known = _bundled_or_lookalike(family)
    if known:
        return known.classification
    for pattern, classification in _NAME_HINTS:
        if classification != "display" and pattern.search(family):
            return classification
    generic_class = GENERIC_CLASS.get(_key(generic)) if generic else None
    if generic_class:
        return generic_class
    if _NAME_HINTS[-1][0].search(family):
        return "display"
    return "sans"


def _split_family_list(family: str, generic: str | None) -> tuple[str, str | None]:
    """``"'Playfair Display', Georgia, serif"`` → (``Playfair Display``, ``serif``)."""
    names = [name.strip().strip("'\"") for name in family.split(",") if name.strip()]
    if not names:
        return "", generic
    if generic is None:
        generic = next((name for name in reversed(names[1:]) if _key(name) in GENERIC_CLASS),
                       None)
    return names[0], generic


@lru_cache(maxsize=512)
def match_font(family: str | None, *, generic: str | None = None, weight: int = 400) -> str:
    """The bundled family name closest to ``family`` (see the module docstring)."""
    family, generic = _split_family_list(family or "", generic)
    if not family or _key(family) in GENERIC_CLASS:
        classification = (GENERIC_CLASS.get(_key(family)) or GENERIC_CLASS.get(_key(generic or ""))
                          or "sans")
        return _pick(classification, weight)
    known = _bundled_or_lookalike(family)
    if known:
        return known.family
    return _pick(classify(family, generic=generic), weight)


def _pick(classification: str, weight: int) -> str:
    candidates = [f for f in bundled_fonts() if f.classification == classification] or \
        list(bundled_fonts())
    preferred = DEFAULT_FOR_CLASS.get(classification)

    def score(font: BundledFont) -> tuple[int, int]:
        weights = [int(w) for w in font.weights] or [400]
        weight_gap = min(abs(w - weight) for w in weights)
        return (weight_gap, 0 if font.family == preferred else 1)

    return min(candidates, key=score).family


def font_file(family: str, weight: int = 400) -> str | None:
    """The TTF of bundled ``family`` closest to ``weight``, relative to ``FONTS_DIR``."""
    font = bundled_font(family)
    if not font or not font.weights:
        return None
    best = min(font.weights, key=lambda w: (abs(int(w) - weight), -int(w)))
    return font.weights[best]
