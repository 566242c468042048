"""Presenters: stylised portraits the engine draws from parameters (no provider, no stock
art), and portrait photos a workspace uploads.

A drawn presenter is split into what moves and what does not: the *plate* (background, back
hair, shoulders and neck) is painted once per render, the *head* is a sprite that nods and
sways over it, and the eyes and mouth are small patches swapped per frame (blinks, five mouth
openings while speaking). Everything is drawn at twice the size and scaled down, which is
what makes flat vector shapes look clean instead of jagged.

A photo presenter is a face-centred crop of the uploaded picture; it moves with the camera
(breathing zoom, punch-ins on beats) but has no separate head or mouth.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps

from ..colour import RGB, hex_to_rgb, mix

SS = 2  # supersampling factor for the drawn shapes
MOUTH_LEVELS = 5  # 0 = closed … 4 = wide open
EYE_STATES = ("open", "half", "closed")


@dataclass
class Presenter:
    """What the video renderer composes: a static plate, optionally a moving head with
    swappable eye and mouth patches, and where the face is (the camera's focal point)."""

    plate: Image.Image  # RGB, frame size
    face_box: tuple[int, int, int, int]  # in frame pixels
    skin: RGB
    head: Image.Image | None = None  # RGBA sprite
    head_at: tuple[int, int] = (0, 0)
    eyes: dict[str, tuple[Image.Image, tuple[int, int]]] = field(default_factory=dict)
    mouths: list[tuple[Image.Image, tuple[int, int]]] = field(default_factory=list)
    drawn: bool = True


def _rgb(value: str) -> RGB:
    return hex_to_rgb(value)


def _darker(colour: RGB, amount: float) -> RGB:
    return mix(colour, (20, 10, 10), amount)


def _lighter(colour: RGB, amount: float) -> RGB:
    return mix(colour, (255, 250, 245), amount)


def _ellipse(box, size) -> Image.Image:
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).ellipse(box, fill=255)
    return mask


def _face_polygon(cx: float, cy: float, rx: float, ry: float, jaw: float) -> list[tuple]:
    """A face outline: an ellipse whose lower half narrows toward the chin."""
    points = []
    for angle in np.linspace(0, 2 * np.pi, 120, endpoint=False):
        s = np.sin(angle)
        narrow = 1 - jaw * max(0.0, s) ** 2.2
        points.append((cx + rx * np.cos(angle) * narrow, cy + ry * s))
    return points


def _fill(canvas: Image.Image, mask: Image.Image, colour: RGB, alpha: float = 1.0) -> None:
    if alpha < 1:
        mask = mask.point(lambda v: int(v * alpha))
    canvas.paste(Image.new("RGB", canvas.size, colour), (0, 0), mask)


def _soft(mask: Image.Image, radius: float) -> Image.Image:
    return mask.filter(ImageFilter.GaussianBlur(radius))


