"""The one font matcher: a site's font and a Brand JSON name land on the same bundled family."""

import pytest

from generations.render import fonts as render_fonts
from studio.visual import fonts


def test_the_engine_uses_the_shared_matcher():
    assert render_fonts.match_family is fonts.match_font
    assert render_fonts.FONTS_DIR == fonts.FONTS_DIR


@pytest.mark.parametrize(("family", "generic", "expected"), [
    ("Times New Roman", None, "Playfair Display"),     # what docs/brand-json.md promises
    ("Times New Roman", "serif", "Playfair Display"),
    ("'Playfair Display', Georgia, serif", None, "Playfair Display"),
    ("Druk Wide", None, "Anton"),                       # display faces → Anton
    ("Poster Headline", "fantasy", "Anton"),
    ("Bebas Neue", None, "Bebas Neue"),                  # bundled: itself
    ("bebas-neue", None, "Bebas Neue"),                  # by slug
    ("Oswald", None, "Anton"),
    ("Unknown Face", "cursive", "Dancing Script"),
    ("", "monospace", "JetBrains Mono"),
    (None, None, "Inter"),
])
def test_match_font(family, generic, expected):
    assert fonts.match_font(family, generic=generic) == expected


def test_weight_decides_among_a_classification():
    assert fonts.match_font("sans-serif", weight=800) == "Inter"
    assert fonts.font_file("Inter", 790) == "inter/Inter-800ExtraBold.ttf"
    assert fonts.font_file("Unbundled Family") is None


def test_render_font_path_reads_the_same_files():
    assert render_fonts.font_path("Times New Roman", 700) == fonts.FONTS_DIR / fonts.font_file(
        "Playfair Display", 700)
    assert render_fonts.font_path("Inter", 400, text="مرحبا").parent.name == "noto-sans-arabic"
