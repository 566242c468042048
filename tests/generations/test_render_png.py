"""The fast PNG writer: what it writes decodes, pixel for pixel, in Pillow."""

import io
import struct
import zlib
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from PIL import Image

from generations.render.imaging import pixels
from generations.render.png import adler32_combine, png_encode, submit_png


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


@pytest.mark.parametrize("bands", [1, 2, 3, 7])
@pytest.mark.parametrize("channels", [3, 4])
def test_a_png_deflated_in_bands_on_threads_decodes_pixel_for_pixel(bands, channels):
    pixels = np.random.default_rng(bands).integers(0, 256, (41, 29, channels), dtype=np.uint8)
    pixels[:20] //= 16  # runs that compress, so back-references would cross a band if allowed

    with ThreadPoolExecutor(max_workers=3) as pool:
        data = submit_png(pixels, bands, pool.submit)()

    decoded = Image.open(io.BytesIO(data))
    decoded.load()  # Pillow checks every chunk's CRC
    assert np.array_equal(np.asarray(decoded), pixels)
    # zlib checks the Adler-32 joined from the bands' own.
    zlib.decompress(_idat(data))


def test_more_bands_than_rows_still_make_one_valid_stream():
    pixels = np.full((2, 5, 3), 9, dtype=np.uint8)
    with ThreadPoolExecutor(max_workers=2) as pool:
        data = submit_png(pixels, 8, pool.submit)()
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(data))), pixels)


@pytest.mark.parametrize("split", [0, 1, 65520, 65521, 65522, 200_000])
def test_adler32_combine_matches_zlib(split):
    data = np.random.default_rng(split).integers(0, 256, 300_000, dtype=np.uint8).tobytes()
    first, second = data[:split], data[split:]

    assert adler32_combine(zlib.adler32(first), zlib.adler32(second),
                           len(second)) == zlib.adler32(data)


def _idat(png: bytes) -> bytes:
    at, body = 8, b""
    while at < len(png):
        (length,) = struct.unpack(">I", png[at:at + 4])
        if png[at + 4:at + 8] == b"IDAT":
            body += png[at + 8:at + 8 + length]
        at += 12 + length
    return body
