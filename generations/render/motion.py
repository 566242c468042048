"""The motion engine: per-layer timelines, camera, particles, light, liquids -> H.264 MP4.

A video is the static scene brought to life: every sprite the layout produced gets an entrance
on a timeline, the background gets a camera move, and the animation prompt's recipe adds
particles, light sweeps, drips or distortion. The last frames equal the static ad (which passed
its gates) and hold the CTA.

Each frame is a list of drawing operations (see "frame operations" below). ``SceneAnimator.frame``
draws them in RGB (posters, previews); the encoder gets them drawn straight on YUV 4:2:0 planes
(``PlanarRenderer``, yuv.py), where everything that did not change since the previous frame (the
camera's background level with every settled layer) is kept as a plate and only what moves is
drawn on a copy of it.
"""

from __future__ import annotations

import io
import math
import os
import tempfile
import threading
import time
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from queue import Empty, Queue
from typing import Any, TypeVar

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from generations import catalogue

from .colour import RGB, hex_to_rgb, mix
from .imaging import pixels
from .layout import Scene, Sprite
from .specs import RenderedFile
from .yuv import (
    Planes,
    Shape,
    SpriteCache,
    blend,
    draw_shapes_planar,
    draw_shapes_rgb,
    fade_to,
    full_res_planes,
    paste_sprite,
    rgb_to_planes,
    tint,
)

FPS = 30
T = TypeVar("T")
X264_OPTIONS = {"preset": "ultrafast", "crf": "21"}


# --------------------------------------------------------------------------- easing
def clamp01(v: float) -> float:
    return 0.0 if v < 0 else 1.0 if v > 1 else v


def ease_out_cubic(t: float) -> float:
    return 1 - (1 - clamp01(t)) ** 3


def ease_in_out(t: float) -> float:
    t = clamp01(t)
    return 3 * t * t - 2 * t * t * t


def ease_out_back(t: float) -> float:
    t = clamp01(t)
    c = 1.70158
    return 1 + (c + 1) * (t - 1) ** 3 + c * (t - 1) ** 2


# --------------------------------------------------------------------------- timelines
# role -> (start s, length s, default entrance); compressed for short videos.
ENTRANCES: dict[str, tuple[float, float, str]] = {
    "panel": (0.0, 0.45, "fade"), "gradient": (0.0, 0.45, "fade"), "scrim": (0.3, 0.4, "fade"),
    "product": (0.05, 0.85, "rise"), "product_alt": (0.2, 0.7, "fade"),
    "logo": (0.15, 0.5, "fade"), "wordmark": (0.15, 0.5, "fade"), "eyebrow": (0.3, 0.4, "fade"),
    "headline": (0.35, 1.0, "slide_up"), "stars": (0.6, 0.4, "fade"),
    "body": (0.35, 0.5, "slide_up"), "list": (0.35, 0.6, "slide_up"), "label": (0.3, 0.4, "fade"),
    "badge": (0.5, 0.45, "pop"), "cta": (0.7, 0.5, "pop"),
}
# Frame 0 is the platform's thumbnail and the first thing a scrolling viewer sees: the hook
# (headline, product, brand, and what they sit on) is already there, finished and readable,
# and *settles* into place (a small drift or scale, fully opaque) while the supporting lines
# and the CTA animate in within the first second.
HOOK_ROLES = ("panel", "gradient", "scrim", "product", "product_alt", "logo", "wordmark",
              "eyebrow", "headline", "stars")
SETTLE = {"rise": "settle_rise", "slide_up": "settle_rise", "slide_left": "settle_left",
          "scale": "settle_scale", "pop": "settle_scale", "words": "settle_scale",
          "mask": "settle_left", "fade": "settle_scale"}
SETTLE_SECONDS = 1.2


@dataclass
class LayerState:
    """Where one sprite is at time t: offset, scale, opacity and how much is revealed."""

    dx: float = 0.0
    dy: float = 0.0
    scale: float = 1.0
    opacity: float = 1.0
    reveal: float = 1.0  # fraction of words (or width, for masks) shown
    mode: str = ""


def entrance_state(kind: str, p: float, height: int) -> LayerState:
    """The state of an entrance ``kind`` at progress p in [0, 1] (1 = settled)."""
    e = ease_out_cubic(p)
    if kind == "fade":
        return LayerState(opacity=e)
    if kind == "slide_up":
        return LayerState(dy=(1 - e) * height * 0.035, opacity=e)
    if kind == "rise":
        return LayerState(dy=(1 - e) * height * 0.08, opacity=clamp01(p * 2.5))
    if kind == "slide_left":
        return LayerState(dx=(1 - e) * height * 0.2, opacity=clamp01(p * 2))
    if kind == "scale":
        return LayerState(scale=0.82 + 0.18 * e, opacity=clamp01(p * 2))
    if kind == "pop":
        return LayerState(scale=max(0.01, 0.6 + 0.4 * ease_out_back(p)), opacity=clamp01(p * 3))
    if kind == "words":
        return LayerState(reveal=clamp01(p), mode="words")
    if kind == "mask":
        return LayerState(reveal=ease_in_out(p), mode="mask")
    if kind == "settle_rise":
        return LayerState(dy=(1 - e) * height * 0.012)
    if kind == "settle_left":
        return LayerState(dx=(1 - e) * height * 0.012)
    if kind == "settle_scale":
        return LayerState(scale=1.045 - 0.045 * e)
    return LayerState()


def camera_state(move: dict, t: float, duration: float) -> tuple[float, float, float]:
    """(zoom, pan_x, pan_y) for the background; pans in fractions of the frame."""
    amount = float(move.get("amount", 0.05))
    p = ease_in_out(t / duration)
    kind = move.get("move", "push_in")
    if kind == "push_in":
        return 1 + amount * p, 0.0, 0.0
    if kind == "pull_out":
        return 1 + amount * (1 - p), 0.0, 0.0
    if kind == "pan":
        sign = -1 if move.get("direction") == "left" else 1
        return 1 + amount, sign * amount * (p - 0.5), 0.0
    if kind == "parallax":
        return 1 + amount, amount * 0.5 * (p - 0.5), amount * 0.25 * (0.5 - p)
    return 1.0, 0.0, 0.0


