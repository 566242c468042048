"""The motion engine: per-layer timelines, camera, particles, light, liquids -> H.264 MP4.

A video is the static scene brought to life: every sprite the layout produced gets an entrance
on a timeline, the background gets a camera move, and the animation prompt's recipe adds
particles, light sweeps, drips or distortion. The last frames equal the static ad (which passed
its gates) and hold the CTA. Static layers are cached; only what moves is recomposed per frame.
"""

from __future__ import annotations

import io
import math
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from generations import catalogue

from .colour import RGB, hex_to_rgb, mix
from .layout import Scene, Sprite
from .specs import RenderedFile

FPS = 30
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
    the soft backgrounds styles paint, and saves a resize or blend on every frame.
    """

    STEP = 0.004

    def __init__(self, background: Image.Image, max_zoom: float):
        self.background = background
        self.w, self.h = background.size
        self.max_zoom = max(1.0, max_zoom)
        self.levels: dict[int, Image.Image] = {0: background}

    def _level(self, zoom: float) -> Image.Image:
        index = round((min(max(zoom, 1.0), self.max_zoom) - 1.0) / self.STEP)
        if index not in self.levels:
            z = 1.0 + index * self.STEP
            self.levels[index] = self.background.resize((round(self.w * z), round(self.h * z)),
                                                        Image.Resampling.BILINEAR)
        return self.levels[index]

    def frame(self, zoom: float, pan_x: float, pan_y: float) -> Image.Image:
        image = self._level(zoom)
        spare_x, spare_y = image.width - self.w, image.height - self.h
        x = round(spare_x / 2 + pan_x * self.w)
        y = round(spare_y / 2 + pan_y * self.h)
        x, y = min(max(0, x), spare_x), min(max(0, y), spare_y)
        return image.crop((x, y, x + self.w, y + self.h))


class DistortedBackground:
    """A short loop of liquid or swirl distortion frames, computed once at half resolution."""

    def __init__(self, background: Image.Image, kind: str, amount: float, centre: tuple[int, int],
                 loop_frames: int = 12):
        w, h = background.size
        small = np.asarray(background.resize((w // 2, h // 2), Image.Resampling.BILINEAR))
        sh, sw = small.shape[:2]
        ys, xs = np.mgrid[0:sh, 0:sw].astype(np.float32)
        cx, cy = centre[0] / 2, centre[1] / 2
        self.frames = []
        for i in range(loop_frames):
            phase = 2 * math.pi * i / loop_frames
            if kind == "swirl":
                dx, dy = xs - cx, ys - cy
                r = np.sqrt(dx * dx + dy * dy)
                theta = amount * 0.6 * np.exp(-r / (sw * 0.45)) * math.sin(phase)
                sx = cx + dx * np.cos(theta) - dy * np.sin(theta)
                sy = cy + dx * np.sin(theta) + dy * np.cos(theta)
            else:
                a = amount * sw * 0.02
                sx = xs + a * np.sin(2 * math.pi * ys / (sh * 0.25) + phase)
                sy = ys + a * 0.6 * np.cos(2 * math.pi * xs / (sw * 0.3) + phase)
            sx = np.clip(sx, 0, sw - 1).astype(np.int32)
            sy = np.clip(sy, 0, sh - 1).astype(np.int32)
            warped = Image.fromarray(small[sy, sx])
            self.frames.append(warped.resize((w, h), Image.Resampling.BILINEAR))

    def frame(self, t: float) -> Image.Image:
        # The loop runs at ~6 distinct frames per second, blended for smoothness.
        position = (t * 6) % len(self.frames)
        low = int(position)
        high = (low + 1) % len(self.frames)
        return Image.blend(self.frames[low], self.frames[high], position - low)


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

    def draw(self, frame: Image.Image, t: float, intensity: float = 1.0) -> None:
        w, h = self.w, self.h
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
            frame.paste(image, (int(x - sprite.width / 2), int(y - sprite.height / 2)), image)


# --------------------------------------------------------------------------- overlays
def draw_drips(frame: Image.Image, t: float, spec: dict, palette: dict[str, RGB],
               seed: int, limit: float) -> None:
    """Liquid dripping from the top edge: a band plus drips that grow, with glossy heads."""
    colour = spec.get("color", "accent")
    rgb = hex_to_rgb(colour) if colour.startswith("#") else palette.get(colour, palette["accent"])
    w, h = frame.size
    rng = np.random.default_rng(seed)
    d = ImageDraw.Draw(frame)
    band = int(h * 0.025)
    d.rectangle((0, 0, w, band), fill=rgb)
    count = int(spec.get("count", 5))
    xs = np.sort(rng.random(count)) * w * 0.9 + w * 0.05
    highlight = mix(rgb, (255, 255, 255), 0.45)
    for i, x in enumerate(xs):
        start = 0.2 + rng.random() * 1.2
        grow = ease_in_out((t - start) / (2.5 + rng.random() * 2))
        length = band + grow * h * limit * (0.4 + 0.6 * rng.random())
        width = w * (0.018 + rng.random() * 0.02)
        d.rounded_rectangle((x - width / 2, 0, x + width / 2, length), radius=int(width / 2),
                            fill=rgb)
        d.ellipse((x - width * 0.7, length - width * 1.1, x + width * 0.7, length + width * 0.3),
                  fill=rgb)
        d.ellipse((x - width * 0.35, length - width * 0.7, x - width * 0.05,
                   length - width * 0.35), fill=highlight)
        del i


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

    def draw(self, frame: Image.Image, t: float) -> None:
        p = (t - self.start) / self.length
        if not 0 < p < 1:
            return
        x = int(-self.mask.width + ease_in_out(p) * (self.w + self.mask.width * 1.5))
        frame.paste((255, 255, 255), (x, 0), self.mask)


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
        self.opacity_cache: dict[tuple[int, int], Image.Image] = {}

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

    def _with_opacity(self, index: int, sprite: Sprite, opacity: float) -> Image.Image:
        level = int(opacity * 16)
        if level >= 16:
            return sprite.image
        key = (index, level)
        if key not in self.opacity_cache:
            image = sprite.image.copy()
            image.putalpha(sprite.image.getchannel("A").point(lambda v: v * level // 16))
            self.opacity_cache[key] = image
        return self.opacity_cache[key]

    def _scaled(self, index: int, sprite: Sprite, scale: float) -> Image.Image:
        """Settled sprites riding the camera zoom: resized at 0.25% steps and cached."""
        step = round(scale * 400)
        key = (index, -step)
        if key not in self.opacity_cache:
            factor = step / 400
            self.opacity_cache[key] = sprite.image.resize(
                (max(1, int(sprite.image.width * factor)), max(1, int(sprite.image.height
                                                                      * factor))),
                Image.Resampling.BILINEAR)
        return self.opacity_cache[key]

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

    def _draw_sprite(self, frame: Image.Image, index: int, sprite: Sprite, t: float,
                     zoom: float, pan: tuple[float, float]) -> None:
        start, length, kind = self._entrance(sprite)
        p = (t - start) / length if length else 1.0
        if p <= 0:
            return
        state = entrance_state(kind, p, self.scene.height) if p < 1 else LayerState()
        image = sprite.image
        x, y = sprite.x + state.dx, sprite.y + state.dy
        if sprite.role in ("product", "product_alt"):
            # Products ride the camera a little harder than the background: depth.
            depth = 1.0 + (zoom - 1) * 0.8
            state.scale *= depth
            x -= pan[0] * self.scene.width * 0.6
            y -= pan[1] * self.scene.height * 0.6
        if state.mode == "words" and sprite.words:
            image = self._reveal_words(sprite, state.reveal)
        elif state.mode == "words":
            image = self._with_opacity(index, sprite, state.reveal)
        elif state.mode == "mask":
            width = int(image.width * state.reveal)
            if width <= 0:
                return
            image = image.crop((0, 0, width, image.height))
        if abs(state.scale - 1.0) > 1e-3:
            w = max(1, int(image.width * state.scale))
            h = max(1, int(image.height * state.scale))
            x -= (w - image.width) / 2
            y -= (h - image.height) * (1.0 if sprite.role == "product" else 0.5)
            if image is sprite.image and p >= 1:
                image = self._scaled(index, sprite, state.scale)
            else:
                image = image.resize((w, h), Image.Resampling.BILINEAR)
        if state.opacity < 0.999:
            if image is sprite.image:
                image = self._with_opacity(index, sprite, state.opacity)
            else:
                image.putalpha(image.getchannel("A").point(
                    lambda v, o=state.opacity: int(v * o)))
        frame.paste(image, (round(x), round(y)), image)

    def frame(self, index: int) -> Image.Image:
        t = index / FPS
        zoom, pan_x, pan_y = camera_state(self.camera, t, self.duration)
        if self.distorted is not None:
            frame = self.distorted.frame(t)
        else:
            assert self.camera_bg is not None  # one of the two backgrounds is always built
            frame = self.camera_bg.frame(zoom, pan_x, pan_y)
        recipe = self.recipe
        if recipe.get("mask"):
            self._swatch(frame, t)
        particles = self.particles
        behind = particles is not None and particles.kind in ("bokeh", "steam")
        intensity = 0.7 + 0.3 * math.sin(t * 4) if recipe.get("pulse") else 1.0
        if particles is not None and behind:
            particles.draw(frame, t, intensity)
        for i, sprite in enumerate(self.scene.sprites):
            self._draw_sprite(frame, i, sprite, t, zoom, (pan_x, pan_y))
        if self.particles is not None and not behind:
            self.particles.draw(frame, t, intensity)
        if recipe.get("overlay", {}).get("kind") == "drip":
            limit = 0.12 if self.scene.aspect == "9:16" else 0.09
            draw_drips(frame, t, recipe["overlay"], self.scene.palette, self.seed, limit)
        if self.sweep is not None:
            self.sweep.draw(frame, t)
        if recipe.get("flash"):
            for at in (0.12, 0.4):
                if 0 <= t - at < 0.2:
                    frame = Image.blend(frame, Image.new("RGB", frame.size, "white"),
                                        0.7 * (1 - (t - at) / 0.2))
        if recipe.get("glitch") and t < 0.6 and index % 3 != 2:
            arr = np.asarray(frame).copy()
            shift = int(self.scene.width * 0.012 * (1 - t / 0.6))
            arr[..., 0] = np.roll(arr[..., 0], shift, axis=1)
            arr[..., 2] = np.roll(arr[..., 2], -shift, axis=1)
            frame = Image.fromarray(arr)
        return frame

    def _swatch(self, frame: Image.Image, t: float) -> None:
        p = ease_in_out(t / (1.1 * self.time_scale))
        if p >= 1:
            return
        w, h = frame.size
        colour = self.scene.palette.get(self.recipe["mask"].get("color", "primary"))
        band_h = int(h * 0.16)
        cy = self.centre[1]
        x1 = int(p * w * 1.6)
        x0 = max(0, int(x1 - w * 0.9))
        ImageDraw.Draw(frame).rounded_rectangle((x0, cy - band_h // 2, min(w, x1),
                                                 cy + band_h // 2), radius=band_h // 2,
                                                fill=colour)


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
def encode_mp4(frames, *, size: tuple[int, int], count: int, audio: np.ndarray | None = None,
               rate: int = 44100) -> bytes:
    """H.264 yuv420p 30 fps (+ AAC) MP4 with the moov atom up front (faststart)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "out.mp4")
        container = av.open(path, "w", options={"movflags": "+faststart"})
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.options = dict(X264_OPTIONS)
        audio_stream = None
        if audio is not None:
            audio_stream = container.add_stream("aac", rate=rate)
            audio_stream.layout = "stereo"
            audio_stream.bit_rate = 128000
        for image in frames:
            # from_image copies Pillow's bytes straight in (4 ms a 1080x1920 frame, where
            # np.asarray + from_ndarray took 28 ms); converting to yuv420p ourselves with
            # bilinear chroma is ~20% cheaper than the encoder's default bicubic scaler.
            frame = av.VideoFrame.from_image(
                image if image.mode == "RGB" else image.convert("RGB")).reformat(
                format="yuv420p", interpolation="BILINEAR")
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


