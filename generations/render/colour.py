"""Colour maths: WCAG contrast, mixing, and choosing legible text colours from a palette."""

from __future__ import annotations

from collections.abc import Iterable

RGB = tuple[int, int, int]

AA_BODY = 4.5
AA_LARGE = 3.0


def hex_to_rgb(value: str) -> RGB:
    value = value.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def rgb_to_hex(rgb: RGB) -> str:
    return "#{:02X}{:02X}{:02X}".format(*rgb)


def _linear(channel: float) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(rgb: RGB) -> float:
    """WCAG 2 relative luminance."""
    r, g, b = (_linear(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: RGB, b: RGB) -> float:
    la, lb = luminance(a), luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """Linear blend: t=0 gives a, t=1 gives b."""
    return tuple(round(a[i] + (b[i] - a[i]) * t) for i in range(3))  # type: ignore[return-value]


def is_dark(rgb: RGB) -> bool:
    return luminance(rgb) < 0.18


def best_text_colour(background: RGB, candidates: Iterable[RGB], minimum: float) -> RGB | None:
    """The first candidate (palette order = brand preference) meeting ``minimum`` contrast.

    Falls back to black or white when they meet it and no palette colour does; returns None if
    nothing does (the caller then adds a scrim).
    """
    for candidate in candidates:
        if contrast_ratio(candidate, background) >= minimum:
            return candidate
    for neutral in ((17, 17, 17), (255, 255, 255)):
        if contrast_ratio(neutral, background) >= minimum:
            return neutral
    return None


def readable_on(background: RGB) -> RGB:
    """Near-black or white, whichever contrasts more with ``background``.

    Pure black is used when near-black would miss AA on a mid-tone (e.g. #C8553D: white gives
    4.35:1, #111 4.33:1, #000 4.82:1).
    """
    dark, light, black = (17, 17, 17), (255, 255, 255), (0, 0, 0)
    if contrast_ratio(light, background) >= contrast_ratio(dark, background):
        if contrast_ratio(light, background) >= AA_BODY:
            return light
    elif contrast_ratio(dark, background) >= AA_BODY:
        return dark
    return max((light, dark, black), key=lambda c: contrast_ratio(c, background))


def saturation(rgb: RGB) -> float:
    hi, lo = max(rgb), min(rgb)
    return 0.0 if hi == 0 else (hi - lo) / hi
