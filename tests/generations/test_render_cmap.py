"""The bundled cmap reader agrees with fontTools on every font we ship, and a broken font file
is refused with a clear error instead of crashing a render."""

from __future__ import annotations

import struct

import pytest
from fontTools.ttLib import TTFont

from generations.render.cmap import FontUnreadable, mapped_codepoints
from studio.visual.fonts import FONTS_DIR

BUNDLED = sorted(FONTS_DIR.rglob("*.ttf"))


def test_fonts_are_bundled():
    assert len(BUNDLED) >= 30


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_matches_fonttools_best_cmap(path):
    with TTFont(str(path), lazy=True) as font:
        expected = frozenset(font.getBestCmap() or {})

    assert mapped_codepoints(path) == expected


def test_knows_latin_letters_and_not_what_a_latin_font_lacks():
    path = FONTS_DIR / "playfair-display" / "PlayfairDisplay-400Regular.ttf"
    codes = mapped_codepoints(path)

    assert {ord(c) for c in "Aa€é"} <= codes
    assert ord("中") not in codes


def test_a_truncated_font_is_refused(tmp_path):
    source = (FONTS_DIR / "bebas-neue" / "BebasNeue-400Regular.ttf").read_bytes()
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(source[:40])

    with pytest.raises(FontUnreadable):
        mapped_codepoints(broken)


def test_a_font_without_a_cmap_is_refused(tmp_path):
    lonely = tmp_path / "nocmap.ttf"
    lonely.write_bytes(struct.pack(">IHHHH", 0x00010000, 0, 0, 0, 0))

    with pytest.raises(FontUnreadable, match="cmap"):
        mapped_codepoints(lonely)
