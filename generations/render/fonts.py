"""Bundled fonts for rendering: the TTF for a family, script and weight; FreeType faces; text
cleaned to what a face can draw. Which bundled family a brand's font becomes is
``studio.visual.fonts.match_font`` (the scrape uses the same matcher)."""

from __future__ import annotations

import io
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

from generations.render.cmap import mapped_codepoints
from generations.render.overlaps import without_overlap_flags
from studio.visual.fonts import DEFAULT_FAMILY, FONTS_DIR, font_file
from studio.visual.fonts import match_font as match_family

__all__ = ["DEFAULT_FAMILY", "EMOJI_FONT", "FONTS_DIR", "clean_text", "covered_codepoints",
           "detect_script", "font_path", "is_emoji", "is_rtl", "load_font", "match_family"]


def detect_script(text: str) -> str:
    """'arabic', 'hebrew', 'cjk' or 'latin' (the dominant script we need a special font for)."""
    for char in text:
        code = ord(char)
        if 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F or 0xFB50 <= code <= 0xFEFF:
            return "arabic"
        if 0x0590 <= code <= 0x05FF:
            return "hebrew"
        if (0x3000 <= code <= 0x30FF or 0x4E00 <= code <= 0x9FFF or 0xAC00 <= code <= 0xD7AF
                or 0xFF00 <= code <= 0xFFEF):
            return "cjk"
    return "latin"


def is_rtl(text: str) -> bool:
    return detect_script(text) in ("arabic", "hebrew")


_SCRIPT_FAMILY = {"arabic": "Noto Sans Arabic", "hebrew": "Noto Sans Hebrew",
                  "cjk": "Noto Sans CJK"}


def font_path(family: str, weight: int, text: str = "") -> Path:
    """TTF path for ``family`` at the nearest bundled weight, switching family for RTL scripts."""
    script = detect_script(text)
    chosen = _SCRIPT_FAMILY.get(script) or match_family(family)
    return FONTS_DIR / (font_file(chosen, weight) or font_file(DEFAULT_FAMILY, weight) or "")


_thread_fonts = threading.local()


def load_font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    """A FreeType font at ``size``, cached per thread.

    FreeType faces must not be used from two threads at once, and the two aspect sizes lay
    out on two threads, so each thread keeps its own faces.
    """
    cache = getattr(_thread_fonts, "cache", None)
    if cache is None:
        cache = _thread_fonts.cache = {}
    key = (path, max(1, int(size)))
    font = cache.get(key)
    if font is None:
        if len(cache) > 512:
            cache.clear()
        font = cache[key] = ImageFont.truetype(
            _FontFile(rasterised_font_bytes(path)), size=key[1],
            layout_engine=ImageFont.Layout.RAQM if ImageFont.core.HAVE_RAQM
            else ImageFont.Layout.BASIC)
    return font


@lru_cache(maxsize=64)
def rasterised_font_bytes(path: Path) -> bytes:
    """The bytes FreeType draws ``path`` from: the file without its overlap flags (see
    overlaps.py), read once per process and shared by every size's face."""
    return without_overlap_flags(Path(path).read_bytes())


class _FontFile(io.BytesIO):
    """What ImageFont.truetype reads a face from: the shared bytes themselves (a plain
    BytesIO would hand each of a thread's faces its own copy)."""

    def __init__(self, data: bytes):
        super().__init__()
        self._data = data

    def read(self, size: int | None = -1, /) -> bytes:
        return self._data


@lru_cache(maxsize=64)
def covered_codepoints(path: Path) -> frozenset[int]:
    return mapped_codepoints(path)


EMOJI_FONT = FONTS_DIR / "noto-emoji" / "NotoEmoji-400Regular.ttf"


def is_emoji(char: str) -> bool:
    code = ord(char)
    return (0x1F000 <= code <= 0x1FAFF or 0x2600 <= code <= 0x27BF or code in (0x2B50, 0x2B55)
            or 0x1F900 <= code <= 0x1F9FF)


def clean_text(text: str, path: Path) -> str:
    """Drop characters the font cannot draw (never tofu) and normalise whitespace.

    Emoji stay only when the bundled emoji font has them; variation selectors and zero-width
    joiners are dropped since the monochrome emoji font draws base glyphs.
    """
    covered = covered_codepoints(path)
    emoji = covered_codepoints(EMOJI_FONT)
    kept = []
    for char in unicodedata.normalize("NFC", text):
        code = ord(char)
        if char in "\n ":
            kept.append(" ")
        elif code in (0xFE0F, 0xFE0E, 0x200D):
            continue
        elif (code in covered or unicodedata.category(char).startswith("Z")
              or (is_emoji(char) and code in emoji)):
            kept.append(char)
    return " ".join("".join(kept).split())
