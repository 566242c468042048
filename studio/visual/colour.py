"""Colour maths: hex, WCAG luminance and contrast, mixing, perceptual distance, saturation.

The one colour module: the scrape scores and names palette colours with it, the engine picks
legible text colours with it, so both agree on what "dark", "a colour" and "4.5:1" mean.
"""

from __future__ import annotations

import colorsys
import math

RGB = tuple[int, int, int]

# The sRGB transfer function's breakpoint (IEC 61966-2-1). WCAG 2.0 printed 0.03928, an old
# draft's value; no 8-bit channel falls between the two, so every ratio is the same.
_SRGB_BREAKPOINT = 0.04045


def hex_to_rgb(value: str) -> RGB:
    """``#1F6F50``, ``1f6f50`` or ``#abc`` as an RGB tuple."""
    value = value.strip().lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def to_hex(rgb: RGB) -> str:
    """Lower-case ``#rrggbb`` (how Brand DNA stores colours)."""
    return "#{:02x}{:02x}{:02x}".format(*rgb[:3])


def _linear(channel: float) -> float:
    c = channel / 255
    return c / 12.92 if c <= _SRGB_BREAKPOINT else ((c + 0.055) / 1.055) ** 2.4


def luminance(rgb: RGB) -> float:
    """WCAG 2 relative luminance, 0 (black) to 1 (white)."""
    r, g, b = (_linear(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: RGB, b: RGB) -> float:
    """WCAG contrast, 1 to 21."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def is_dark(rgb: RGB) -> bool:
    return luminance(rgb) < 0.18


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """Linear blend: t=0 gives a, t=1 gives b."""
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t),
            round(a[2] + (b[2] - a[2]) * t))


def lightness(rgb: RGB) -> float:
    """HLS lightness, 0 to 1."""
    return colorsys.rgb_to_hls(*(c / 255 for c in rgb[:3]))[1]


def saturation(rgb: RGB) -> float:
    """HLS saturation, 0 for near-white and near-black (their hue is noise)."""
    _hue, light, sat = colorsys.rgb_to_hls(*(c / 255 for c in rgb[:3]))
    return sat if 0.04 < light < 0.96 else 0.0


def is_chromatic(rgb: RGB) -> bool:
    """A colour a person would call a colour (not white, black or a grey)."""
    return saturation(rgb) >= 0.18 and 0.08 < lightness(rgb) < 0.95


def _lab(rgb: RGB) -> tuple[float, float, float]:
    r, g, b = (_linear(c) for c in rgb[:3])
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    fx, fy, fz = f(x), f(y), f(z)
    return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))


def distance(a: RGB, b: RGB) -> float:
    """Perceptual distance (CIE76 ΔE): < 3 looks the same, > 20 clearly different colours."""
    return math.dist(_lab(a), _lab(b))
