"""Frames as planar YUV 4:2:0, the format H.264 encodes, composited directly on Pillow planes.

A video frame is three 8-bit planes: Y at full resolution, U and V at half resolution in both
directions (BT.601, limited range: what swscale's rgb24 -> yuv420p gives, so these frames match
the ones the encoder made from RGB before). Compositing an ad frame in this form instead of in
RGB touches 1.5 bytes per pixel instead of Pillow's 4, and skips the per-frame RGB -> YUV
conversion. Alpha compositing commutes with the conversion because it is affine (a colour over
another colour converts to the converted colours composited with the same alpha); for the
half-resolution chroma the alpha of each 2x2 block is its mean and the sprite's chroma its
alpha-weighted mean, which equals converting first and subsampling after wherever the backdrop
is smooth across two pixels.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import av
import numpy as np
from PIL import Image, ImageChops, ImageDraw

from .colour import RGB
from .imaging import pixels

# Pillow's YCbCr is JPEG's full-range BT.601; H.264 in MP4 is limited range: Y in 16..235,
# chroma in 16..240.
_Y_LUT = [round(16 + v * 219 / 255) for v in range(256)]
_C_LUT = [round(128 + (v - 128) * 224 / 255) for v in range(256)]


@dataclass
class Planes:
    """One frame: Y (width x height) and U, V (half width x half height), all mode "L"."""

    y: Image.Image
    u: Image.Image
    v: Image.Image

    def copy(self) -> Planes:
        return Planes(self.y.copy(), self.u.copy(), self.v.copy())

    @property
    def size(self) -> tuple[int, int]:
        return self.y.size

    def video_frame(self) -> av.VideoFrame:
        """An encoder-ready yuv420p frame holding a copy of the planes."""
        frame = av.VideoFrame(self.y.width, self.y.height, "yuv420p")
        for plane, image in zip(frame.planes, (self.y, self.u, self.v), strict=True):
            rows = np.frombuffer(memoryview(plane), np.uint8).reshape(plane.height, plane.line_size)
            rows[:, :plane.width] = pixels(image)
        return frame


@lru_cache(maxsize=256)
def yuv_colour(colour: RGB) -> tuple[int, int, int]:
    """One RGB colour as (Y, U, V), by the same arithmetic as whole images."""
    y, u, v = Image.new("RGB", (1, 1), colour).convert("YCbCr").getpixel((0, 0))  # type: ignore[misc]
    return _Y_LUT[y], _C_LUT[u], _C_LUT[v]


def _ycbcr(image: Image.Image) -> tuple[Image.Image, ...]:
    source = image if image.mode in ("RGB", "RGBA") else image.convert("RGB")
    return source.convert("YCbCr").split()


def full_res_planes(image: Image.Image) -> tuple[Image.Image, Image.Image, Image.Image]:
    """Y, U and V of an RGB image, all three at full resolution (for resampling later)."""
    y, cb, cr = _ycbcr(image)
    return y.point(_Y_LUT), cb.point(_C_LUT), cr.point(_C_LUT)


def rgb_to_planes(image: Image.Image) -> Planes:
    """An RGB image (even width and height) as a 4:2:0 frame; chroma is the 2x2 mean."""
    y, cb, cr = _ycbcr(image)
    return Planes(y.point(_Y_LUT), cb.reduce(2).point(_C_LUT), cr.reduce(2).point(_C_LUT))


@dataclass
class PlanarSprite:
    """An RGBA sprite converted for pasting at a position of one parity, padded to start on
    an even column and row: full-resolution Y and alpha, and half-resolution U, V and alpha,
    each chroma sample covering the same 2x2 block of the frame as it does once pasted."""

    y: Image.Image
    alpha: Image.Image
    u: Image.Image
    v: Image.Image
    alpha_c: Image.Image
    odd_x: int  # the transparent columns and rows in front
    odd_y: int


def _padded(image: Image.Image, odd_x: int, odd_y: int) -> Image.Image:
    """``image`` with ``odd_x`` / ``odd_y`` transparent columns/rows in front and even sides."""
    w, h = image.size
    right, bottom = w + odd_x + (w + odd_x) % 2, h + odd_y + (h + odd_y) % 2
    if (odd_x, odd_y, right, bottom) == (0, 0, w, h):
        return image
    return image.crop((-odd_x, -odd_y, right - odd_x, bottom - odd_y))  # outside is zero


def planar_sprite(image: Image.Image, odd_x: int, odd_y: int) -> PlanarSprite:
    """``image`` (RGBA) for pasting at an x of parity ``odd_x`` and a y of parity ``odd_y``."""
    rgba = _padded(image if image.mode == "RGBA" else image.convert("RGBA"), odd_x, odd_y)
    y, cb, cr = rgba.convert("YCbCr").split()
    alpha = rgba.getchannel("A")
    alpha_c = alpha.reduce(2)
    weight = np.maximum(pixels(alpha_c).astype(np.float32), 0.5)
    chroma = []
    for plane in (cb, cr):
        # The alpha-weighted mean of each block: transparent pixels lend it no colour.
        weighted = ImageChops.multiply(plane.point(_C_LUT), alpha).reduce(2)
        mean = pixels(weighted).astype(np.float32) * 255 / weight
        chroma.append(Image.fromarray(np.clip(mean + 0.5, 0, 255).astype(np.uint8)))
    return PlanarSprite(y.point(_Y_LUT), alpha, chroma[0], chroma[1], alpha_c, odd_x, odd_y)


def chroma_mask(mask: Image.Image, odd_x: int, odd_y: int) -> Image.Image:
    """An "L" mask at half resolution, aligned like ``planar_sprite``'s chroma."""
    return _padded(mask, odd_x, odd_y).reduce(2)


