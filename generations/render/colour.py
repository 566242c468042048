"""Choosing legible text colours from a palette. The colour maths itself (hex, luminance,
contrast, mixing) is ``studio.visual.colour``, shared with the website scrape."""

from __future__ import annotations

from collections.abc import Iterable

from studio.visual.colour import RGB, contrast_ratio, hex_to_rgb, is_dark, luminance, mix

__all__ = ["AA_BODY", "AA_LARGE", "RGB", "best_text_colour", "contrast_ratio", "hex_to_rgb",
           "is_dark", "luminance", "mix", "readable_on"]

AA_BODY = 4.5
AA_LARGE = 3.0


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
