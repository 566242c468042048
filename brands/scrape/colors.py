"""Colour parsing, distances and image quantising for palette extraction. Pure functions."""

from __future__ import annotations

import colorsys
import io
import math

import tinycss2
import tinycss2.color3
import tinycss2.color4

RGB = tuple[int, int, int]


def parse_css_color(value: str) -> RGB | None:
    """A CSS colour value (hex, rgb(), hsl(), named) as an opaque RGB tuple, or None.

    Transparent and mostly-transparent colours return None: they say nothing about a palette.
    """
    value = value.strip().rstrip(";").replace("!important", "").strip()
    if not value or value.lower() in ("inherit", "initial", "unset", "currentcolor", "none"):
        return None
    for parser in (tinycss2.color3.parse_color, _parse_color4):
        try:
            rgba = parser(value)
        except Exception:  # noqa: BLE001 - tinycss2 raises assorted errors on odd input
            rgba = None
        if rgba is not None:
            r, g, b, a = rgba
            if a < 0.5:
                return None
            return (round(r * 255), round(g * 255), round(b * 255))
    return None


def _parse_color4(value: str):
    color = tinycss2.color4.parse_color(value)
    if color is None or not hasattr(color, "to"):
        return None
    srgb = color.to("srgb")
    r, g, b = (min(max(c, 0.0), 1.0) for c in srgb.coordinates)
    return (r, g, b, srgb.alpha)


def colors_in_value(value: str) -> list[RGB]:
    """Every colour token in a CSS declaration value (e.g. a ``background`` shorthand)."""
    found: list[RGB] = []
    for token in tinycss2.parse_component_value_list(value):
        if token.type in ("whitespace", "comment"):
            continue
        rgb = None
        if token.type in ("hash", "ident") or (
            token.type == "function" and token.lower_name in ("rgb", "rgba", "hsl", "hsla")
        ):
            rgb = parse_css_color(tinycss2.serialize([token]))
        elif token.type == "function":  # gradients and the like: look inside
            found.extend(colors_in_value(tinycss2.serialize(token.arguments)))
        if rgb is not None:
            found.append(rgb)
    return found


def to_hex(rgb: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def from_hex(value: str) -> RGB:
    value = value.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


def _lab(rgb: RGB) -> tuple[float, float, float]:
    def lin(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(c) for c in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    fx, fy, fz = f(x), f(y), f(z)
    return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))


def distance(a: RGB, b: RGB) -> float:
    """Perceptual distance (CIE76 ΔE): < 3 looks the same, > 20 clearly different colours."""
    la, lb = _lab(a), _lab(b)
    return math.dist(la, lb)


def saturation(rgb: RGB) -> float:
    _h, lightness, sat = colorsys.rgb_to_hls(*(c / 255 for c in rgb))
    return sat if 0.04 < lightness < 0.96 else 0.0


def lightness(rgb: RGB) -> float:
    return colorsys.rgb_to_hls(*(c / 255 for c in rgb))[1]


def is_chromatic(rgb: RGB) -> bool:
    """A colour a person would call a colour (not white, black or a grey)."""
    return saturation(rgb) >= 0.18 and 0.08 < lightness(rgb) < 0.95


def relative_luminance(rgb: RGB) -> float:
    def lin(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: RGB, b: RGB) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def image_colors(data: bytes, *, count: int = 5) -> list[tuple[RGB, float]]:
    """Dominant colours of an image (by quantising its opaque pixels) with their share 0..1."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        img = img.convert("RGBA")
        img.thumbnail((96, 96))
        data = img.get_flattened_data() if hasattr(img, "get_flattened_data") else img.getdata()
        pixels = [p[:3] for p in data if p[3] >= 128]
    if not pixels:
        return []
    opaque = Image.new("RGB", (len(pixels), 1))
    opaque.putdata(pixels)
    quantised = opaque.quantize(colors=count, method=Image.Quantize.MEDIANCUT)
    palette = quantised.getpalette() or []
    total = len(pixels)
    result = []
    for pixel_count, index in sorted(quantised.getcolors() or [], reverse=True):
        rgb = tuple(palette[index * 3: index * 3 + 3])
        result.append((rgb, pixel_count / total))
    return result