POSTER_QUALITY = 88


def poster_jpeg(frame: Image.Image) -> bytes:
    """The video's poster: its first frame (a finished ad, see HOOK_ROLES) as a JPEG, so every
    player shows the hook before the first byte of video has loaded."""
    buffer = io.BytesIO()
    frame.convert("RGB").save(buffer, "JPEG", quality=POSTER_QUALITY)
    return buffer.getvalue()


def frame_count(duration: float) -> int:
    return round(duration * FPS)


def render_scene_video(scene: Scene, prompt: dict, *, duration: float, seed: int = 0,
                       bgm: bool = False, gate_report: dict | None = None,
                       step: Callable[[], None] | None = None) -> RenderedFile:
    """One MP4 of ``scene`` animated with ``prompt`` (a catalogue animation prompt); ``step``
    is called after every frame (it may raise to stop the encode)."""
    started = time.perf_counter()
    animator = SceneAnimator(scene, prompt["recipe"], duration, seed)
    count = frame_count(duration)
    audio = music_bed(duration, seed) if bgm else None
    first: list[Image.Image] = []

    def frames():
        for i in range(count):
            frame = animator.frame(i)
            if i == 0:
                first.append(frame.copy())
            yield frame
            if step:
                step()

    content = encode_mp4(frames(), size=(scene.width, scene.height), count=count, audio=audio)
    elapsed = time.perf_counter() - started
    report = dict(gate_report or {})
    report["video"] = {"frames": count, "fps": FPS, "animation_prompt": prompt["name"],
                       "audio": bgm, "poster_frame": 0}
    return RenderedFile(kind="video", aspect=scene.aspect, width=scene.width,
                        height=scene.height, duration=count / FPS, content=content,
                        mime="video/mp4", extension="mp4", gate_report=report,
                        poster=poster_jpeg(first[0]),
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