SMALL_SPRITE = 128 * 128  # px; see SpriteCache.sprite


class SpriteCache:
    """Planar conversions of the RGBA images a video pastes again and again, keyed by identity.

    Each entry keeps its source image alive, so an ``id`` can't be reused by another image
    while it is cached.
    """

    def __init__(self) -> None:
        self._sprites: dict[tuple[int, int, int], tuple[Image.Image, PlanarSprite]] = {}
        self._masks: dict[tuple[int, int, int], tuple[Image.Image, Image.Image]] = {}

    def sprite(self, image: Image.Image, odd_x: int, odd_y: int, keep: bool) -> PlanarSprite:
        if not keep:
            return planar_sprite(image, odd_x, odd_y)
        if image.width * image.height <= SMALL_SPRITE:
            # A particle moves to every parity; its chroma one pixel off is invisible.
            odd_x = odd_y = 0
        key = (id(image), odd_x, odd_y)
        hit = self._sprites.get(key)
        if hit is None or hit[0] is not image:
            hit = (image, planar_sprite(image, odd_x, odd_y))
            self._sprites[key] = hit
        return hit[1]

    def mask(self, mask: Image.Image, odd_x: int, odd_y: int) -> Image.Image:
        key = (id(mask), odd_x, odd_y)
        hit = self._masks.get(key)
        if hit is None or hit[0] is not mask:
            hit = (mask, chroma_mask(mask, odd_x, odd_y))
            self._masks[key] = hit
        return hit[1]


def paste_sprite(planes: Planes, sprite: PlanarSprite, x: int, y: int) -> None:
    """``sprite`` with its image's top-left at (x, y): luma exactly there, chroma in the 2x2
    block holding (x, y) (exact when the sprite was made for the parity of x and y)."""
    planes.y.paste(sprite.y, (x - sprite.odd_x, y - sprite.odd_y), sprite.alpha)
    planes.u.paste(sprite.u, (x // 2, y // 2), sprite.alpha_c)
    planes.v.paste(sprite.v, (x // 2, y // 2), sprite.alpha_c)


def tint(planes: Planes, colour: RGB, mask: Image.Image, mask_c: Image.Image, x: int,
         y: int) -> None:
    """``colour`` laid over the frame through ``mask`` (and its chroma-resolution twin)."""
    cy, cu, cv = yuv_colour(colour)
    planes.y.paste(cy, (x, y), mask)
    planes.u.paste(cu, (x // 2, y // 2), mask_c)
    planes.v.paste(cv, (x // 2, y // 2), mask_c)


def fade_to(planes: Planes, colour: RGB, amount: float) -> Planes:
    """The frame blended ``amount`` of the way to a solid ``colour`` (a flash)."""
    targets = yuv_colour(colour)
    out = []
    for plane, target in zip((planes.y, planes.u, planes.v), targets, strict=True):
        out.append(plane.point([round(v + (target - v) * amount) for v in range(256)]))
    return Planes(*out)


def blend(a: Planes, b: Planes, amount: float) -> Planes:
    """A new frame ``amount`` of the way from ``a`` to ``b`` (quantised to 1/255).

    ``b`` pasted over a copy of ``a`` through a flat mask: Pillow's integer paste costs a
    quarter less than ``Image.blend``'s float arithmetic, and an end point is only a copy.
    """
    level = round(min(max(amount, 0.0), 1.0) * 255)
    if level in (0, 255):
        return (a if level == 0 else b).copy()
    out = a.copy()
    for target, source in ((out.y, b.y), (out.u, b.u), (out.v, b.v)):
        target.paste(source, (0, 0), _flat_mask(source.size, level))
    return out


@lru_cache(maxsize=32)
def _flat_mask(size: tuple[int, int], level: int) -> Image.Image:
    return Image.new("L", size, level)


Shape = tuple[str, tuple[float, float, float, float], RGB, int]


def draw_shapes_rgb(image: Image.Image, shapes: list[Shape]) -> None:
    """Filled rectangles, rounded rectangles and ellipses: (kind, box, colour, radius)."""
    draw = ImageDraw.Draw(image)
    for kind, box, colour, radius in shapes:
        if kind == "rectangle":
            draw.rectangle(box, fill=colour)
        elif kind == "rounded":
            draw.rounded_rectangle(box, radius=radius, fill=colour)
        else:
            draw.ellipse(box, fill=colour)


def draw_shapes_planar(planes: Planes, shapes: list[Shape]) -> None:
    """The same shapes drawn on each plane (chroma at half the coordinates)."""
    draws = [(ImageDraw.Draw(planes.y), 1.0), (ImageDraw.Draw(planes.u), 0.5),
             (ImageDraw.Draw(planes.v), 0.5)]
    for kind, box, colour, radius in shapes:
        values = yuv_colour(colour)
        for (draw, scale), value in zip(draws, values, strict=True):
            scaled = tuple(c * scale for c in box)
            if kind == "rectangle":
                draw.rectangle(scaled, fill=value)
            elif kind == "rounded":
                draw.rounded_rectangle(scaled, radius=int(radius * scale), fill=value)
            else:
                draw.ellipse(scaled, fill=value)