# --------------------------------------------------------------------------- background camera
class CameraBackground:
    """Background frames under a camera move without a full-frame resize per frame.

    Zoom levels 0.4% apart are scaled lazily and cached; each frame crops the nearest level.
    A 0.4% step moves the frame edge by ~2 px (the centre not at all), which is invisible on
    the soft backgrounds styles paint, and saves a resize or blend on every frame. Levels are
    kept in RGB for ``frame`` and as YUV planes for ``planar_crop`` (the encoder's path).
    """

    STEP = 0.004

    def __init__(self, background: Image.Image, max_zoom: float):
        self.background = background
        self.w, self.h = background.size
        self.max_zoom = max(1.0, max_zoom)
        self.levels: dict[int, Image.Image] = {0: background}
        self.planar_levels: dict[int, Planes] = {}

    def _level(self, index: int) -> Image.Image:
        if index not in self.levels:
            self.levels[index] = self.background.resize(self._level_size(index),
                                                        Image.Resampling.BILINEAR)
        return self.levels[index]

    def _level_size(self, index: int) -> tuple[int, int]:
        z = 1.0 + index * self.STEP
        return round(self.w * z), round(self.h * z)

    def locate(self, zoom: float, pan_x: float, pan_y: float) -> tuple[int, int, int]:
        """(level, x, y): which zoom level a camera state uses and where the frame sits in it."""
        index = round((min(max(zoom, 1.0), self.max_zoom) - 1.0) / self.STEP)
        level_w, level_h = self._level_size(index)
        spare_x, spare_y = level_w - self.w, level_h - self.h
        x = round(spare_x / 2 + pan_x * self.w)
        y = round(spare_y / 2 + pan_y * self.h)
        return index, min(max(0, x), spare_x), min(max(0, y), spare_y)

    def crop(self, index: int, x: int, y: int) -> Image.Image:
        return self._level(index).crop((x, y, x + self.w, y + self.h))

    def frame(self, zoom: float, pan_x: float, pan_y: float) -> Image.Image:
        return self.crop(*self.locate(zoom, pan_x, pan_y))

    def planar_crop(self, index: int, x: int, y: int) -> Planes:
        if not self.planar_levels:
            self.planar_levels[0] = rgb_to_planes(self.background)
        if index not in self.planar_levels:
            # Each plane is scaled on its own: resampling is linear, like the conversion.
            base = self.planar_levels[0]
            level_w, level_h = self._level_size(index)
            chroma = ((level_w + 1) // 2, (level_h + 1) // 2)
            self.planar_levels[index] = Planes(
                base.y.resize((level_w, level_h), Image.Resampling.BILINEAR),
                base.u.resize(chroma, Image.Resampling.BILINEAR),
                base.v.resize(chroma, Image.Resampling.BILINEAR))
        level = self.planar_levels[index]
        cx, cy = x // 2, y // 2
        return Planes(level.y.crop((x, y, x + self.w, y + self.h)),
                      level.u.crop((cx, cy, cx + self.w // 2, cy + self.h // 2)),
                      level.v.crop((cx, cy, cx + self.w // 2, cy + self.h // 2)))


class DistortedBackground:
    """A short loop of liquid or swirl distortion frames, warped at half resolution.

    The loop's frames are made lazily: as YUV planes for the encoder (chroma is warped at the
    half resolution it is encoded at, only Y is scaled up) and in RGB only for the frames a
    caller asks for as images (the poster).
    """

    LOOP_RATE = 6  # distinct loop frames per second, blended in between

    def __init__(self, background: Image.Image, kind: str, amount: float, centre: tuple[int, int],
                 loop_frames: int = 12):
        self.size = background.size
        w, h = background.size
        self.small = background.resize((w // 2, h // 2), Image.Resampling.BILINEAR)
        self.kind, self.amount, self.centre = kind, amount, centre
        self.loop_frames = loop_frames
        self.rgb_frames: dict[int, Image.Image] = {}
        self.planar_frames: dict[int, Planes] = {}
        self._small_planes: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._swirl: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def _source(self, index: int) -> np.ndarray:
        """Where each half-resolution pixel of loop frame ``index`` is read from, as flat
        indices into the half-resolution image."""
        sw, sh = self.small.size
        phase = 2 * math.pi * index / self.loop_frames
        amount = self.amount
        if self.kind == "swirl":
            if self._swirl is None:
                ys, xs = np.mgrid[0:sh, 0:sw].astype(np.float32)
                dx, dy = xs - self.centre[0] / 2, ys - self.centre[1] / 2
                falloff = amount * 0.6 * np.exp(-np.sqrt(dx * dx + dy * dy) / (sw * 0.45))
                self._swirl = dx, dy, falloff
            dx, dy, falloff = self._swirl
            theta = falloff * math.sin(phase)
            cos, sin = np.cos(theta), np.sin(theta)
            sx = self.centre[0] / 2 + dx * cos - dy * sin
            sy = self.centre[1] / 2 + dx * sin + dy * cos
        else:
            # Each offset depends on one coordinate only: computed on a row and a column.
            xs = np.arange(sw, dtype=np.float32)[None, :]
            ys = np.arange(sh, dtype=np.float32)[:, None]
            a = amount * sw * 0.02
            sx = xs + a * np.sin(2 * math.pi * ys / (sh * 0.25) + phase)
            sy = ys + a * 0.6 * np.cos(2 * math.pi * xs / (sw * 0.3) + phase)
        column = np.clip(sx, 0, sw - 1).astype(np.int32)
        row = np.clip(sy, 0, sh - 1).astype(np.int32)
        return row * sw + column

    def _rgb(self, index: int) -> Image.Image:
        if index not in self.rgb_frames:
            source = self._source(index)
            small = np.asarray(self.small).reshape(-1, 3)
            warped = Image.fromarray(small[source.ravel()].reshape(*source.shape, 3))
            self.rgb_frames[index] = warped.resize(self.size, Image.Resampling.BILINEAR)
        return self.rgb_frames[index]

    def _planar(self, index: int) -> Planes:
        if index not in self.planar_frames:
            if self._small_planes is None:
                self._small_planes = tuple(  # type: ignore[assignment]
                    pixels(p).ravel() for p in full_res_planes(self.small))
            assert self._small_planes is not None
            source = self._source(index)
            y, u, v = (Image.fromarray(np.take(p, source)) for p in self._small_planes)
            self.planar_frames[index] = Planes(y.resize(self.size, Image.Resampling.BILINEAR),
                                               u, v)
        return self.planar_frames[index]

    def position(self, t: float) -> tuple[int, int, float]:
        """The two loop frames time ``t`` falls between and how far it is from the first."""
        position = (t * self.LOOP_RATE) % self.loop_frames
        low = int(position)
        return low, (low + 1) % self.loop_frames, position - low

    def frame(self, t: float) -> Image.Image:
        low, high, weight = self.position(t)
        if weight == 0:
            return self._rgb(low).copy()
        return Image.blend(self._rgb(low), self._rgb(high), weight)

    def planar_frame(self, t: float) -> Planes:
        low, high, weight = self.position(t)
        return blend(self._planar(low), self._planar(high), weight)


# --------------------------------------------------------------------------- frame operations
# A frame is a list of operations (a background, then pastes, tints, shapes, fades), drawn
# either on an RGB image (``SceneAnimator.frame``: posters, previews, tests) or on YUV planes
# (``PlanarRenderer``: what the encoder gets). Each operation has a ``key`` that is equal
# between two frames exactly when it draws the same thing, so a renderer can keep the result
# of the leading operations that did not change (the background with every settled layer)
# and draw only what moves on top of it.
class Unsupported(Exception):
    """An operation with no planar form; the frame is drawn in RGB and converted instead."""


class FrameOp:
    key: Hashable

    def rgb(self, frame: Image.Image | None) -> Image.Image:
        raise NotImplementedError

    def planar(self, frame: Planes | None, sprites: SpriteCache) -> Planes:
        raise NotImplementedError


class CameraOp(FrameOp):
    """The background under the camera: one zoom level, cropped."""

    def __init__(self, camera: CameraBackground, zoom: float, pan_x: float, pan_y: float):
        self.camera = camera
        self.where = camera.locate(zoom, pan_x, pan_y)
        self.key = ("camera", id(camera), *self.where)

    def rgb(self, frame: Image.Image | None) -> Image.Image:
        return self.camera.crop(*self.where)

    def planar(self, frame: Planes | None, sprites: SpriteCache) -> Planes:
        return self.camera.planar_crop(*self.where)


class DistortOp(FrameOp):
    def __init__(self, background: DistortedBackground, t: float):
        self.background, self.t = background, t
        self.key = ("distort", id(background), background.position(t))

    def rgb(self, frame: Image.Image | None) -> Image.Image:
        return self.background.frame(self.t)

    def planar(self, frame: Planes | None, sprites: SpriteCache) -> Planes:
        return self.background.planar_frame(self.t)


class PasteOp(FrameOp):
    """An RGBA image over the frame at (x, y). ``keep``: the image is reused across frames
    (a cached sprite or fade level), so its planar conversion is worth caching."""

    def __init__(self, image: Image.Image, x: int, y: int, keep: bool):
        self.image, self.x, self.y, self.keep = image, x, y, keep
        self.key = ("paste", id(image), x, y)

    def rgb(self, frame: Image.Image | None) -> Image.Image:
        assert frame is not None
        frame.paste(self.image, (self.x, self.y), self.image)
        return frame

    def planar(self, frame: Planes | None, sprites: SpriteCache) -> Planes:
        assert frame is not None
        sprite = sprites.sprite(self.image, self.x % 2, self.y % 2, self.keep)
        paste_sprite(frame, sprite, self.x, self.y)
        return frame


class TintOp(FrameOp):
    """A solid colour laid over the frame through a (cached) mask: light."""

    def __init__(self, colour: RGB, mask: Image.Image, x: int, y: int):
        self.colour, self.mask, self.x, self.y = colour, mask, x, y
        self.key = ("tint", colour, id(mask), x, y)

    def rgb(self, frame: Image.Image | None) -> Image.Image:
        assert frame is not None
        frame.paste(self.colour, (self.x, self.y), self.mask)
        return frame

    def planar(self, frame: Planes | None, sprites: SpriteCache) -> Planes:
        assert frame is not None
        tint(frame, self.colour, self.mask, sprites.mask(self.mask, self.x % 2, self.y % 2),
             self.x, self.y)
        return frame


class ShapesOp(FrameOp):
    def __init__(self, shapes: list[Shape]):
        self.shapes = shapes
        self.key = ("shapes", tuple(shapes))

    def rgb(self, frame: Image.Image | None) -> Image.Image:
        assert frame is not None
        draw_shapes_rgb(frame, self.shapes)
        return frame

    def planar(self, frame: Planes | None, sprites: SpriteCache) -> Planes:
        assert frame is not None
        draw_shapes_planar(frame, self.shapes)
        return frame


class FadeOp(FrameOp):
    """The whole frame blended towards a colour (a flash)."""

    def __init__(self, colour: RGB, amount: float):
        self.colour, self.amount = colour, amount
        self.key = ("fade", colour, amount)

    def rgb(self, frame: Image.Image | None) -> Image.Image:
        assert frame is not None
        return Image.blend(frame, Image.new("RGB", frame.size, self.colour), self.amount)

    def planar(self, frame: Planes | None, sprites: SpriteCache) -> Planes:
        assert frame is not None
        return fade_to(frame, self.colour, self.amount)


class GlitchOp(FrameOp):
    """Red and blue shifted apart: an RGB-only effect."""

    def __init__(self, shift: int):
        self.shift = shift
        self.key = ("glitch", shift)

    def rgb(self, frame: Image.Image | None) -> Image.Image:
        assert frame is not None
        arr = np.asarray(frame).copy()
        arr[..., 0] = np.roll(arr[..., 0], self.shift, axis=1)
        arr[..., 2] = np.roll(arr[..., 2], -self.shift, axis=1)
        return Image.fromarray(arr)

    def planar(self, frame: Planes | None, sprites: SpriteCache) -> Planes:
        raise Unsupported("glitch")


def draw_rgb(ops: Iterable[FrameOp]) -> Image.Image:
    frame: Image.Image | None = None
    for op in ops:
        frame = op.rgb(frame)
    assert frame is not None
    return frame


def _common_prefix(a: list[Hashable], b: list[Hashable]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


class PlanarRenderer:
    """Draws a video's frames on YUV planes, reusing a plate: the drawn result of the leading
    operations that were the same in the previous frame (the camera level and every settled
    layer), so a frame costs only what moves in it.

    The plate holds on to its operations, and so to the images their keys name: an ``id`` in
    a key can't be taken by a new image while it is compared against.
    """

    def __init__(self) -> None:
        self.sprites = SpriteCache()
        self.previous: list[FrameOp] = []
        self.plate: Planes | None = None
        self.plate_ops: list[FrameOp] = []

    def render(self, ops: list[FrameOp]) -> Planes:
        """The frame's planes (possibly the plate itself: read them, don't draw on them)."""
        keys = [op.key for op in ops]
        stable = _common_prefix(keys, [op.key for op in self.previous])
        self.previous = ops
        plate_keys = [op.key for op in self.plate_ops]
        done, frame = 0, None
        if self.plate is not None and _common_prefix(keys, plate_keys) == len(plate_keys):
            done, frame = len(plate_keys), self.plate
        try:
            if stable > done:
                frame = self._draw(ops[done:stable], frame.copy() if frame else None)
                self.plate, self.plate_ops, done = frame, ops[:stable], stable
            if done == len(ops):
                assert frame is not None
                return frame
            return self._draw(ops[done:], frame.copy() if frame else None)
        except Unsupported:
            self.plate, self.plate_ops = None, []
            return rgb_to_planes(draw_rgb(ops))

    def _draw(self, ops: list[FrameOp], frame: Planes | None) -> Planes:
        for op in ops:
            frame = op.planar(frame, self.sprites)
        assert frame is not None
        return frame


# --------------------------------------------------------------------------- particles
PARTICLE_KINDS = ("droplets", "bubbles", "sparkles", "petals", "dust", "steam", "confetti",
                  "bokeh")


def _particle_sprite(kind: str, size: int, colour: RGB, rng: np.random.Generator) -> Image.Image:
    s = max(4, size)
    pad = s // 2
    image = Image.new("RGBA", (s + pad * 2, s + pad * 2), (0, 0, 0, 0))
    d = ImageDraw.Draw(image)
    box = (pad, pad, pad + s, pad + s)
    if kind == "droplets":
        d.ellipse((pad, pad + s * 0.35, pad + s * 0.7, pad + s * 1.05), fill=(*colour, 200))
        d.polygon([(pad + s * 0.35, pad), (pad + s * 0.05, pad + s * 0.6),
                   (pad + s * 0.65, pad + s * 0.6)], fill=(*colour, 200))
        d.ellipse((pad + s * 0.15, pad + s * 0.55, pad + s * 0.3, pad + s * 0.75),
                  fill=(255, 255, 255, 220))
    elif kind == "bubbles":
        d.ellipse(box, outline=(*colour, 210), width=max(2, s // 12))
        d.ellipse((pad + s * 0.2, pad + s * 0.2, pad + s * 0.4, pad + s * 0.4),
                  fill=(255, 255, 255, 200))
    elif kind == "sparkles":
        c, r = pad + s / 2, s / 2
        k = r * 0.18
        d.polygon([(c, c - r), (c + k, c - k), (c + r, c), (c + k, c + k), (c, c + r),
                   (c - k, c + k), (c - r, c), (c - k, c - k)], fill=(*colour, 235))
    elif kind == "petals":
        d.ellipse((pad, pad + s * 0.25, pad + s, pad + s * 0.75), fill=(*colour, 225))
        image = image.rotate(float(rng.integers(0, 180)), resample=Image.Resampling.BICUBIC)
    elif kind == "confetti":
        d.rectangle((pad, pad + s * 0.3, pad + s, pad + s * 0.6), fill=(*colour, 240))
        image = image.rotate(float(rng.integers(0, 180)), resample=Image.Resampling.BICUBIC)
    elif kind == "steam":
        d.ellipse(box, fill=(*colour, 70))
        image = image.filter(ImageFilter.GaussianBlur(s * 0.22))
    elif kind == "bokeh":
        d.ellipse(box, fill=(*colour, 60))
        image = image.filter(ImageFilter.GaussianBlur(s * 0.06))
    else:  # dust
        d.ellipse(box, fill=(*colour, 170))
    return image


class ParticleField:
    """Seeded particles that loop over the video: each kind has its own path and look."""

    SIZES = {"droplets": 0.035, "bubbles": 0.03, "sparkles": 0.03, "petals": 0.04, "dust": 0.006,
             "steam": 0.3, "confetti": 0.022, "bokeh": 0.12}

    def __init__(self, spec: dict, palette: dict[str, RGB], size: tuple[int, int], seed: int,
                 centre: tuple[int, int]):
        self.kind = spec.get("kind", "dust")
        self.direction = spec.get("direction", "down" if self.kind in (
            "droplets", "petals", "confetti") else "up")
        self.speed = float(spec.get("speed", 0.4))
        self.w, self.h = size
        self.centre = centre
        rng = np.random.default_rng(seed)
        count = int(spec.get("count", 20))
        colours = self._colours(spec.get("color", "accent"), palette)
        base = self.SIZES.get(self.kind, 0.02) * float(spec.get("size", 1.0)) * min(size)
        self.sprites = [_particle_sprite(self.kind, int(base * (0.6 + 0.8 * rng.random())),
                                         colours[i % len(colours)], rng) for i in range(count)]
        self.x0 = rng.random(count)
        self.y0 = rng.random(count)
        self.phase = rng.random(count)
        self.rate = 0.6 + 0.8 * rng.random(count)
        self.alpha_cache: dict[tuple[int, int], Image.Image] = {}

    @staticmethod
    def _colours(colour: str, palette: dict[str, RGB]) -> list[RGB]:
        if colour == "palette":
            return [palette["primary"], palette["accent"], palette["secondary"],
                    mix(palette["primary"], (255, 255, 255), 0.5)]
        if colour.startswith("#"):
            return [hex_to_rgb(colour)]
        return [palette.get(colour, palette["accent"])]

    def _faded(self, index: int, alpha: float) -> Image.Image:
        level = int(alpha * 8)
        key = (index, level)
        if key not in self.alpha_cache:
            sprite = self.sprites[index]
            a = sprite.getchannel("A").point(lambda v: int(v * level / 8))
            faded = sprite.copy()
            faded.putalpha(a)
            self.alpha_cache[key] = faded
        return self.alpha_cache[key]

    def ops(self, t: float, intensity: float = 1.0) -> list[FrameOp]:
        """Where every particle is at ``t``, as pastes of cached sprites."""
        w, h = self.w, self.h
        out: list[FrameOp] = []
        for i, sprite in enumerate(self.sprites):
            travel = (self.phase[i] + t * self.speed * self.rate[i] * 0.25) % 1.0
            x, y = self.x0[i] * w, self.y0[i] * h
            alpha = intensity
            if self.direction == "down":
                y = travel * (h + sprite.height) - sprite.height
                x += math.sin(t * 1.3 + self.phase[i] * 6) * w * 0.01
            elif self.direction == "up":
                y = h - travel * (h + sprite.height)
                x += math.sin(t * 1.7 + self.phase[i] * 6) * w * 0.015
            elif self.direction == "right":
                x = travel * (w + sprite.width) - sprite.width
            elif self.direction == "out":
                angle = self.phase[i] * 2 * math.pi
                radius = travel * max(w, h) * 0.6
                x = self.centre[0] + math.cos(angle) * radius
                y = self.centre[1] + math.sin(angle) * radius
                alpha *= 1 - travel
            if self.kind in ("sparkles", "bokeh"):
                x, y = self.x0[i] * w, self.y0[i] * h + math.sin(t + self.phase[i] * 6) * h * 0.01
                alpha *= 0.5 + 0.5 * math.sin(t * 3 * self.rate[i] + self.phase[i] * 6)
            if self.kind == "steam":
                alpha *= math.sin(travel * math.pi)
            if alpha <= 0.06:
                continue
            image = sprite if alpha >= 0.94 else self._faded(i, alpha)
            out.append(PasteOp(image, int(x - sprite.width / 2), int(y - sprite.height / 2),
                               keep=True))
        return out

    def draw(self, frame: Image.Image, t: float, intensity: float = 1.0) -> None:
        for op in self.ops(t, intensity):
            op.rgb(frame)


# --------------------------------------------------------------------------- overlays
def drip_shapes(size: tuple[int, int], t: float, spec: dict, palette: dict[str, RGB],
                seed: int, limit: float) -> list[Shape]:
    """Liquid dripping from the top edge: a band plus drips that grow, with glossy heads."""
    colour = spec.get("color", "accent")
    rgb = hex_to_rgb(colour) if colour.startswith("#") else palette.get(colour, palette["accent"])
    w, h = size
    rng = np.random.default_rng(seed)
    band = int(h * 0.025)
    shapes: list[Shape] = [("rectangle", (0, 0, w, band), rgb, 0)]
    count = int(spec.get("count", 5))
    xs = np.sort(rng.random(count)) * w * 0.9 + w * 0.05
    highlight = mix(rgb, (255, 255, 255), 0.45)
    for x in (float(v) for v in xs):
        start = 0.2 + rng.random() * 1.2
        grow = ease_in_out((t - start) / (2.5 + rng.random() * 2))
        length = band + grow * h * limit * (0.4 + 0.6 * rng.random())
        width = w * (0.018 + rng.random() * 0.02)
        shapes += [
            ("rounded", (x - width / 2, 0, x + width / 2, length), rgb, int(width / 2)),
            ("ellipse", (x - width * 0.7, length - width * 1.1, x + width * 0.7,
                         length + width * 0.3), rgb, 0),
            ("ellipse", (x - width * 0.35, length - width * 0.7, x - width * 0.05,
                         length - width * 0.35), highlight, 0)]
    return shapes


class LightSweep:
    """A soft diagonal band of light crossing the frame once."""

    def __init__(self, size: tuple[int, int], start: float = 1.0, length: float = 1.4):
        w, h = size
        self.w, self.h, self.start, self.length = w, h, start, length
        band_w = int(w * 0.35)
        ramp = np.sin(np.linspace(0, math.pi, band_w, dtype=np.float32)) ** 2
        mask = Image.fromarray((np.tile(ramp, (h // 2, 1)) * 70).astype(np.uint8), "L")
        mask = mask.resize((band_w, h), Image.Resampling.BILINEAR)
        self.mask = mask.transform(mask.size, Image.Transform.AFFINE,
                                   (1, 0.35, -h * 0.175, 0, 1, 0),
                                   resample=Image.Resampling.BILINEAR)

    def op(self, t: float) -> TintOp | None:
        p = (t - self.start) / self.length
        if not 0 < p < 1:
            return None
        x = int(-self.mask.width + ease_in_out(p) * (self.w + self.mask.width * 1.5))
        return TintOp((255, 255, 255), self.mask, x, 0)

    def draw(self, frame: Image.Image, t: float) -> None:
        op = self.op(t)
        if op is not None:
            op.rgb(frame)


# --------------------------------------------------------------------------- the animator
class SceneAnimator:
    """Renders frame i of a scene animated by one animation prompt's recipe."""

    def __init__(self, scene: Scene, recipe: dict, duration: float, seed: int):
        self.scene, self.recipe, self.duration, self.seed = scene, recipe, duration, seed
        self.size = (scene.width, scene.height)
        # Entrances are laid out for 6 s; shorter videos compress them so the CTA still holds.
        self.time_scale = min(1.0, max(0.45, (duration - 1.5) / 4.5))
        camera = recipe.get("camera", {"move": "push_in", "amount": 0.05})
        self.camera = camera
        max_zoom = camera_state(camera, duration, duration)[0]
        max_zoom = max(max_zoom, 1 + float(camera.get("amount", 0.05)))
        products = [s for s in scene.sprites if s.role == "product"]
        product = products[-1] if products else None
        self.centre = ((product.x + product.image.width // 2, product.y + product.image.height // 2)
                       if product else (scene.width // 2, scene.height // 2))
        distortion = recipe.get("distortion")
        self.distorted = DistortedBackground(scene.background, distortion.get("kind", "liquid"),
                                             float(distortion.get("amount", 0.5)),
                                             self.centre) if distortion else None
        self.camera_bg = None if distortion else CameraBackground(scene.background, max_zoom)
        self.particles = ParticleField(recipe["particles"], scene.palette, self.size, seed,
                                       self.centre) if recipe.get("particles") else None
        self.sweep = LightSweep(self.size) if recipe.get("light_sweep") else None
        self.variants: dict[tuple[int, int, int], Image.Image] = {}

    # -- layer timeline
    def _entrance(self, sprite: Sprite) -> tuple[float, float, str]:
        start, length, kind = ENTRANCES.get(sprite.role, (0.2, 0.5, "fade"))
        if sprite.role in ("product", "product_alt"):
            kind = self.recipe.get("product", kind)
        if sprite.role in ("headline", "body", "list"):
            kind = self.recipe.get("text", kind)
            if kind == "words" and sprite.role != "headline":
                length = max(length, 0.3 * max(1, len(sprite.words)) * 0.6)
        if sprite.role in HOOK_ROLES:
            # Visible from frame 0; the recipe's entrance becomes how it settles.
            return -1e-6, SETTLE_SECONDS * self.time_scale, SETTLE.get(kind, "settle_scale")
        return start * self.time_scale, length * self.time_scale, kind

    def _variant(self, index: int, sprite: Sprite, scale: float = 1.0,
                 opacity: float = 1.0) -> Image.Image:
        """The sprite scaled (in 0.25% steps) and faded (in 1/16 steps), cached: entrances and
        the camera's depth revisit the same few variants, and each one is converted for the
        encoder once."""
        step = round(scale * 400)
        level = 16 if opacity >= 0.999 else int(opacity * 16)
        key = (index, step, level)
        if key in self.variants:
            return self.variants[key]
        if level < 16:
            base = self._variant(index, sprite, step / 400)
            image = base.copy()
            image.putalpha(base.getchannel("A").point(lambda v: v * level // 16))
        elif step == 400:
            image = sprite.image
        else:
            factor = step / 400
            image = sprite.image.resize((max(1, int(sprite.image.width * factor)),
                                         max(1, int(sprite.image.height * factor))),
                                        Image.Resampling.BILINEAR)
        self.variants[key] = image
        return image

    def _reveal_words(self, sprite: Sprite, fraction: float) -> Image.Image:
        count = len(sprite.words)
        shown = fraction * count
        mask = Image.new("L", sprite.image.size, 0)
        d = ImageDraw.Draw(mask)
        for i, box in enumerate(sprite.words):
            level = clamp01(shown - i)
            if level > 0:
                d.rectangle(box, fill=int(255 * level))
        out = sprite.image.copy()
        alpha = Image.fromarray(np.minimum(np.asarray(out.getchannel("A")), np.asarray(mask)))
        out.putalpha(alpha)
        return out

    def _sprite_op(self, index: int, sprite: Sprite, t: float, zoom: float,
                   pan: tuple[float, float]) -> PasteOp | None:
        start, length, kind = self._entrance(sprite)
        p = (t - start) / length if length else 1.0
        if p <= 0:
            return None
        state = entrance_state(kind, p, self.scene.height) if p < 1 else LayerState()
        image = sprite.image
        kept = True  # the image is the sprite or one of its cached variants
        x, y = sprite.x + state.dx, sprite.y + state.dy
        if sprite.role in ("product", "product_alt"):
            # Products ride the camera a little harder than the background: depth.
            depth = 1.0 + (zoom - 1) * 0.8
            state.scale *= depth
            x -= pan[0] * self.scene.width * 0.6
            y -= pan[1] * self.scene.height * 0.6
        if state.mode == "words" and sprite.words:
            image, kept = self._reveal_words(sprite, state.reveal), False
        elif state.mode == "words":
            image = self._variant(index, sprite, opacity=state.reveal)
        elif state.mode == "mask":
            width = int(image.width * state.reveal)
            if width <= 0:
                return None
            image, kept = image.crop((0, 0, width, image.height)), False
        base_w, base_h = image.size
        scaled = abs(state.scale - 1.0) > 1e-3
        if image is sprite.image:
            # Scale and fade come from the cache (quantised); a revealed or masked image is
            # one of a kind, so it is scaled and faded as it is.
            image = self._variant(index, sprite, state.scale if scaled else 1.0, state.opacity)
        elif scaled or state.opacity < 0.999:
            if scaled:
                image = image.resize((max(1, int(base_w * state.scale)),
                                      max(1, int(base_h * state.scale))),
                                     Image.Resampling.BILINEAR)
            elif kept:  # a cached variant: fade a copy, not the cache entry
                image = image.copy()
            if state.opacity < 0.999:
                image.putalpha(image.getchannel("A").point(
                    lambda v, o=state.opacity: int(v * o)))
            kept = False
        # Scaled about the centre (a product about its base).
        x -= (image.width - base_w) / 2
        y -= (image.height - base_h) * (1.0 if sprite.role == "product" else 0.5)
        return PasteOp(image, round(x), round(y), keep=kept)

    def ops(self, index: int) -> list[FrameOp]:
        """Frame ``index`` as drawing operations, bottom to top."""
        t = index / FPS
        zoom, pan_x, pan_y = camera_state(self.camera, t, self.duration)
        ops: list[FrameOp] = []
        if self.distorted is not None:
            ops.append(DistortOp(self.distorted, t))
        else:
            assert self.camera_bg is not None  # one of the two backgrounds is always built
            ops.append(CameraOp(self.camera_bg, zoom, pan_x, pan_y))
        recipe = self.recipe
        if recipe.get("mask"):
            swatch = self._swatch(t)
            if swatch is not None:
                ops.append(swatch)
        particles = self.particles
        behind = particles is not None and particles.kind in ("bokeh", "steam")
        intensity = 0.7 + 0.3 * math.sin(t * 4) if recipe.get("pulse") else 1.0
        if particles is not None and behind:
            ops += particles.ops(t, intensity)
        for i, sprite in enumerate(self.scene.sprites):
            op = self._sprite_op(i, sprite, t, zoom, (pan_x, pan_y))
            if op is not None:
                ops.append(op)
        if particles is not None and not behind:
            ops += particles.ops(t, intensity)
        if recipe.get("overlay", {}).get("kind") == "drip":
            limit = 0.12 if self.scene.aspect == "9:16" else 0.09
            ops.append(ShapesOp(drip_shapes(self.size, t, recipe["overlay"], self.scene.palette,
                                            self.seed, limit)))
        if self.sweep is not None:
            sweep = self.sweep.op(t)
            if sweep is not None:
                ops.append(sweep)
        if recipe.get("flash"):
            for at in (0.12, 0.4):
                if 0 <= t - at < 0.2:
                    ops.append(FadeOp((255, 255, 255), 0.7 * (1 - (t - at) / 0.2)))
        if recipe.get("glitch") and t < 0.6 and index % 3 != 2:
            ops.append(GlitchOp(int(self.scene.width * 0.012 * (1 - t / 0.6))))
        return ops

    def frame(self, index: int) -> Image.Image:
        """Frame ``index`` as an RGB image."""
        return draw_rgb(self.ops(index))

    def _swatch(self, t: float) -> ShapesOp | None:
        p = ease_in_out(t / (1.1 * self.time_scale))
        if p >= 1:
            return None
        w, h = self.size
        palette = self.scene.palette
        colour = palette.get(self.recipe["mask"].get("color", "primary"), palette["primary"])
        band_h = int(h * 0.16)
        cy = self.centre[1]
        x1 = int(p * w * 1.6)
        x0 = max(0, int(x1 - w * 0.9))
        return ShapesOp([("rounded", (x0, cy - band_h // 2, min(w, x1), cy + band_h // 2),
                          colour, band_h // 2)])


# --------------------------------------------------------------------------- audio
def music_bed(duration: float, seed: int, rate: int = 44100) -> np.ndarray:
    """A soft procedural loop: pad chords, a bass pulse and a shaker, faded in and out."""
    rng = np.random.default_rng(seed)
    n = int(duration * rate)
    t = np.arange(n, dtype=np.float32) / rate
    root = 220.0 * 2 ** (int(rng.integers(0, 7)) / 12)
    progression = [(0, 4, 7), (7, 11, 14), (9, 12, 16), (5, 9, 12)]  # I V vi IV
    bar = 60 / 92 * 4
    out = np.zeros(n, np.float32)
    for index, chord in enumerate(progression * int(duration / bar / 4 + 2)):
        start = int(index * bar * rate)
        if start >= n:
            break
        end = min(n, int((index + 1) * bar * rate))
        seg = t[start:end] - t[start]
        env = np.minimum(1, seg / 0.4) * np.minimum(1, (bar - seg) / 0.3)
        for semitone in chord:
            f = root * 2 ** (semitone / 12)
            out[start:end] += 0.06 * env * (np.sin(2 * np.pi * f * seg)
                                            + 0.3 * np.sin(4 * np.pi * f * seg))
        bass = root / 2 * 2 ** (chord[0] / 12)
        beat = (seg % (bar / 4))
        out[start:end] += 0.12 * np.sin(2 * np.pi * bass * seg) * np.exp(-beat * 5)
    shaker = rng.standard_normal(n).astype(np.float32)
    beat8 = (t % (60 / 92 / 2))
    out += 0.015 * shaker * np.exp(-beat8 * 40)
    fade = np.minimum(1, t / 0.3) * np.minimum(1, (duration - t) / 1.0)
    out *= fade
    out /= max(1e-6, float(np.abs(out).max())) / 0.5
    return np.stack([out, out])


# --------------------------------------------------------------------------- encoding
def _video_frame(item: Image.Image | Planes | av.VideoFrame) -> av.VideoFrame:
    if isinstance(item, av.VideoFrame):
        return item
    if isinstance(item, Planes):
        return item.video_frame()
    # from_image copies Pillow's bytes straight in (4 ms a 1080x1920 frame, where
    # np.asarray + from_ndarray took 28 ms); converting to yuv420p ourselves with
    # bilinear chroma is ~20% cheaper than the encoder's default bicubic scaler.
    return av.VideoFrame.from_image(item if item.mode == "RGB" else item.convert("RGB")).reformat(
        format="yuv420p", interpolation="BILINEAR")


def encode_mp4(frames: Iterable[Image.Image | Planes | av.VideoFrame], *,
               size: tuple[int, int], count: int, audio: np.ndarray | None = None,
               rate: int = 44100, encoder_threads: int = 0) -> bytes:
    """H.264 yuv420p 30 fps (+ AAC) MP4 with the moov atom up front (faststart).

    ``frames`` yields RGB images, ``Planes`` (see yuv.py) or yuv420p ``av.VideoFrame``s of
    ``size``, in any mix. ``encoder_threads`` 0 lets x264 choose (one thread per core and a
    half); 1 when other videos are being encoded at the same time.
    """
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "out.mp4")
        container = av.open(path, "w", options={"movflags": "+faststart"})
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.options = {**X264_OPTIONS, "threads": str(encoder_threads)}
        audio_stream = None
        if audio is not None:
            audio_stream = container.add_stream("aac", rate=rate)
            audio_stream.layout = "stereo"
            audio_stream.bit_rate = 128000
        for item in frames:
            frame = _video_frame(item)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
        if audio_stream is not None and audio is not None:
            chunk = 1024
            for offset in range(0, audio.shape[1], chunk):
                piece = np.ascontiguousarray(audio[:, offset:offset + chunk])
                sound = av.AudioFrame.from_ndarray(piece, format="fltp", layout="stereo")
                sound.sample_rate = rate
                sound.pts = offset
                for packet in audio_stream.encode(sound):
                    container.mux(packet)
            for packet in audio_stream.encode():
                container.mux(packet)
        container.close()
        with open(path, "rb") as fh:
            return fh.read()


def prefetched(frames: Iterator[T], *, name: str, depth: int = 6) -> Iterator[T]:
    """``frames`` made on a thread of their own while the encoder works on the previous ones
    (Pillow's pastes and crops and libx264 release the GIL), so compositing and encoding
    share the cores. An exception while making a frame (a cancelled job's checkpoint) is
    raised here, in the encoder's loop; leaving the loop early stops the maker."""
    queue: Queue = Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def make() -> None:
        try:
            for frame in frames:
                if stop.is_set():
                    return
                queue.put(frame)
            queue.put(done)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, re-raised there
            queue.put(exc)

    worker = threading.Thread(target=make, name=name, daemon=True)
    worker.start()
    try:
        while True:
            item = queue.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while worker.is_alive():
            try:
                queue.get_nowait()
            except Empty:
                worker.join(0.01)


POSTER_QUALITY = 88


def poster_jpeg(frame: Image.Image) -> bytes:
    """The video's poster: its first frame (a finished ad, see HOOK_ROLES) as a JPEG, so every
    player shows the hook before the first byte of video has loaded."""
    buffer = io.BytesIO()
    (frame if frame.mode == "RGB" else frame.convert("RGB")).save(buffer, "JPEG",
                                                                  quality=POSTER_QUALITY)
    return buffer.getvalue()


def frame_count(duration: float) -> int:
    return round(duration * FPS)


def render_scene_video(scene: Scene, prompt: dict, *, duration: float, seed: int = 0,
                       bgm: bool = False, gate_report: dict | None = None,
                       step: Callable[[], None] | None = None,
                       encoder_threads: int = 0) -> RenderedFile:
    """One MP4 of ``scene`` animated with ``prompt`` (a catalogue animation prompt); ``step``
    is called after every frame (it may raise to stop the encode). ``encoder_threads``: see
    ``encode_mp4``."""
    started = time.perf_counter()
    animator = SceneAnimator(scene, prompt["recipe"], duration, seed)
    count = frame_count(duration)
    audio = music_bed(duration, seed) if bgm else None
    renderer = PlanarRenderer()
    posters: list[bytes] = []

    def frames():
        for i in range(count):
            # Converted here, on the compositing thread: the encoder's thread only encodes.
            yield renderer.render(animator.ops(i)).video_frame()
            if step:
                step()
        # The poster is drawn in RGB (full-resolution colour), from the same operations as the
        # encoded frame 0, while the encoder works through the last frames.
        posters.append(poster_jpeg(animator.frame(0)))

    content = encode_mp4(prefetched(frames(), name="scene-compose"),
                         size=(scene.width, scene.height), count=count, audio=audio,
                         encoder_threads=encoder_threads)
    poster = posters[0]
    elapsed = time.perf_counter() - started
    report = dict(gate_report or {})
    report["video"] = {"frames": count, "fps": FPS, "animation_prompt": prompt["name"],
                       "audio": bgm, "poster_frame": 0}
    return RenderedFile(kind="video", aspect=scene.aspect, width=scene.width,
                        height=scene.height, duration=count / FPS, content=content,
                        mime="video/mp4", extension="mp4", gate_report=report,
                        poster=poster,
                        timings={"video_s": round(elapsed, 3),
                                 "fps": round(count / elapsed, 1)})


# --------------------------------------------------------------------------- transition
def _cover(data: bytes, size: tuple[int, int], zoom: float) -> Image.Image:
    from .imaging import open_image

    image = open_image(data).convert("RGB")
    w, h = int(size[0] * zoom), int(size[1] * zoom)
    scale = max(w / image.width, h / image.height)
    image = image.resize((max(w, int(image.width * scale)), max(h, int(image.height * scale))),
                         Image.Resampling.LANCZOS)
    x, y = (image.width - w) // 2, (image.height - h) // 2
    return image.crop((x, y, x + w, y + h))


def transition_video(first: bytes, last: bytes, *, size: str = "9:16",
                     duration: float = 4.0) -> RenderedFile:
    """First-frame/last-frame transition: hold the first image, sweep the last one in with a
    soft-edged wipe, hold it. Frame 0 is the first image, the final frame the last one.
    """
    w, h = catalogue.ASPECT_SIZES[size]
    a, b = _cover(first, (w, h), 1.0), _cover(last, (w, h), 1.0)
    ramp = np.clip(np.linspace(-1, 2, w * 2, dtype=np.float32), 0, 1)
    gradient = Image.fromarray((ramp * 255).astype(np.uint8)[None, :].repeat(8, 0), "L")
    gradient = gradient.resize((w * 2, h), Image.Resampling.BILINEAR)
    count = frame_count(duration)
    started = time.perf_counter()

    def frames():
        for i in range(count):
            q = ease_in_out((i / max(1, count - 1) - 0.3) / 0.4)
            if q <= 0:
                yield a
            elif q >= 1:
                yield b
            else:
                # The soft gradient slides across: the last image sweeps in from the right.
                offset = int((1 - q) * w)
                yield Image.composite(b, a, gradient.crop((offset, 0, offset + w, h)))

    content = encode_mp4(frames(), size=(w, h), count=count)
    elapsed = time.perf_counter() - started
    return RenderedFile(kind="video", aspect=size, width=w, height=h, duration=count / FPS,
                        content=content, mime="video/mp4", extension="mp4",
                        gate_report={"ok": True, "video": {"frames": count, "fps": FPS,
                                                           "transition": True}},
                        poster=poster_jpeg(a),
                        timings={"video_s": round(elapsed, 3)})


def describe_recipe(prompt: dict[str, Any]) -> list[str]:
    """The motion primitives a prompt's recipe uses (for docs and the catalogue UI)."""
    recipe = prompt["recipe"]
    parts = [f"camera:{recipe.get('camera', {}).get('move', 'none')}",
             f"product:{recipe.get('product')}", f"text:{recipe.get('text')}"]
    for key in ("particles", "distortion", "overlay", "mask"):
        if recipe.get(key):
            parts.append(f"{key}:{recipe[key].get('kind')}")
    for flag in ("light_sweep", "flash", "glitch", "pulse"):
        if recipe.get(flag):
            parts.append(flag)
    return parts
