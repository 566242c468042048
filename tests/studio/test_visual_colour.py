"""The one colour module: the scrape and the engine read the same maths."""

import pytest

from brands.scrape import colors as scrape_colors
from generations.render import colour as render_colour
from studio.visual import colour


def test_the_scrape_and_the_engine_share_the_functions():
    assert scrape_colors.distance is colour.distance
    assert scrape_colors.to_hex is colour.to_hex
    assert render_colour.contrast_ratio is colour.contrast_ratio
    assert render_colour.luminance is colour.luminance
    assert render_colour.hex_to_rgb is colour.hex_to_rgb
    assert not hasattr(render_colour, "saturation")
    assert not hasattr(render_colour, "rgb_to_hex")


@pytest.mark.parametrize(("value", "rgb"), [
    ("#1F6F50", (31, 111, 80)), ("1f6f50", (31, 111, 80)), ("#abc", (170, 187, 204)),
])
def test_hex_round_trip(value, rgb):
    assert colour.hex_to_rgb(value) == rgb
    assert colour.hex_to_rgb(colour.to_hex(rgb)) == rgb


def test_wcag_contrast_figures():
    assert colour.contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert colour.contrast_ratio((255, 255, 255), (255, 255, 255)) == 1.0
    # #767676 on white is the classic 4.54:1 AA edge.
    grey_on_white = colour.contrast_ratio((0x76, 0x76, 0x76), (255, 255, 255))
    assert grey_on_white == pytest.approx(4.54, abs=0.01)
    # The two published sRGB breakpoints (0.03928, 0.04045) give the same answer for every
    # 8-bit channel: channel 10 is below both, 11 above both.
    assert colour.luminance((10, 10, 10)) == pytest.approx(10 / 255 / 12.92)
    assert colour.luminance((11, 11, 11)) == pytest.approx(((11 / 255 + 0.055) / 1.055) ** 2.4)


def test_one_saturation_rule():
    assert colour.saturation((255, 0, 0)) == 1.0
    assert colour.saturation((128, 128, 128)) == 0.0
    assert colour.saturation((2, 0, 0)) == 0.0  # near-black: hue is noise
    assert colour.is_chromatic((0x1F, 0x6F, 0x50))
    assert not colour.is_chromatic((0xF5, 0xF5, 0xF5))


def test_mix_and_distance():
    assert colour.mix((0, 0, 0), (255, 255, 255), 0.5) == (128, 128, 128)
    assert colour.distance((31, 111, 80), (31, 111, 80)) == 0.0
    assert colour.distance((255, 0, 0), (0, 0, 255)) > 100
