"""The fast PNG writer: what it writes decodes, pixel for pixel, in Pillow."""

import io

import numpy as np
import pytest
from PIL import Image

from generations.render.imaging import pixels
from generations.render.png import png_encode


@pytest.mark.parametrize("channels, mode", [(3, "RGB"), (4, "RGBA")])
def test_every_pixel_survives_the_round_trip(channels, mode):
    # Random bytes exercise the SUB filter's wraparound (a byte smaller than its left
    # neighbour) on every row.
    pixels = np.random.default_rng(7).integers(0, 256, (37, 53, channels), dtype=np.uint8)

    decoded = Image.open(io.BytesIO(png_encode(pixels)))

    assert (decoded.mode, decoded.size) == (mode, (53, 37))
    assert np.array_equal(np.asarray(decoded), pixels)


def test_a_flat_ad_background_compresses_far_below_its_raw_size():
    pixels = np.full((1920, 1080, 3), (200, 85, 61), dtype=np.uint8)

    assert len(png_encode(pixels)) < pixels.nbytes // 100


def test_anything_but_8_bit_rgb_or_rgba_is_refused():
    with pytest.raises(ValueError):
        png_encode(np.zeros((4, 4, 2), dtype=np.uint8))
    with pytest.raises(ValueError):
        png_encode(np.zeros((4, 4, 3), dtype=np.float32))


def test_pixels_matches_numpy_for_every_mode_the_engine_uses():
    rng = np.random.default_rng(3)
    rgba = Image.fromarray(rng.integers(0, 256, (37, 53, 4), dtype=np.uint8), "RGBA")
    for image in (rgba, rgba.convert("RGB"), rgba.getchannel("A")):
        assert np.array_equal(pixels(image), np.asarray(image))
        assert pixels(image).shape == np.asarray(image).shape