# --------------------------------------------------------------------------- background
@lru_cache(maxsize=16)
def _room(size: tuple[int, int], top: str, bottom: str, seed: int) -> Image.Image:
    """A soft, out-of-focus room: a wall gradient, a window glow, a lamp and shelf shapes
    blurred as a phone camera's portrait mode would."""
    w, h = size
    sw, sh = max(8, w // 4), max(8, h // 4)
    a, b = np.array(_rgb(top), np.float32), np.array(_rgb(bottom), np.float32)
    t = np.linspace(0, 1, sh, dtype=np.float32)[:, None, None]
    wall = (a * (1 - t) + b * t).repeat(sw, axis=1)
    image = Image.fromarray(wall.clip(0, 255).astype(np.uint8))
    rng = np.random.default_rng(seed)
    d = ImageDraw.Draw(image, "RGBA")
    window_x = int(sw * (0.02 + 0.1 * rng.random()))
    d.rectangle((window_x, int(sh * 0.08), window_x + int(sw * 0.32), int(sh * 0.5)),
                fill=(*_lighter(_rgb(top), 0.75), 150))
    lamp = (int(sw * (0.72 + 0.15 * rng.random())), int(sh * 0.3))
    r = int(sw * 0.13)
    d.ellipse((lamp[0] - r, lamp[1] - r, lamp[0] + r, lamp[1] + r),
              fill=(255, 226, 170, 120))
    shelf_y = int(sh * (0.55 + 0.06 * rng.random()))
    d.rectangle((int(sw * 0.62), shelf_y, sw, shelf_y + max(2, sh // 60)),
                fill=(*_darker(_rgb(bottom), 0.35), 150))
    for i in range(3):
        x = int(sw * (0.66 + 0.1 * i))
        ph = int(sh * (0.05 + 0.04 * rng.random()))
        d.rounded_rectangle((x, shelf_y - ph, x + int(sw * 0.06), shelf_y), radius=3,
                            fill=(*mix(_rgb(top), _rgb(bottom), rng.random()), 200))
    plant_x = int(sw * (0.08 + 0.05 * rng.random()))
    for i in range(7):
        angle = -1.2 + i * 0.4
        lx = plant_x + int(np.cos(angle) * sw * 0.08)
        ly = int(sh * 0.66) + int(np.sin(angle) * sh * 0.05)
        d.ellipse((lx - sw // 30, ly - sh // 40, lx + sw // 30, ly + sh // 40),
                  fill=(96, 128, 92, 170))
    image = image.filter(ImageFilter.GaussianBlur(max(2, sw // 40)))
    image = image.resize(size, Image.Resampling.BICUBIC)
    # A gentle vignette keeps the eye on the presenter.
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    dist = np.sqrt(((xx / sw) - 0.5) ** 2 + ((yy / sh) - 0.42) ** 2)
    vignette = Image.fromarray((np.clip(dist * 1.1 - 0.2, 0, 0.45) * 255).astype(np.uint8))
    shade = Image.new("RGB", size, _darker(_rgb(bottom), 0.6))
    image.paste(shade, (0, 0), vignette.resize(size, Image.Resampling.BILINEAR))
    return image


# --------------------------------------------------------------------------- geometry
@dataclass(frozen=True)
class Geometry:
    """Where a drawn presenter sits in a frame: head centre and the design unit (px per
    design pixel; a head is ~400 design pixels wide)."""

    cx: float
    cy: float
    u: float

    @classmethod
    def for_frame(cls, size: tuple[int, int]) -> Geometry:
        w, h = size
        u = min(w / 1080, h / 1400)
        centre_x = w * (0.34 if w > h else 0.5)
        return cls(cx=centre_x, cy=h * (0.36 if h > w * 1.5 else 0.40), u=u)

    @property
    def face_box(self) -> tuple[int, int, int, int]:
        u = self.u
        return (int(self.cx - 190 * u), int(self.cy - 250 * u), int(self.cx + 190 * u),
                int(self.cy + 240 * u))


# --------------------------------------------------------------------------- drawing
def _draw_back_hair(d: ImageDraw.ImageDraw, hair: dict, g: Geometry, colour: RGB) -> None:
    cx, cy, u = g.cx, g.cy, g.u
    style = hair["style"]
    shade = _darker(colour, 0.25)
    if style == "long":
        d.rounded_rectangle((cx - 235 * u, cy - 170 * u, cx + 235 * u, cy + 470 * u),
                            radius=int(200 * u), fill=shade)
    elif style == "bob":
        d.rounded_rectangle((cx - 228 * u, cy - 180 * u, cx + 228 * u, cy + 190 * u),
                            radius=int(150 * u), fill=shade)
    elif style == "coily":
        for dx, dy, r in ((0, -60, 270), (-170, 20, 170), (170, 20, 170), (-120, -180, 170),
                          (120, -180, 170), (0, -230, 170)):
            d.ellipse((cx + (dx - r) * u, cy + (dy - r) * u, cx + (dx + r) * u,
                       cy + (dy + r) * u), fill=shade)
    elif style == "bun":
        d.ellipse((cx - 95 * u, cy - 390 * u, cx + 95 * u, cy - 200 * u), fill=colour)
    elif style == "ponytail":
        d.rounded_rectangle((cx + 120 * u, cy - 120 * u, cx + 250 * u, cy + 330 * u),
                            radius=int(70 * u), fill=shade)


def _draw_body(canvas: Image.Image, g: Geometry, params: dict) -> None:
    d = ImageDraw.Draw(canvas)
    cx, cy, u = g.cx, g.cy, g.u
    h = canvas.size[1]
    skin = _rgb(params["skin"])
    top = params["top"]
    cloth = _rgb(top["colour"])
    # Neck, with the chin's shadow on it.
    d.rounded_rectangle((cx - 78 * u, cy + 120 * u, cx + 78 * u, cy + 380 * u),
                        radius=int(40 * u), fill=_darker(skin, 0.08))
    shadow = Image.new("L", canvas.size, 0)
    ImageDraw.Draw(shadow).ellipse((cx - 110 * u, cy + 150 * u, cx + 110 * u, cy + 290 * u),
                                   fill=255)
    _fill(canvas, _soft(shadow, 20 * u), _darker(skin, 0.3), 0.55)
    # Shoulders and torso: a wide rounded shape, shaded toward the sides.
    body = Image.new("L", canvas.size, 0)
    bd = ImageDraw.Draw(body)
    shoulder_y = cy + 315 * u
    bd.rounded_rectangle((cx - 470 * u, shoulder_y, cx + 470 * u, h + 400 * u),
                         radius=int(230 * u), fill=255)
    if top.get("style") == "hoodie":
        bd.ellipse((cx - 250 * u, shoulder_y - 60 * u, cx + 250 * u, shoulder_y + 120 * u),
                   fill=255)
    _fill(canvas, body, cloth)
    sides = ImageChops.subtract(body, _soft(_ellipse(
        (cx - 360 * u, shoulder_y + 40 * u, cx + 360 * u, h + 600 * u), canvas.size), 60 * u))
    _fill(canvas, sides, _darker(cloth, 0.35), 0.6)
    neckline = top.get("style", "crew")
    if neckline == "vneck":
        d.polygon([(cx - 95 * u, shoulder_y - 4 * u), (cx + 95 * u, shoulder_y - 4 * u),
                   (cx, shoulder_y + 190 * u)], fill=_darker(skin, 0.08))
        d.line([(cx - 100 * u, shoulder_y), (cx, shoulder_y + 196 * u),
                (cx + 100 * u, shoulder_y)], fill=_darker(cloth, 0.3), width=int(10 * u))
    elif neckline == "collar":
        d.polygon([(cx - 85 * u, shoulder_y - 10 * u), (cx, shoulder_y + 120 * u),
                   (cx - 150 * u, shoulder_y + 90 * u)], fill=_lighter(cloth, 0.3))
        d.polygon([(cx + 85 * u, shoulder_y - 10 * u), (cx, shoulder_y + 120 * u),
                   (cx + 150 * u, shoulder_y + 90 * u)], fill=_lighter(cloth, 0.3))
        d.line([(cx, shoulder_y + 120 * u), (cx, h)], fill=_darker(cloth, 0.25),
               width=int(6 * u))
    elif neckline == "hoodie":
        d.chord((cx - 100 * u, shoulder_y - 66 * u, cx + 100 * u, shoulder_y + 60 * u), 0, 180,
                fill=_darker(skin, 0.08))
        d.arc((cx - 118 * u, shoulder_y - 80 * u, cx + 118 * u, shoulder_y + 80 * u), 0, 180,
              fill=_darker(cloth, 0.3), width=int(20 * u))
        for side in (-1, 1):
            x = cx + side * 55 * u
            d.line([(x, shoulder_y + 70 * u), (x, shoulder_y + 260 * u)],
                   fill=_lighter(cloth, 0.6), width=int(7 * u))
    else:  # crew
        d.chord((cx - 105 * u, shoulder_y - 70 * u, cx + 105 * u, shoulder_y + 70 * u), 0, 180,
                fill=_darker(skin, 0.08))
        d.arc((cx - 112 * u, shoulder_y - 76 * u, cx + 112 * u, shoulder_y + 78 * u), 0, 180,
              fill=_darker(cloth, 0.2), width=int(12 * u))
    if params.get("hair", {}).get("style") == "hijab":
        scarf = _rgb(params["hair"]["colour"])
        drape = _darker(scarf, 0.1)
        d.polygon([(cx - 225 * u, cy - 20 * u), (cx + 225 * u, cy - 20 * u),
                   (cx + 300 * u, shoulder_y + 40 * u), (cx + 420 * u, shoulder_y + 280 * u),
                   (cx - 420 * u, shoulder_y + 280 * u), (cx - 300 * u, shoulder_y + 40 * u)],
                  fill=drape)
        d.chord((cx - 420 * u, shoulder_y + 160 * u, cx + 420 * u, shoulder_y + 380 * u), 0,
                180, fill=drape)
        d.arc((cx - 260 * u, cy + 80 * u, cx + 260 * u, shoulder_y + 200 * u), 30, 150,
              fill=_darker(scarf, 0.25), width=int(8 * u))


def _head_box(g: Geometry) -> tuple[int, int, int, int]:
    u = g.u
    return (int(g.cx - 300 * u), int(g.cy - 360 * u), int(g.cx + 300 * u), int(g.cy + 300 * u))


def _draw_head(params: dict, g: Geometry) -> Image.Image:
    """The head sprite (RGBA) without eyes or mouth, drawn at SS x and scaled down."""
    x0, y0, x1, y1 = _head_box(g)
    size = ((x1 - x0) * SS, (y1 - y0) * SS)
    u = g.u * SS
    cx, cy = (g.cx - x0) * SS, (g.cy - y0) * SS
    skin = _rgb(params["skin"])
    hair = params["hair"]
    hair_colour = _rgb(hair["colour"])
    canvas = Image.new("RGB", size, skin)
    alpha = Image.new("L", size, 0)
    d = ImageDraw.Draw(canvas)
    # Ears behind the face.
    ears = Image.new("L", size, 0)
    for side in (-1, 1):
        ImageDraw.Draw(ears).ellipse((cx + side * 178 * u - 30 * u, cy - 40 * u,
                                      cx + side * 178 * u + 30 * u, cy + 62 * u), fill=255)
    _fill(canvas, ears, _darker(skin, 0.12))
    alpha = ImageChops.lighter(alpha, ears)
    face = Image.new("L", size, 0)
    ImageDraw.Draw(face).polygon(_face_polygon(cx, cy, 180 * u, 232 * u, 0.38), fill=255)
    _fill(canvas, face, skin)
    alpha = ImageChops.lighter(alpha, face)
    # Form: the face's far side in shadow, a warm light on the near cheek.
    shifted = ImageChops.offset(face, int(34 * u), int(-10 * u))
    shade = _soft(ImageChops.subtract(face, shifted), 16 * u)
    _fill(canvas, shade, _darker(skin, 0.28), 0.7)
    glow = _soft(_ellipse((cx + 10 * u, cy - 150 * u, cx + 130 * u, cy + 60 * u), size), 40 * u)
    _fill(canvas, ImageChops.multiply(glow, face), _lighter(skin, 0.35), 0.35)
    lips = _rgb(params["lips"])
    for side in (-1, 1):
        blush = _soft(_ellipse((cx + side * 105 * u - 45 * u, cy + 45 * u,
                                cx + side * 105 * u + 45 * u, cy + 95 * u), size), 20 * u)
        _fill(canvas, blush, mix(skin, lips, 0.5), 0.35)
    # Nose: a soft side shadow and two nostrils.
    nose = Image.new("L", size, 0)
    ImageDraw.Draw(nose).line([(cx - 6 * u, cy + 10 * u), (cx - 20 * u, cy + 62 * u),
                               (cx - 4 * u, cy + 76 * u)], fill=255, width=int(9 * u))
    _fill(canvas, _soft(nose, 5 * u), _darker(skin, 0.3), 0.6)
    for side in (-1, 1):
        d.ellipse((cx + side * 18 * u - 8 * u, cy + 72 * u, cx + side * 18 * u + 8 * u,
                   cy + 82 * u), fill=_darker(skin, 0.35))
    d.ellipse((cx - 24 * u, cy + 52 * u, cx + 24 * u, cy + 74 * u), fill=_lighter(skin, 0.08))
    # Eyebrows.
    brow = _darker(hair_colour, 0.1) if hair["style"] != "hijab" else _darker(skin, 0.7)
    if params.get("grey"):
        brow = mix(brow, (120, 120, 120), 0.5)
    for side in (-1, 1):
        bx = cx + side * 80 * u
        d.line([(bx - side * 42 * u, cy - 58 * u), (bx, cy - 72 * u),
                (bx + side * 44 * u, cy - 62 * u)], fill=brow, width=int(13 * u), joint="curve")
    if params.get("freckles"):
        rng = np.random.default_rng(7)
        for _ in range(26):
            side = 1 if rng.random() > 0.5 else -1
            fx = cx + side * (60 + 70 * rng.random()) * u
            fy = cy + (20 + 60 * rng.random()) * u
            r = (2.5 + 2 * rng.random()) * u
            d.ellipse((fx - r, fy - r, fx + r, fy + r), fill=_darker(skin, 0.22))
    if params.get("beard"):
        beard = Image.new("L", size, 0)
        ImageDraw.Draw(beard).polygon(_face_polygon(cx, cy + 8 * u, 182 * u, 232 * u, 0.36),
                                      fill=255)
        # The beard's upper edge follows the cheeks (an ellipse over the upper face), and the
        # lips stay clear.
        ImageDraw.Draw(beard).ellipse((cx - 150 * u, cy - 320 * u, cx + 150 * u, cy + 95 * u),
                                      fill=0)
        ImageDraw.Draw(beard).rectangle((0, 0, size[0], cy - 10 * u), fill=0)
        ImageDraw.Draw(beard).ellipse((cx - 66 * u, cy + 100 * u, cx + 66 * u, cy + 152 * u),
                                      fill=60)
        full = params["beard"] == "full"
        _fill(canvas, _soft(beard, (6 if full else 12) * u), _darker(hair_colour, 0.05),
              0.9 if full else 0.22)
        alpha = ImageChops.lighter(alpha, beard)
    # Hair over the head: a cap shaped by the hairline (an ellipse cut out of it).
    style = hair["style"]
    cap = Image.new("L", size, 0)
    cd = ImageDraw.Draw(cap)
    part = float(hair.get("part", 0.0))
    if style == "hijab":
        cd.ellipse((cx - 232 * u, cy - 300 * u, cx + 232 * u, cy + 300 * u), fill=255)
        cd.ellipse((cx - 168 * u, cy - 205 * u, cx + 168 * u, cy + 250 * u), fill=0)
    elif style == "coily":
        for dx, dy, r in ((0, -150, 210), (-140, -90, 130), (140, -90, 130), (-90, -220, 120),
                          (90, -220, 120)):
            cd.ellipse((cx + (dx - r) * u, cy + (dy - r) * u, cx + (dx + r) * u,
                        cy + (dy + r) * u), fill=255)
        cd.ellipse((cx - 185 * u, cy - 118 * u, cx + 185 * u, cy + 300 * u), fill=0)
    elif style == "buzz":
        cd.polygon(_face_polygon(cx, cy - 12 * u, 186 * u, 240 * u, 0.3), fill=255)
        cd.rectangle((0, cy - 100 * u, size[0], size[1]), fill=0)
        cd.rectangle((0, cy - 160 * u, cx - 150 * u, size[1]), fill=0)
        cd.rectangle((cx + 150 * u, cy - 160 * u, size[0], size[1]), fill=0)
    else:
        cd.ellipse((cx - 200 * u, cy - 275 * u, cx + 200 * u, cy + 120 * u), fill=255)
        if style in ("long", "bob", "ponytail"):
            side_len = {"long": 330, "bob": 170, "ponytail": 40}[style]
            cd.rounded_rectangle((cx - 206 * u, cy - 140 * u, cx - 150 * u, cy + side_len * u),
                                 radius=int(30 * u), fill=255)
            cd.rounded_rectangle((cx + 150 * u, cy - 140 * u, cx + 206 * u, cy + side_len * u),
                                 radius=int(30 * u), fill=255)
        # The hairline: a forehead ellipse, shifted by the parting.
        cd.ellipse((cx - 172 * u + part * 60 * u, cy - 150 * u, cx + 172 * u + part * 60 * u,
                    cy + 330 * u), fill=0)
        if style in ("short", "side"):
            cd.rectangle((0, cy - 60 * u, size[0], size[1]), fill=0)
        if style == "fringe":
            cd.rectangle((cx - 160 * u, cy - 150 * u, cx + 160 * u, cy - 95 * u), fill=255)
            cd.rectangle((0, cy - 30 * u, size[0], size[1]), fill=0)
    if params.get("grey"):
        hair_colour = mix(hair_colour, (200, 200, 205), 0.6)
    _fill(canvas, cap, hair_colour)
    if style not in ("buzz", "coily"):
        sheen = ImageChops.multiply(cap, _soft(_ellipse(
            (cx - 120 * u + part * 40 * u, cy - 270 * u, cx + 60 * u + part * 40 * u,
             cy - 190 * u), size), 18 * u))
        _fill(canvas, sheen, _lighter(hair_colour, 0.35), 0.5)
    alpha = ImageChops.lighter(alpha, cap)
    if style == "hijab":
        alpha = ImageChops.lighter(alpha, _ellipse((cx - 232 * u, cy - 300 * u, cx + 232 * u,
                                                    cy + 300 * u), size))
    if "earrings" in params.get("accessories", ()):
        for side in (-1, 1):
            ex = cx + side * 182 * u
            ImageDraw.Draw(canvas).ellipse((ex - 11 * u, cy + 62 * u, ex + 11 * u,
                                            cy + 84 * u), fill=(214, 172, 84))
            ImageDraw.Draw(alpha).ellipse((ex - 11 * u, cy + 62 * u, ex + 11 * u, cy + 84 * u),
                                          fill=255)
    sprite = canvas.convert("RGBA")
    sprite.putalpha(alpha)
    return sprite.resize((x1 - x0, y1 - y0), Image.Resampling.LANCZOS)


def _draw_eyes(params: dict, g: Geometry, base: Image.Image, state: str
               ) -> tuple[Image.Image, tuple[int, int]]:
    """The eye region of ``base`` (the head sprite) with the eyes in ``state``."""
    hx0, hy0 = _head_box(g)[:2]
    u = g.u
    box = (int(g.cx - 140 * u) - hx0, int(g.cy - 48 * u) - hy0, int(g.cx + 140 * u) - hx0,
           int(g.cy + 34 * u) - hy0)
    patch = base.crop(box).resize(((box[2] - box[0]) * SS, (box[3] - box[1]) * SS),
                                  Image.Resampling.BICUBIC)
    d = ImageDraw.Draw(patch)
    s = u * SS
    ox, oy = (g.cx - hx0 - box[0]) * SS, (g.cy - hy0 - box[1]) * SS
    ink = (42, 30, 28, 255)
    iris = _rgb(params.get("eyes", "#3B2A20"))
    for side in (-1, 1):
        ex, ey = ox + side * 78 * s, oy - 8 * s
        if state == "closed":
            d.arc((ex - 34 * s, ey - 16 * s, ex + 34 * s, ey + 14 * s), 20, 160, fill=ink,
                  width=int(6 * s))
            continue
        height = 17 if state == "open" else 8
        white = Image.new("L", patch.size, 0)
        ImageDraw.Draw(white).ellipse((ex - 32 * s, ey - height * s, ex + 32 * s,
                                       ey + height * s), fill=255)
        layer = Image.new("RGBA", patch.size, (248, 244, 238, 255))
        ld = ImageDraw.Draw(layer)
        ld.ellipse((ex - 15 * s, ey - 15 * s, ex + 15 * s, ey + 15 * s), fill=(*iris, 255))
        ld.ellipse((ex - 7 * s, ey - 7 * s, ex + 7 * s, ey + 7 * s), fill=(18, 14, 14, 255))
        ld.ellipse((ex + 3 * s, ey - 9 * s, ex + 9 * s, ey - 3 * s), fill=(255, 255, 255, 255))
        patch.paste(layer, (0, 0), white)
        d.arc((ex - 34 * s, ey - (height + 2) * s, ex + 34 * s, ey + (height + 2) * s), 190,
              350, fill=ink, width=int(6 * s))
        d.line([(ex + side * 30 * s, ey - 4 * s), (ex + side * 40 * s, ey - 10 * s)],
               fill=ink, width=int(5 * s))
    patch = patch.resize((box[2] - box[0], box[3] - box[1]), Image.Resampling.LANCZOS)
    return patch, (box[0], box[1])


def _draw_mouth(params: dict, g: Geometry, base: Image.Image, level: int
                ) -> tuple[Image.Image, tuple[int, int]]:
    hx0, hy0 = _head_box(g)[:2]
    u = g.u
    box = (int(g.cx - 80 * u) - hx0, int(g.cy + 95 * u) - hy0, int(g.cx + 80 * u) - hx0,
           int(g.cy + 175 * u) - hy0)
    patch = base.crop(box).resize(((box[2] - box[0]) * SS, (box[3] - box[1]) * SS),
                                  Image.Resampling.BICUBIC)
    d = ImageDraw.Draw(patch)
    s = u * SS
    mx, my = (g.cx - hx0 - box[0]) * SS, (g.cy + 125 * u - hy0 - box[1]) * SS
    lips = _rgb(params["lips"])
    openness = level / (MOUTH_LEVELS - 1)
    if level == 0:
        d.chord((mx - 52 * s, my - 16 * s, mx + 52 * s, my + 22 * s), 0, 180,
                fill=(*_lighter(lips, 0.08), 255))
        d.chord((mx - 52 * s, my - 12 * s, mx + 52 * s, my + 6 * s), 180, 360,
                fill=(*_darker(lips, 0.12), 255))
        d.arc((mx - 52 * s, my - 22 * s, mx + 52 * s, my + 8 * s), 10, 170,
              fill=(*_darker(lips, 0.5), 255), width=int(5 * s))
    else:
        height = 10 + 40 * openness
        width = 48 - 8 * openness
        d.ellipse((mx - (width + 9) * s, my - (height / 2 + 8) * s, mx + (width + 9) * s,
                   my + (height / 2 + 10) * s), fill=(*lips, 255))
        inner = (mx - width * s, my - height / 2 * s, mx + width * s, my + height / 2 * s)
        d.ellipse(inner, fill=(70, 22, 26, 255))
        if openness > 0.2:
            teeth = Image.new("L", patch.size, 0)
            ImageDraw.Draw(teeth).ellipse(inner, fill=255)
            ImageDraw.Draw(teeth).rectangle((0, my - height / 2 * s + 11 * s, patch.size[0],
                                             patch.size[1]), fill=0)
            patch.paste(Image.new("RGBA", patch.size, (246, 242, 236, 255)), (0, 0), teeth)
            tongue = Image.new("L", patch.size, 0)
            ImageDraw.Draw(tongue).ellipse((mx - width * 0.6 * s, my + height * 0.1 * s,
                                            mx + width * 0.6 * s, my + height * 0.9 * s),
                                           fill=255)
            tongue = ImageChops.multiply(tongue, _ellipse(inner, patch.size))
            patch.paste(Image.new("RGBA", patch.size, (176, 78, 86, 255)), (0, 0), tongue)
    patch = patch.resize((box[2] - box[0], box[3] - box[1]), Image.Resampling.LANCZOS)
    return patch, (box[0], box[1])


def _draw_glasses(head: Image.Image, g: Geometry) -> None:
    hx0, hy0 = _head_box(g)[:2]
    u = g.u
    d = ImageDraw.Draw(head)
    cx, cy = g.cx - hx0, g.cy - hy0
    frame = (36, 30, 32, 255)
    for side in (-1, 1):
        ex = cx + side * 80 * u
        d.rounded_rectangle((ex - 54 * u, cy - 46 * u, ex + 54 * u, cy + 30 * u),
                            radius=int(22 * u), outline=frame, width=max(2, int(8 * u)))
    d.line([(cx - 26 * u, cy - 14 * u), (cx + 26 * u, cy - 14 * u)], fill=frame,
           width=max(2, int(7 * u)))


def draw_presenter(params: dict, size: tuple[int, int]) -> Presenter:
    """A drawn presenter for a frame of ``size`` from its catalogue parameters."""
    return _drawn(_freeze(params), size)


def _freeze(params: dict) -> str:
    return json.dumps(params, sort_keys=True)


@lru_cache(maxsize=4)  # a drawn presenter is ~30 MB of plate and sprites at 1080x1920
def _drawn(frozen: str, size: tuple[int, int]) -> Presenter:
    params = json.loads(frozen)
    g = Geometry.for_frame(size)
    room = params.get("background", ["#EFE6DC", "#D9C9B8"])
    plate = _room(size, room[0], room[1], int(params.get("seed", 1))).copy()
    hair = params["hair"]
    hair_colour = _rgb(hair["colour"])
    if params.get("grey"):
        hair_colour = mix(hair_colour, (200, 200, 205), 0.6)
    _draw_back_hair(ImageDraw.Draw(plate), hair, g, hair_colour)
    _draw_body(plate, g, params)
    head = _draw_head(params, g)
    glasses = "glasses" in params.get("accessories", ())
    eyes = {state: _draw_eyes(params, g, head, state) for state in EYE_STATES}
    mouths = [_draw_mouth(params, g, head, level) for level in range(MOUTH_LEVELS)]
    base = head.copy()
    base.paste(eyes["open"][0], eyes["open"][1])
    base.paste(mouths[0][0], mouths[0][1])
    if glasses:
        # Glasses sit over the eyes in every state: draw them onto each eye patch too.
        _draw_glasses(base, g)
        for state, (patch, at) in list(eyes.items()):
            framed = head.copy()
            framed.paste(patch, at)
            _draw_glasses(framed, g)
            eyes[state] = (framed.crop((at[0], at[1], at[0] + patch.width,
                                        at[1] + patch.height)), at)
    x0, y0 = _head_box(g)[:2]
    return Presenter(plate=plate, face_box=g.face_box, skin=_rgb(params["skin"]), head=base,
                     head_at=(x0, y0), eyes=eyes, mouths=mouths)


# --------------------------------------------------------------------------- photos
def face_centre(image: Image.Image) -> tuple[float, float, float]:
    """Where the face is in a portrait photo, as (x, y, size) fractions of the image.

    The heuristic: pixels in the YCbCr skin range (Cb 77–127, Cr 133–173, a classic range
    that holds across skin tones), weighted toward the upper middle where portraits put the
    face; the weighted centroid is the face centre and the spread its size. A photo with no
    skin-range pixels falls back to the upper centre (x 0.5, y 0.38), where a portrait's face
    usually is.
    """
    small = image.convert("RGB")
    small.thumbnail((160, 160))
    ycbcr = np.asarray(small.convert("YCbCr"), np.float32)
    cb, cr, y = ycbcr[..., 1], ycbcr[..., 2], ycbcr[..., 0]
    skin = (cb >= 77) & (cb <= 127) & (cr >= 133) & (cr <= 173) & (y > 40)
    h, w = skin.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    prior = np.exp(-(((xx / w) - 0.5) ** 2) / 0.08 - (((yy / h) - 0.38) ** 2) / 0.1)
    weight = skin * prior
    total = float(weight.sum())
    if total < 0.01 * w * h * 0.2:
        return 0.5, 0.38, 0.35
    fx = float((weight * xx).sum() / total) / w
    fy = float((weight * yy).sum() / total) / h
    spread = float(np.sqrt((weight * ((xx / w - fx) ** 2 + (yy / h - fy) ** 2)).sum() / total))
    return fx, fy, min(0.6, max(0.15, spread * 2.6))


def face_crop(width: int, height: int, face: tuple[float, float, float], aspect: float
              ) -> tuple[int, int, int, int]:
    """The largest crop of ``aspect`` (w/h) that puts the face centre a third of the way
    down and as central as the photo allows."""
    fx, fy = face[0] * width, face[1] * height
    crop_w = min(width, height * aspect)
    crop_h = crop_w / aspect
    x = min(max(0, fx - crop_w / 2), width - crop_w)
    y = min(max(0, fy - crop_h * 0.36), height - crop_h)
    return int(x), int(y), int(x + crop_w), int(y + crop_h)


def photo_presenter(data: bytes, size: tuple[int, int],
                    face: tuple[float, float, float] | None = None) -> Presenter:
    """A presenter from an uploaded portrait: face-centred, cover-cropped to the frame."""
    image = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
    face = face or face_centre(image)
    box = face_crop(image.width, image.height, face, size[0] / size[1])
    plate = image.crop(box).resize(size, Image.Resampling.LANCZOS)
    scale = size[0] / (box[2] - box[0])
    fx = (face[0] * image.width - box[0]) * scale
    fy = (face[1] * image.height - box[1]) * scale
    half = face[2] * image.width * scale / 2
    region = plate.crop((int(fx - half / 2), int(fy - half / 2), int(fx + half / 2),
                         int(fy + half / 2)))
    skin = tuple(int(v) for v in np.asarray(region).reshape(-1, 3).mean(axis=0))
    return Presenter(plate=plate, face_box=(int(fx - half), int(fy - half * 1.2),
                                            int(fx + half), int(fy + half * 1.2)),
                     skin=(skin[0], skin[1], skin[2]), drawn=False)


def portrait_preview(params: dict, width: int = 360) -> Image.Image:
    """A still of a drawn presenter (eyes open, smiling) at 9:16 for pickers and docs."""
    size = (1080, 1920)
    presenter = draw_presenter(params, size)
    frame = presenter.plate.copy()
    if presenter.head is not None:
        frame.paste(presenter.head, presenter.head_at, presenter.head)
    crop = frame.crop((90, 180, 990, 1500))
    return crop.resize((width, int(width * crop.height / crop.width)),
                       Image.Resampling.LANCZOS)
