"""Reading colours off a website: CSS colour values and an image's dominant colours. The colour
maths (distance, saturation, contrast) is ``studio.visual.colour``, shared with the render
engine."""

from __future__ import annotations

import io

import tinycss2
import tinycss2.color3
import tinycss2.color4
from PIL import Image

from studio.visual.colour import RGB, distance, is_chromatic, lightness, to_hex

# The palette extractor reads the shared maths through this module.
__all__ = ["RGB", "colors_in_value", "distance", "image_colors", "is_chromatic", "lightness",
           "parse_css_color", "to_hex"]


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


def image_colors(data: bytes, *, count: int = 5) -> list[tuple[RGB, float]]:
    """Dominant colours of an image (by quantising its opaque pixels) with their share 0..1."""
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
