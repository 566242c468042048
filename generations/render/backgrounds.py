"""Style-preset backgrounds painted from the brand palette, and in-situ lifestyle scenes."""

from __future__ import annotations

import io
from functools import lru_cache

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps

from .colour import RGB, hex_to_rgb, mix
from .imaging import pixels

_LIGHT_POS = {"top": (0.5, -0.1), "top-left": (0.1, -0.05), "top-right": (0.9, -0.05),
              "center": (0.5, 0.45), "bottom": (0.5, 1.1)}


@lru_cache(maxsize=8)
def _grid(w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    """Normalised x and y coordinates (broadcastable row and column vectors)."""
    xs = np.broadcast_to(np.linspace(0, 1, w, endpoint=False, dtype=np.float32)[None, :], (h, w))
    ys = np.broadcast_to(np.linspace(0, 1, h, endpoint=False, dtype=np.float32)[:, None], (h, w))
    return xs, ys


def _lerp(a: RGB, b: RGB, t: np.ndarray) -> np.ndarray:
    a_, b_ = np.array(a, np.float32), np.array(b, np.float32)
    out: np.ndarray = t[..., None] * (b_ - a_)
    out += a_
    return out


def _noise(w: int, h: int, scale: int, rng: np.random.Generator) -> np.ndarray:
    """Smooth value noise in [0, 1]: random at 1/scale resolution, upsampled bicubically."""
    small = rng.random((max(2, h // scale), max(2, w // scale))).astype(np.float32)
    img = Image.fromarray((small * 255).astype(np.uint8), "L").resize(
        (w, h), Image.Resampling.BICUBIC)
    return np.asarray(img).astype(np.float32) / 255


def _texture(kind: str, w: int, h: int, rng: np.random.Generator, ink: RGB,
             base: np.ndarray) -> np.ndarray:
    """Blend a procedural texture into ``base`` (h, w, 3 float array)."""
    xs, ys = _grid(w, h)
    inkv = np.array(ink, np.float32)
    if kind == "marble":
        turbulence = _noise(w, h, 160, rng) * 0.75 + _noise(w, h, 40, rng) * 0.25
        veins = np.abs(np.sin((xs * 1.6 + ys * 2.4 + turbulence * 3.2) * np.pi))
        strength = (1 - veins) ** 14 * 0.22
        return base + (inkv - base) * strength[..., None]
    if kind == "concrete":
        grain = _noise(w, h, 6, rng) * 0.5 + _noise(w, h, 40, rng) * 0.5
        return base * (0.88 + grain[..., None] * 0.2)
    if kind == "linen":
        weave = (np.sin(xs * w * 0.9) * 0.5 + np.sin(ys * h * 1.1) * 0.5) * 0.025
        return base * (1 + weave[..., None] + (_noise(w, h, 3, rng)[..., None] - 0.5) * 0.04)
    if kind == "paper":
        fibres = _noise(w, h, 2, rng) * 0.5 + _noise(w, h, 12, rng) * 0.5
        return base * (0.96 + fibres[..., None] * 0.06)
    if kind == "halftone":
        cell = max(10, w // 60)
        gx, gy = (xs * w) % cell - cell / 2, (ys * h) % cell - cell / 2
        radius = cell * 0.42 * (1 - ys) ** 1.5
        dots = (np.sqrt(gx * gx + gy * gy) < radius).astype(np.float32) * 0.12
        return base + (np.array((0, 0, 0), np.float32) - base) * dots[..., None]
    if kind == "caustics":
        n1 = _noise(w, h, 70, rng)
        pattern = np.abs(np.sin((xs * 9 + n1 * 4) * np.pi) * np.sin((ys * 7 + n1 * 3) * np.pi))
        light = (1 - pattern) ** 8 * 0.2 * (1 - ys)[..., None][..., 0]
        return base + (255 - base) * light[..., None]
    if kind == "speckle":
        dots = (rng.random((h, w)) > 0.9985).astype(np.float32)
        speck = np.asarray(Image.fromarray((dots * 255).astype(np.uint8)).filter(
            ImageFilter.GaussianBlur(1.2))).astype(np.float32) / 255 * 2.5
        return base + (255 - base) * np.clip(speck, 0, 1)[..., None] * 0.6
    if kind == "leaves":
        shade = Image.new("L", (w // 4, h // 4), 0)
        draw = ImageDraw.Draw(shade)
        for _ in range(14):
            cx, cy = rng.random() * w / 4, rng.random() * h / 4 * 0.6
            rx, ry = w / 4 * (0.05 + rng.random() * 0.08), h / 4 * (0.015 + rng.random() * 0.03)
            draw.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=255)
        shade = shade.filter(ImageFilter.GaussianBlur(w / 160)).resize(
            (w, h), Image.Resampling.BILINEAR)
        return base * (1 - np.asarray(shade).astype(np.float32)[..., None] / 255 * 0.16)
    return base


def _terrazzo(image: Image.Image, palette: list[RGB], rng: np.random.Generator) -> None:
    draw = ImageDraw.Draw(image)
    w, h = image.size
    for _ in range(int(w * h / 9000)):
        cx, cy = rng.random() * w, rng.random() * h
        r = w * (0.004 + rng.random() * 0.012)
        colour = palette[int(rng.integers(len(palette)))]
        points = [(cx + r * np.cos(a) * (0.6 + rng.random() * 0.6),
                   cy + r * np.sin(a) * (0.6 + rng.random() * 0.6))
                  for a in np.linspace(0, 2 * np.pi, 6, endpoint=False)]
        draw.polygon(points, fill=colour)


def _scene(style: dict, palette: dict[str, RGB], w: int, h: int, horizon: float,
           rng: np.random.Generator) -> Image.Image:
    """An in-situ setting: backdrop wall, a surface the product stands on, simple props."""
    render = style.get("render", {})
    wall = mix(palette["background"], palette["secondary"], 0.25)
    image = Image.new("RGB", (w, h), wall)
    draw = ImageDraw.Draw(image)
    horizon_y = int(h * horizon)
    backdrop = render.get("backdrop", "wall")
    if backdrop == "tiles":
        tile = max(40, w // 9)
        grout = mix(wall, (255, 255, 255), 0.5)
        for x in range(0, w, tile):
            draw.line((x, 0, x, horizon_y), fill=grout, width=3)
        for y in range(0, horizon_y, tile):
            draw.line((0, y, w, y), fill=grout, width=3)
    elif backdrop == "window":
        frame = mix(wall, (255, 255, 255), 0.6)
        sky = mix((255, 244, 220), palette["background"], 0.3)
        x0, x1 = int(w * 0.55), int(w * 0.95)
        y0, y1 = int(h * 0.05), int(horizon_y * 0.85)
        draw.rectangle((x0, y0, x1, y1), fill=sky)
        draw.line(((x0 + x1) // 2, y0, (x0 + x1) // 2, y1), fill=frame, width=max(6, w // 90))
        draw.line((x0, (y0 + y1) // 2, x1, (y0 + y1) // 2), fill=frame, width=max(6, w // 90))
        draw.rectangle((x0, y0, x1, y1), outline=frame, width=max(8, w // 70))
    surface = render.get("surface", "wood")
    top = mix(palette["secondary"], (255, 255, 255), 0.35) if surface == "marble" else \
        mix((150, 110, 80), palette["primary"], 0.15)
    draw.rectangle((0, horizon_y, w, h), fill=top)
    arr = pixels(image).astype(np.float32)
    floor = arr[horizon_y:]
    fh = floor.shape[0]
    if fh > 0:
        if surface == "marble":
            floor[:] = _texture("marble", w, fh, rng, mix(top, (90, 90, 90), 0.5), floor)
        else:
            _xs, ys = _grid(w, fh)
            grain = np.sin((ys * 40 + _noise(w, fh, 30, rng) * 3) * np.pi) * 0.05
            floor[:] = floor * (1 + grain[..., None])
        # The surface darkens towards the viewer and the edge catches light.
        falloff = np.linspace(1.02, 0.85, fh, dtype=np.float32)[:, None, None]
        floor[:] = floor * falloff
        arr[horizon_y:horizon_y + max(2, h // 300)] *= 1.12
    image = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    if "plant" in render.get("props", []):
        pot = (int(w * 0.04), int(horizon_y - h * 0.08), int(w * 0.2), int(horizon_y + h * 0.01))
        draw.rounded_rectangle(pot, radius=w // 60, fill=mix(palette["secondary"], wall, 0.3))
        leaf = mix((70, 120, 70), palette["secondary"], 0.2)
        for angle in (-60, -30, 0, 25, 55):
            cx, cy = (pot[0] + pot[2]) / 2, pot[1]
            rad = np.radians(angle - 90)
            ex, ey = cx + np.cos(rad) * h * 0.12, cy + np.sin(rad) * h * 0.12
            draw.line((cx, cy, ex, ey), fill=leaf, width=max(4, w // 120))
            draw.ellipse((ex - w * 0.035, ey - h * 0.02, ex + w * 0.035, ey + h * 0.02),
                         fill=leaf)
    if "cup" in render.get("props", []):
        cup = (int(w * 0.78), int(horizon_y - h * 0.05), int(w * 0.93), int(horizon_y + h * 0.01))
        draw.rounded_rectangle(cup, radius=w // 50, fill=mix((245, 240, 232), wall, 0.2))
        draw.arc((cup[2] - w * 0.02, cup[1] + h * 0.01, cup[2] + w * 0.035, cup[1] + h * 0.035),
                 -90, 90, fill=mix((245, 240, 232), wall, 0.2), width=max(4, w // 150))
    return image


@lru_cache(maxsize=24)
def paint_background(style_key: str, style_json: str, palette_key: tuple, size: tuple[int, int],
                     seed: int, horizon: float = 0.7, in_situ: bool = False) -> Image.Image:
    """Paint a style preset at ``size`` (cached: every format and every video frame reuses it)."""
    import json

    style = json.loads(style_json)
    palette = {role: hex_to_rgb(value) for role, value in palette_key}
    render = style.get("render", {})
    # Painted at half resolution and upscaled: backgrounds are soft, and this is 4x cheaper.
    full = size
    w, h = size[0] // 2, size[1] // 2
    rng = np.random.default_rng(seed)
    if in_situ or render.get("background") == "scene":
        image = _scene(style, palette, w, h, horizon, rng)
        shaded = _finish(image, render, w, h, light=render.get("light", "top-left"))
        return _to_full_size(shaded, full, render, rng)
    stops = [palette.get(role, palette["background"]) for role in render.get("stops",
                                                                            ["background"])]
    start = stops[0]
    end = mix(stops[0], stops[-1], render.get("mix", 0.2))
    kind = render.get("background", "gradient")
    xs, ys = _grid(w, h)
    # Vertical ramps (and a solid fill) are one column broadcast across the width: the light
    # and texture below make the full array, so the column is all the ramp costs.
    column = ys[:, :1]
    if kind == "radial":
        base = _lerp(end, start, _radial_distance(w, h, render.get("light", "center")))
    elif kind == "split":
        base = _lerp(start, palette.get("accent", start),
                     ((ys * h - xs * w * 0.6) > h * 0.45).astype(np.float32))
    elif kind == "studio":
        t = np.clip((column - 0.62) / 0.05, 0, 1)
        wall = _lerp(mix(start, (255, 255, 255), 0.3), start, column)
        floor = _lerp(mix(start, (0, 0, 0), 0.04), mix(start, (0, 0, 0), 0.12), column)
        base = wall * (1 - t[..., None]) + floor * t[..., None]
    elif kind == "solid":
        base = np.broadcast_to(np.array(start, np.float32), (h, 1, 3)).copy()
    else:
        base = _lerp(start, end, column)
    texture = render.get("texture")
    if texture and texture != "terrazzo":
        ink = mix(palette.get("secondary", start), palette["text"], 0.35)
        base = _texture(texture, w, h, rng, ink, base)
    if texture == "terrazzo":
        image = Image.fromarray(np.broadcast_to(np.clip(base, 0, 255).astype(np.uint8),
                                                (h, w, 3)).copy())
        _terrazzo(image, [palette["primary"], palette["accent"], palette["secondary"]], rng)
        base = pixels(image).astype(np.float32)
    else:
        # The 8-bit levels an image would have held, without making one.
        base = np.floor(np.clip(base, 0, 255, out=base if base.flags.writeable else None))
    shaded = _finish(base, render, w, h, light=render.get("light", "top"))
    return _to_full_size(shaded, full, render, rng, smooth=kind in SMOOTH_KINDS and not texture)


def _finish(image: Image.Image | np.ndarray, render: dict, w: int, h: int,
            light: str) -> np.ndarray:
    """Light falloff, vignette and grading, in that order, as an (h, w, 3) float array.
    ``image`` may be one already, which is then changed in place, or an (h, 1, 3) column
    that is broadcast across the width."""
    arr: np.ndarray = (image if isinstance(image, np.ndarray)
                       else pixels(image).astype(np.float32))
    vignette = float(render.get("vignette", 0.0))
    if light in _LIGHT_POS or vignette:
        # The light's glow and the vignette as one per-pixel scale and lift: arr * scale + lift
        # is arr + (255 - arr) * glow, then times the vignette's falloff.
        glow = _glow(w, h, light) if light in _LIGHT_POS else np.zeros((h, w), np.float32)
        scale, lift = 1 - glow, 255 * glow
        if vignette:
            falloff = 1 - vignette * 0.6 * _vignette_shape(w, h)
            scale *= falloff
            lift *= falloff
        if arr.shape[1] == w:
            arr *= scale[..., None]
        else:  # a column: the product is the full array
            arr = arr * scale[..., None]
        arr += lift[..., None]
    elif arr.shape[1] != w:
        arr = np.broadcast_to(arr, (h, w, 3)).copy()
    grade = render.get("grade", {})
    if grade.get("warmth"):
        arr *= np.array([1 + grade["warmth"], 1, 1 - grade["warmth"]], np.float32)
    if grade.get("saturation"):
        grey = arr.mean(axis=2, keepdims=True)
        arr = grey + (arr - grey) * grade["saturation"]
    return arr


# The roots and powers below are most of a background's cost and depend on neither the
# palette nor the texture: made once per size (and light).
@lru_cache(maxsize=12)
def _glow(w: int, h: int, light: str) -> np.ndarray:
    xs, ys = _grid(w, h)
    lx, ly = _LIGHT_POS[light]
    dist = np.sqrt(((xs - lx) * w / h) ** 2 + (ys - ly) ** 2)
    glow: np.ndarray = np.clip(1 - dist / 0.9, 0, 1) ** 2 * 0.1
    return glow


@lru_cache(maxsize=12)
def _radial_distance(w: int, h: int, light: str) -> np.ndarray:
    """Distance from the radial style's centre, in [0, 1] (0 at the centre)."""
    xs, ys = _grid(w, h)
    cx, cy = _LIGHT_POS.get(light, (0.5, 0.4))
    dist: np.ndarray = np.clip(np.sqrt(((xs - cx) * w / h) ** 2 + (ys - cy) ** 2) / 1.1, 0, 1)
    return dist


@lru_cache(maxsize=4)
def _vignette_shape(w: int, h: int) -> np.ndarray:
    xs, ys = _grid(w, h)
    shape: np.ndarray = (np.sqrt((xs - 0.5) ** 2 + (ys - 0.5) ** 2) / 0.71) ** 2.2
    return shape


# 4x4 Bayer matrix in [-0.5, 0.5): ordered dither breaks gradient banding without noise.
_BAYER = (np.array([[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]],
                   np.float32) + 0.5) / 16 - 0.5
FILM_GRAIN_FLOOR = 0.03
# Backgrounds with no edge and no texture: every step between neighbouring pixels is a
# fraction of one 8-bit level, so pixel doubling cannot be told from interpolation.
SMOOTH_KINDS = ("gradient", "radial", "studio", "solid")


def _to_full_size(arr: np.ndarray, full: tuple[int, int], render: dict,
                  rng: np.random.Generator, smooth: bool = False) -> Image.Image:
    """Dither to 8 bits at half resolution, upscale, add film grain only for heavy-grain styles.

    The ordered dither is applied before the (bilinear, 8-bit) upscale: the interpolation
    keeps the dither's in-between levels, so gradients do not band, at a tenth of the cost of
    upscaling three float channels. A ``smooth`` background (no edges, no texture) is pixel
    doubled instead: its neighbours differ by a fraction of a level (a 2 px step is under 0.2
    of a level on the steepest vignette), and doubling costs a fifteenth of interpolating.
    Random grain below the floor is left out: it hides banding no better, and noise makes
    every PNG ~10x larger and slower to encode (and costs x264 bits).
    """
    sh, sw = arr.shape[:2]
    arr += _dither(sw, sh)
    np.clip(arr, 0, 255, out=arr)
    small = Image.fromarray(arr.astype(np.uint8))
    image = small.resize(full, Image.Resampling.NEAREST if smooth
                         else Image.Resampling.BILINEAR)
    grain = render.get("grain", 0.0) - FILM_GRAIN_FLOOR
    if grain > 0:
        image = ImageChops.add(image, _grain(full, round(grain * 1000)), offset=-128)
    return image


def fit_backdrop(content: bytes, size: tuple[int, int]) -> Image.Image:
    """A provider's background or scene (checked bytes) covering ``size``: scaled to fill and
    centre-cropped, since models answer in their own fixed sizes."""
    with Image.open(io.BytesIO(content)) as image:
        return ImageOps.fit(image.convert("RGB"), size, Image.Resampling.LANCZOS,
                            centering=(0.5, 0.5))


@lru_cache(maxsize=8)
def _dither(w: int, h: int) -> np.ndarray:
    """The Bayer pattern tiled over (h, w), plus the 0.5 that makes truncation round."""
    return np.tile(_BAYER, (h // 4 + 1, w // 4 + 1))[:h, :w, None] + np.float32(0.5)


@lru_cache(maxsize=8)
def _grain(size: tuple[int, int], strength: int) -> Image.Image:
    """Film grain of ``strength`` thousandths (its standard deviation, of full scale) as grey
    noise around 128: the size's one noise field, scaled by a lookup table."""
    gain = strength / 1000 * 255 / _GRAIN_SIGMA
    grey = _grain_field(size).point([round(min(255.0, max(0.0, 128 + (v - 128) * gain)))
                                     for v in range(256)])
    return Image.merge("RGB", (grey, grey, grey))


_GRAIN_SIGMA = 32.0  # the stored field's standard deviation, in levels (4 sigma fit in 8 bits)


@lru_cache(maxsize=4)
def _grain_field(size: tuple[int, int]) -> Image.Image:
    """Gaussian noise for one size, made once per process: drawing 2 million normal samples
    took longer than painting a whole background."""
    w, h = size
    noise = np.random.default_rng(11).standard_normal((h, w), dtype=np.float32)
    return Image.fromarray(np.clip(noise * _GRAIN_SIGMA + 128.5, 0, 255).astype(np.uint8))


def warm(sizes: tuple[tuple[int, int], ...]) -> None:
    """Make the maps that depend on the size alone (film grain, dither, vignette, each
    light's falloff and radial distance) before the first job needs them: a worker keeps
    them for its life (~20 MB a size)."""
    for size in sizes:
        _grain_field(size)
        w, h = size[0] // 2, size[1] // 2
        _dither(w, h)
        _vignette_shape(w, h)
        for light in _LIGHT_POS:
            _glow(w, h, light)
            _radial_distance(w, h, light)
