"""Map a font detected on a website to the closest bundled family.

The bundled families (open licence TTFs under ``static/fonts/``) are listed in
``static/fonts/catalogue.json``, owned by the rendering engine. Matching order:

1. the same family is bundled (case/spacing-insensitive) → that family;
2. a well-known look-alike is bundled (Helvetica → Inter, Futura → Montserrat, ...);
3. otherwise the default bundled family of the detected classification
   (sans/serif/display/mono/script), guessed from the name and the CSS generic fallback,
   preferring a family that has the wanted weight.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

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
    "georgia": "Lora", "merriweather": "Lora", "pt serif": "Lora", "times": "Lora",
    "times new roman": "Lora", "libre baskerville": "Lora", "source serif pro": "Lora",
    "dm serif display": "Playfair Display", "didot": "Playfair Display",
    "bodoni": "Playfair Display", "bodoni moda": "Playfair Display",
    "garamond": "Cormorant Garamond", "eb garamond": "Cormorant Garamond",
    "cormorant": "Cormorant Garamond", "oswald": "Anton", "impact": "Anton",
    "league gothic": "Bebas Neue", "alfa slab one": "Archivo Black",
    "pacifico": "Dancing Script", "great vibes": "Dancing Script", "lobster": "Dancing Script",
    "satisfy": "Dancing Script",
}

DEFAULT_FOR_CLASS = {
    "sans": "Inter", "serif": "Playfair Display", "display": "Bebas Neue",
    "mono": "JetBrains Mono", "script": "Dancing Script",
}

_NAME_HINTS = [
    (re.compile(r"mono|code|courier", re.I), "mono"),
    (re.compile(r"script|hand|brush|signature|callig", re.I), "script"),
    (re.compile(r"sans|grotesk|grotesque|gothic", re.I), "sans"),
    (re.compile(r"serif|garamond|baskerville|caslon|didot|bodoni|times|slab|antiqua", re.I),
     "serif"),
    (re.compile(r"display|poster|headline|black|condensed", re.I), "display"),
]


@dataclass(frozen=True)
class BundledFont:
    family: str
    slug: str
    classification: str
    weights: dict[str, str]  # "400" → "inter/Inter-400Regular.ttf" (relative to static/fonts)
    licence: str = ""


def _catalogue_path() -> Path:
    return Path(settings.BASE_DIR) / "static" / "fonts" / "catalogue.json"


@lru_cache(maxsize=1)
def bundled_fonts() -> tuple[BundledFont, ...]:
    """The bundled families usable for brand text (symbol fonts such as emoji left out)."""
    path = _catalogue_path()
    if not path.exists():
        return (BundledFont("Inter", "inter", "sans", {}),)
    fonts = []
    for entry in json.loads(path.read_text()):
        if entry.get("classification") not in DEFAULT_FOR_CLASS:
            continue
        fonts.append(BundledFont(entry["family"], entry["slug"], entry["classification"],
                                 dict(entry.get("weights", {})), entry.get("licence", "")))
    return tuple(fonts)


def bundled_font(family: str) -> BundledFont | None:
    key = _key(family)
    return next((f for f in bundled_fonts() if _key(f.family) == key), None)


def bundled_family_choices() -> list[tuple[str, str]]:
    return [(f.family, f"{f.family} ({f.classification})") for f in bundled_fonts()]


def _key(name: str) -> str:
    return re.sub(r"[\s_\-]+", " ", name.strip().strip("'\"")).lower()


def classify(family: str, *, generic: str | None = None) -> str:
    """Best guess at a family's classification from its name and its CSS generic fallback."""
    bundled = bundled_font(family)
    if bundled:
        return bundled.classification
    lookalike = LOOKALIKES.get(_key(family))
    if lookalike and bundled_font(lookalike):
        return bundled_font(lookalike).classification
    for pattern, classification in _NAME_HINTS:
        if classification != "display" and pattern.search(family):
            return classification
    if generic and GENERIC_CLASS.get(_key(generic)):
        return GENERIC_CLASS[_key(generic)]
    if _NAME_HINTS[-1][0].search(family):
        return "display"
    return "sans"


def match_font(family: str, *, generic: str | None = None, weight: int = 400) -> str:
    """The bundled family name closest to the web font ``family`` (see module docstring)."""
    if not family or _key(family) in GENERIC_CLASS:
        classification = GENERIC_CLASS.get(_key(family or "")) or \
            GENERIC_CLASS.get(_key(generic or "")) or "sans"
        return _pick(classification, weight)
    bundled = bundled_font(family)
    if bundled:
        return bundled.family
    lookalike = LOOKALIKES.get(_key(family))
    if lookalike and bundled_font(lookalike):
        return lookalike
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


def font_file_url_path(family: str, weight: int = 400) -> str | None:
    """Path under ``static/`` of the TTF closest to ``weight`` (for @font-face previews)."""
    font = bundled_font(family)
    if not font or not font.weights:
        return None
    best = min(font.weights, key=lambda w: abs(int(w) - weight))
    return f"fonts/{font.weights[best]}"
