"""Fonts are drawn without FreeType's overlap supersampling: every bundled glyph keeps its
outline, only the flag goes, and a headline drawn from the cleared bytes looks the same."""

from __future__ import annotations

import io

import numpy as np
import pytest
from fontTools.ttLib import TTFont
from PIL import Image, ImageFont

from generations.render.fonts import load_font, rasterised_font_bytes
from generations.render.overlaps import OVERLAP_COMPOUND, OVERLAP_SIMPLE, without_overlap_flags
from studio.visual.fonts import FONTS_DIR

BUNDLED = sorted(FONTS_DIR.rglob("*.ttf"))
HEADLINE = "Barrier Serum: fragrance-free & tested 8%"


def _glyphs(font: TTFont):
    glyf = font["glyf"]
    for name in glyf:
        yield name, glyf[name]


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_every_overlap_flag_goes_and_every_outline_stays(path):
    original = TTFont(str(path))
    cleared = TTFont(io.BytesIO(without_overlap_flags(path.read_bytes())))

    for name, glyph in _glyphs(cleared):
        before = original["glyf"][name]
        if glyph.isComposite():
            assert not any(c.flags & OVERLAP_COMPOUND for c in glyph.components), name
            assert ([(c.glyphName, c.x, c.y) for c in glyph.components]
                    == [(c.glyphName, c.x, c.y) for c in before.components])
        elif glyph.numberOfContours > 0:
            assert not glyph.flags[0] & OVERLAP_SIMPLE, name
            assert list(glyph.coordinates) == list(before.coordinates), name
            assert list(glyph.endPtsOfContours) == list(before.endPtsOfContours), name
            assert ([f & ~OVERLAP_SIMPLE for f in glyph.flags]
                    == [f & ~OVERLAP_SIMPLE for f in before.flags]), name


def test_the_variable_font_instances_did_carry_the_flag():
    # Otherwise the test above proves nothing about them.
    inter = TTFont(str(FONTS_DIR / "inter" / "Inter-700Bold.ttf"))
    assert sum(bool(g.numberOfContours > 0 and g.flags[0] & OVERLAP_SIMPLE)
               for _name, g in _glyphs(inter)) > 1000


def test_cff_fonts_and_unreadable_files_come_back_unchanged():
    cff = (FONTS_DIR / "noto-sans-cjk" / "NotoSansCJKsc-700Bold-subset.otf").read_bytes()
    assert without_overlap_flags(cff) == cff
    truncated = (FONTS_DIR / "inter" / "Inter-400Regular.ttf").read_bytes()[:5000]
    assert without_overlap_flags(truncated) == truncated
    assert without_overlap_flags(b"not a font") == b"not a font"


@pytest.mark.parametrize("family, size", [("inter/Inter-700Bold.ttf", 120),
                                          ("montserrat/Montserrat-800ExtraBold.ttf", 48),
                                          ("playfair-display/PlayfairDisplay-700Bold.ttf", 72),
                                          ("dm-sans/DMSans-400Regular.ttf", 24)])
def test_a_headline_draws_the_same_from_the_cleared_bytes(family, size):
    path = FONTS_DIR / family

    def ink(font: ImageFont.FreeTypeFont) -> np.ndarray:
        mask, _offset = font.getmask2(HEADLINE, "L")
        return np.asarray(Image.frombytes("L", mask.size, bytes(mask))).astype(int)

    published, drawn = ink(ImageFont.truetype(str(path), size)), ink(load_font(path, size))

    assert published.shape == drawn.shape
    assert abs(drawn.sum() / published.sum() - 1) < 0.01
    # Only pixels where two contours of a glyph cross inside the anti-aliased edge differ.
    assert (np.abs(drawn - published) > 32).mean() < 0.001


def test_one_copy_of_a_font_serves_every_size():
    path = FONTS_DIR / "inter" / "Inter-400Regular.ttf"
    assert load_font(path, 31).font_bytes is load_font(path, 57).font_bytes
    assert load_font(path, 31).font_bytes is rasterised_font_bytes(path)
