"""A fast PNG writer: the SUB filter on every row (numpy) and ISA-L's deflate at level 2.

zlib at level 1 took 25-55 ms for a 1080x1920 ad here; ISA-L's zlib-compatible compressor takes
a third to a half of that and its output is ~10% smaller (PNG's IDAT is a plain zlib stream, so
any conforming deflate will do). Pillow's adaptive filtering with zlib takes ~60% longer than
that again; render latency is what the user waits for.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np
from isal import isal_zlib

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_SUB_FILTER = 1
_COLOUR_TYPES = {3: 2, 4: 6}  # channels -> PNG colour type: RGB, RGBA


def _chunk(kind: bytes, body: bytes) -> bytes:
    return (struct.pack(">I", len(body)) + kind + body
            + struct.pack(">I", zlib.crc32(kind + body)))


def png_encode(pixels: np.ndarray) -> bytes:
    """An 8-bit RGB or RGBA PNG of ``pixels`` (height x width x 3 or 4, uint8)."""
    height, width, channels = pixels.shape
    if channels not in _COLOUR_TYPES or pixels.dtype != np.uint8:
        raise ValueError(f"png_encode takes uint8 RGB or RGBA, not {pixels.dtype} x {channels}")
    flat = pixels.reshape(height, width * channels)
    rows = np.empty((height, width * channels + 1), dtype=np.uint8)
    rows[:, 0] = _SUB_FILTER
    rows[:, 1:1 + channels] = flat[:, :channels]
    # SUB: each byte minus the same channel of the pixel to its left, modulo 256.
    np.subtract(flat[:, channels:], flat[:, :-channels], out=rows[:, 1 + channels:],
                casting="unsafe")
    header = struct.pack(">IIBBBBB", width, height, 8, _COLOUR_TYPES[channels], 0, 0, 0)
    return (_SIGNATURE + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", isal_zlib.compress(rows.tobytes(), 2)) + _chunk(b"IEND", b""))
