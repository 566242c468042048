"""The layout engine: one JSON template, laid out for one aspect, into positioned sprites.

Layers are drawn in two passes: what sits under type (panels, gradients, products) first, then
type and chrome (text, CTA, logo, badges), so text colours are chosen against the real pixels
beneath them. The result is a :class:`Scene`: a background plus sprites (kept separate for the
motion engine) and a flattened canvas (the static ad), with the measurements the gates check.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from .colour import AA_BODY, AA_LARGE, RGB, contrast_ratio, hex_to_rgb, luminance, mix, readable_on
from .imaging import opaque_mean, prepare_logo, product_sprite, variant
from .text import TextStyle, draw_text_block, fit_text, word_boxes

UNDER_TYPES = ("panel", "gradient", "product")
TEXT_ROLES = ("headline", "body", "eyebrow", "cta", "list", "badge", "label", "wordmark")


@dataclass
class Sprite:
    """One drawn layer: an RGBA image at a position, with the role the motion engine animates."""

    role: str
    image: Image.Image
    x: int
    y: int
    depth: float = 0.0
    words: list[tuple[int, int, int, int]] = field(default_factory=list)


@dataclass
class TextCheck:
    """What the gates need to know about one piece of text."""

    role: str
    box: tuple[int, int, int, int]
    ink: tuple[int, int, int, int]
    fits: bool
    reason: str
    size: int
    contrast: float
    required: float
    lines: list[str] = field(default_factory=list)


@dataclass
class LayoutOptions:
    """Knobs the re-layout loop turns when a gate fails."""

    min_scale: float = 1.0
    force_scrim: bool = False
    primary_cta: bool = False
    grow_headline: float = 0.0  # extra headline height (fraction), taken from the product below


@dataclass
class Scene:
    width: int
    height: int
    aspect: str
    background: Image.Image
    canvas: Image.Image
    sprites: list[Sprite]
    checks: list[TextCheck]
    palette: dict[str, RGB]
    logo_layer: bool = False
    logo_from_image: bool = False


def _px(frame: list[float], w: int, h: int) -> tuple[int, int, int, int]:
    x, y, fw, fh = frame
    return round(x * w), round(y * h), round(fw * w), round(fh * h)


def _luminance_samples(canvas: Image.Image, box: tuple[int, int, int, int]) -> np.ndarray:
    x, y, w, h = box
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(canvas.width, x + w), min(canvas.height, y + h)
    if x1 <= x0 or y1 <= y0:
        return np.array([1.0])
    crop = canvas.crop((x0, y0, x1, y1))
    crop = crop.reduce(max(1, min(crop.width, crop.height) // 24 or 1))
    arr = np.asarray(crop.convert("RGB")).astype(np.float32) / 255
    lin = np.where(arr <= 0.04045, arr / 12.92, ((arr + 0.055) / 1.055) ** 2.4)
    return (lin @ np.array([0.2126, 0.7152, 0.0722], np.float32)).ravel()


def worst_contrast(colour: RGB, samples: np.ndarray) -> float:
    """Contrast of ``colour`` against the 3rd/97th percentile of the pixels under it."""
    lc = luminance(colour)
    lo, hi = np.percentile(samples, 3), np.percentile(samples, 97)
    ratios = [(max(lc, v) + 0.05) / (min(lc, v) + 0.05) for v in (lo, hi)]
    return float(min(ratios))


def _mask_contrast(canvas: Image.Image, sprite: Image.Image, x: int, y: int,
                   colour: RGB) -> float:
    """Contrast measured only where glyphs are, against the canvas before the text was drawn."""
    alpha = sprite.getchannel("A")
    bbox = alpha.getbbox()
    if not bbox:
        return 21.0
    # Only the pixels the glyphs cover (what is behind the text), within the ink box, at half
    # resolution: plenty of samples for a percentile, a quarter of the work.
    left, top, right, bottom = bbox
    mask = alpha.crop(bbox).reduce(2)
    region = canvas.crop((x + left, y + top, x + right, y + bottom)).convert("RGB").reduce(2)
    arr = np.asarray(region).astype(np.float32) / 255
    sel = np.asarray(mask) > 128
    if not sel.any():
        return 21.0
    pix = arr[sel]
    lin = np.where(pix <= 0.04045, pix / 12.92, ((pix + 0.055) / 1.055) ** 2.4)
    return worst_contrast(colour, lin @ np.array([0.2126, 0.7152, 0.0722], np.float32))


def _draw_shape(draw: ImageDraw.ImageDraw, shape: str, rect: tuple[float, ...], width: float,
                radius: float, fill: int | tuple[int, ...]) -> None:
    """A panel's shape (rect, ellipse or arch, ``width`` wide) filling ``rect``."""
    left, top, right, bottom = rect
    if shape == "ellipse":
        draw.ellipse(rect, fill=fill)
    elif shape == "arch":
        draw.rectangle((left, top + width / 2, right, bottom), fill=fill)
        draw.pieslice((left, top, right, top + width), 180, 360, fill=fill)
    else:
        draw.rounded_rectangle(rect, radius=int(radius), fill=fill)


def _soft_sprite(size: tuple[int, int], colour: RGB, blur: float,
                 draw_shape: Callable[[ImageDraw.ImageDraw, int], None]) -> Image.Image:
    """A sprite of ``size`` in one colour whose alpha is a soft shape: ``draw_shape(draw, q)``
    draws it at 1/q resolution, where it is blurred by ``blur`` / q and scaled up. A blur is
    all low frequencies: a full-resolution one cost more than the rest of a layer."""
    q = 4
    mask = Image.new("L", (max(1, size[0] // q), max(1, size[1] // q)), 0)
    draw_shape(ImageDraw.Draw(mask), q)
    mask = mask.filter(ImageFilter.GaussianBlur(blur / q)).resize(size,
                                                                  Image.Resampling.BILINEAR)
    sprite = Image.new("RGBA", size, (*colour, 255))
    sprite.putalpha(mask)
    return sprite


class SceneBuilder:
    """Lays out one template for one aspect; see module docstring."""

    def __init__(self, *, template: dict, aspect: str, size: tuple[int, int],
                 background: Image.Image, palette: dict[str, RGB], fonts: dict[str, str],
                 content: dict[str, Any], options: LayoutOptions):
        self.template = template
        self.aspect = aspect
        self.w, self.h = size
        self.background = background
        self.canvas = background.copy()
        self.palette = palette
        self.fonts = fonts
        self.content = content
        self.options = options
        self.sprites: list[Sprite] = []
        self.checks: list[TextCheck] = []
        self.logo_layer = False
        self.logo_from_image = False

    # ------------------------------------------------------------------ plumbing
    def _place(self, sprite: Sprite) -> None:
        self.sprites.append(sprite)
        self.canvas.paste(sprite.image, (sprite.x, sprite.y), sprite.image)

    def _colour(self, role_or_hex: str) -> RGB:
        if role_or_hex.startswith("#"):
            return hex_to_rgb(role_or_hex)
        if role_or_hex == "palette":
            return self.palette["accent"]
        return self.palette.get(role_or_hex, self.palette["text"])

    def _size_range(self, layer: dict) -> tuple[int, int]:
        lo, hi = layer.get("size", [0.024, 0.032])
        floor = 0.03 if layer.get("slot") == "headline" else 0.016
        lo_px = max(floor * self.h * 0.75, lo * self.h * self.options.min_scale)
        return int(lo_px), int(max(lo_px, hi * self.h))

    def _candidates(self, role: str, on: str | None) -> list[RGB]:
        order = {"headline": ["primary", "text", "accent", "secondary", "background"],
                 "eyebrow": ["accent", "primary", "text", "secondary", "background"]}.get(
            role, ["text", "primary", "secondary", "background", "accent"])
        if on:
            order = [r for r in order if r != on]
        return [self.palette[r] for r in order]

    # ------------------------------------------------------------------ layers
    def build(self) -> Scene:
        layers = self.template["layouts"][self.aspect]
        if self.options.grow_headline:
            layers = self._grow_headline(layers, self.options.grow_headline)
        if self.content.get("rtl"):
            layers = [self._mirror(layer) for layer in layers]
        for layer in layers:
            if layer["type"] in UNDER_TYPES:
                getattr(self, f"_layer_{layer['type']}")(layer)
        for layer in layers:
            if layer["type"] not in UNDER_TYPES:
                getattr(self, f"_layer_{layer['type']}")(layer)
        return Scene(self.w, self.h, self.aspect, self.background, self.canvas, self.sprites,
                     self.checks, self.palette, self.logo_layer, self.logo_from_image)

    @staticmethod
    def _mirror(layer: dict) -> dict:
        """Right-to-left brands read the layout mirrored: frames flip, left/right swap."""
        x, y, w, h = layer["frame"]
        flipped = {**layer, "frame": [round(1 - x - w, 4), y, w, h]}
        if "align" in layer:
            flipped["align"] = {"left": "right", "right": "left"}.get(layer["align"],
                                                                     layer["align"])
        if layer.get("direction") == "right":
            flipped["direction"] = "left"
        return flipped

    @staticmethod
    def _grow_headline(layers: list[dict], grow: float) -> list[dict]:
        """Alternate arrangement: a taller headline box with one more line; the product
        below it gives up the same height."""
        headline = next((layer for layer in layers if layer.get("slot") == "headline"), None)
        if headline is None:
            return layers
        _hx, hy, _hw, hh = headline["frame"]
        extra = hh * grow
        out = []
        for layer in layers:
            x, y, w, h = layer["frame"]
            if layer is headline:
                layer = {**layer, "frame": [x, y, w, h + extra],
                         "max_lines": layer.get("max_lines", 3) + 1}
            elif layer["type"] == "product" and y >= hy + hh - 0.02 and h > extra * 2:
                layer = {**layer, "frame": [x, y + extra, w, h - extra]}
            out.append(layer)
        return out

    def _layer_panel(self, layer: dict) -> None:
        x, y, w, h = _px(layer["frame"], self.w, self.h)
        colour = self._colour(layer.get("color", "primary"))
        under = np.asarray(self.canvas.crop((max(0, x), max(0, y), min(self.w, x + w),
                                             min(self.h, y + h))).reduce(8)).reshape(-1, 3)
        if (not layer.get("shadow") and len(under)
                and np.linalg.norm(under.mean(axis=0) - np.array(colour)) < 40):
            # A panel the colour of what is under it is invisible: use the farthest role.
            colour = max((self.palette[r] for r in ("primary", "secondary", "accent", "text")),
                         key=lambda c: float(np.linalg.norm(under.mean(axis=0) - np.array(c))))
        alpha = int(255 * layer.get("opacity", 1.0))
        blur = layer.get("blur", 0) * self.w
        pad = int(blur * 2.5) + (int(self.w * 0.03) if layer.get("shadow") else 0)
        sprite = Image.new("RGBA", (w + pad * 2, h + pad * 2), (0, 0, 0, 0))
        draw = ImageDraw.Draw(sprite)
        rect = (pad, pad, pad + w, pad + h)
        shape = layer.get("shape", "rect")
        radius = int(layer.get("radius", 0) * self.w)
        if layer.get("shadow"):
            sprite.alpha_composite(_soft_sprite(
                sprite.size, (0, 0, 0), pad / 3, lambda d, q: d.rounded_rectangle(
                    (rect[0] / q, (rect[1] + pad // 3) / q, rect[2] / q,
                     (rect[3] + pad // 3) / q), radius=int(radius / q), fill=60)))
        if blur:
            # The colour fills the blurred shape flat: blurring the colour with the
            # transparent black around it darkened the rim.
            glow = _soft_sprite(sprite.size, colour, blur, lambda d, q: _draw_shape(
                d, shape, tuple(v / q for v in rect), w / q, radius / q, alpha))
            if layer.get("shadow"):
                sprite.alpha_composite(glow)
            else:
                sprite = glow
        else:
            _draw_shape(draw, shape, rect, w, radius, (*colour, alpha))
        self._place(Sprite("panel", sprite, x - pad, y - pad, depth=0.15))

    def _layer_gradient(self, layer: dict) -> None:
        x, y, w, h = _px(layer["frame"], self.w, self.h)
        colour = self._colour(layer.get("color", "background"))
        if layer.get("direction") in ("right", "left"):
            ramp = np.clip(1.25 - np.linspace(0, 1, w, dtype=np.float32) * 1.25, 0, 1) ** 0.8
            if layer["direction"] == "left":
                ramp = ramp[::-1]
            alpha = np.tile(ramp, (h, 1))
        else:
            ramp = np.clip(np.linspace(0, 1, h, dtype=np.float32) * 1.6, 0, 1) ** 1.2
            alpha = np.tile(ramp[:, None], (1, w))
        sprite = Image.new("RGBA", (w, h), (*colour, 255))
        sprite.putalpha(Image.fromarray((alpha * 255).astype(np.uint8), "L"))
        self._place(Sprite("gradient", sprite, x, y, depth=0.0))

    def _layer_product(self, layer: dict) -> None:
        product = self.content["product_image"]
        x, y, w, h = _px(layer["frame"], self.w, self.h)
        kind = layer.get("variant", "normal")
        tint = mix(self.palette["background"], (120, 120, 120), 0.5)
        image = variant(product, kind, tint)
        sprite, (ox, oy) = product_sprite(image, w, h, zoom=layer.get("zoom", 1.0),
                                          shadow=layer.get("shadow", True),
                                          reflect=layer.get("reflection", False))
        role = "product" if kind in ("normal", "after") else "product_alt"
        if role == "product" and layer.get("zoom", 1.0) <= 1.0:
            self._halo_if_needed(image, x, y, w, h)
        self._place(Sprite(role, sprite, x + ox, y + oy, depth=1.0))

    def _halo_if_needed(self, product: Image.Image, x: int, y: int, w: int, h: int) -> None:
        """A soft glow behind a product that would melt into the backdrop (dark on dark)."""
        product_rgb = opaque_mean(product, 48)
        under = np.asarray(self.canvas.crop((max(0, x), max(0, y), min(self.w, x + w),
                                             min(self.h, y + h))).reduce(8)).reshape(-1, 3)
        if product_rgb is None or not len(under):
            return
        under_rgb = under.mean(axis=0)
        if np.linalg.norm(product_rgb - under_rgb) >= 70:
            return
        glow = max((self.palette[r] for r in ("primary", "accent", "secondary", "text")),
                   key=lambda c: float(np.linalg.norm(np.array(c) - product_rgb)))
        under_colour = (int(under_rgb[0]), int(under_rgb[1]), int(under_rgb[2]))
        glow = mix(under_colour, glow, 0.55)
        q = 4  # the sprite's quarter resolution (see _soft_sprite)
        gw, gh = int(w * 1.5) // q, int(h * 1.3) // q
        radius = gw * 0.12
        # Room for the whole blur on every side: a glow cut off by its own sprite shows as a
        # lit rectangle with hard edges.
        pad = int(radius * 2.5)
        sprite = _soft_sprite(((gw + pad * 2) * q, (gh + pad * 2) * q), glow, radius * q,
                              lambda d, _q: d.ellipse((pad + gw * 0.22, pad + gh * 0.2,
                                                       pad + gw * 0.78, pad + gh * 0.86),
                                                      fill=255))
        self._place(Sprite("panel", sprite, x + w // 2 - sprite.width // 2,
                           y + h // 2 - sprite.height // 2, depth=0.3))

    def _text_colour(self, role: str, samples: np.ndarray, required: float,
                     on: str | None) -> RGB | None:
        for colour in self._candidates(role, on):
            if worst_contrast(colour, samples) >= required:
                return colour
        for neutral in ((17, 17, 17), (255, 255, 255)):
            if worst_contrast(neutral, samples) >= required:
                return neutral
        return None

    def _text(self, *, role: str, text: str, box: tuple[int, int, int, int], layer: dict,
              required: float) -> None:
        x, y, w, h = box
        style = TextStyle(family=self.fonts.get(layer.get("font", "body"), "Inter"),
                          weight=layer.get("weight", 400),
                          line_height=layer.get("line_height", 1.12),
                          tracking=layer.get("tracking", 0.0),
                          upper=layer.get("case") == "upper")
        lo, hi = self._size_range(layer)
        fit = fit_text(text, style, w, h, lo, hi, layer.get("max_lines", 3))
        align = layer.get("align", "left")
        valign = layer.get("valign", {"headline": "middle", "eyebrow": "bottom"}.get(role, "top"))
        samples = _luminance_samples(self.canvas, box)
        box_fill = None
        if layer.get("box"):
            box_colour = self._colour(layer.get("box_color", "#FFFFFF"))
            box_fill = (*box_colour, 240)
            colour: RGB | None = readable_on(box_colour) if required else box_colour
            samples = np.array([luminance(box_colour)])
        else:
            colour = None if self.options.force_scrim else self._text_colour(
                role, samples, required, layer.get("on"))
        sprite, ink = draw_text_block(fit, w, h, (*(colour or (0, 0, 0)), 255), align, valign,
                                      style.tracking, box_fill)
        if colour is None and fit.lines:
            # No palette colour is legible here: lay a scrim of the nearest palette role under
            # the text and use whichever of near-black/white reads best on it.
            scrim_colour = self._colour(layer.get("on") or "background")
            colour = readable_on(scrim_colour)
            sprite, ink = draw_text_block(fit, w, h, (*colour, 255), align, valign,
                                          style.tracking)
            pad = int(fit.size * 0.45)
            scrim = Image.new("RGBA", (ink[2] - ink[0] + pad * 2, ink[3] - ink[1] + pad * 2),
                              (0, 0, 0, 0))
            ImageDraw.Draw(scrim).rounded_rectangle((0, 0, scrim.width - 1, scrim.height - 1),
                                                    radius=pad, fill=(*scrim_colour, 245))
            self._place(Sprite("scrim", scrim, x + ink[0] - pad, y + ink[1] - pad))
        drawn = colour or (0, 0, 0)  # what draw_text_block used when there are no lines
        if box_fill is not None:
            measured = contrast_ratio(drawn, (box_fill[0], box_fill[1], box_fill[2]))
        else:
            measured = _mask_contrast(self.canvas, sprite, x, y, drawn)
        self._place(Sprite(role, sprite, x, y,
                           words=word_boxes(fit, w, h, align, valign, style.tracking)))
        # Optical overhang (a serif R or Y reaching a few px left of its origin) is allowed;
        # anything more is clipped ink.
        slack = max(2, int(fit.size * 0.05))
        ink_ok = (ink[0] >= -slack and ink[1] >= -slack and ink[2] <= w + slack
                  and ink[3] <= h + slack)
        self.checks.append(TextCheck(
            role=role, box=(x, y, w, h),
            ink=(x + ink[0], y + ink[1], x + ink[2], y + ink[3]) if fit.lines else (x, y, x, y),
            fits=fit.fits and ink_ok,
            reason=fit.reason or ("" if ink_ok or not fit.lines else "ink outside box"),
            size=fit.size, contrast=round(measured, 2), required=required, lines=fit.lines))

    def _layer_text(self, layer: dict) -> None:
        slot = layer["slot"]
        text = self.content.get(slot) or ""
        if not text:
            return
        if layer.get("quote"):
            # Japanese quotes with corner brackets; everyone else here with curly quotes.
            japanese = any("\u3040" <= c <= "\u30ff" for c in text)
            text = f"\u300c{text}\u300d" if japanese else f"\u201c{text}\u201d"
        required = AA_LARGE if slot == "headline" else AA_BODY
        self._text(role=slot, text=text, box=_px(layer["frame"], self.w, self.h), layer=layer,
                   required=required)

    def _layer_cta(self, layer: dict) -> None:
        text = self.content.get("cta") or ""
        if not text:
            return
        fx, fy, fw, fh = _px(layer["frame"], self.w, self.h)
        lo, hi = self._size_range(layer)
        style = TextStyle(family=self.fonts.get(layer.get("font", "body"), "Inter"),
                          weight=layer.get("weight", 700), tracking=layer.get("tracking", 0.0),
                          upper=layer.get("case") == "upper")
        pad = int(fh * 0.45)
        fit = fit_text(text, style, fw - pad * 2, int(fh * 0.62), lo, hi, 1)
        bw = min(fw, fit.width + pad * 2)
        bx = {"left": fx, "right": fx + fw - bw}.get(layer.get("align", "center"),
                                                    fx + (fw - bw) // 2)
        outline = layer.get("style") == "outline" and not self.options.primary_cta
        samples = _luminance_samples(self.canvas, (bx, fy, bw, fh))
        fill_role = "primary" if self.options.primary_cta else layer.get("fill", "primary")
        fill = self._colour(fill_role)
        fill_rgba: tuple[int, int, int, int] | None
        border: RGB | None
        if outline:
            ink_colour = self._text_colour("cta", samples, AA_BODY, None) or readable_on(fill)
            colour, fill_rgba, border = ink_colour, None, ink_colour
        else:
            border = None
            if worst_contrast(fill, samples) < 1.25:
                # The button would melt into a background of its own lightness: ring it in
                # whatever stands out there, and keep the brand's fill as it is (a shifted
                # fill is no longer the brand colour the ad has to show).
                border = max(((255, 255, 255), (17, 17, 17)),
                             key=lambda ring: worst_contrast(ring, samples))
            colour = readable_on(fill)
            for role in ("background", "text", "secondary"):
                if contrast_ratio(self.palette[role], fill) >= AA_BODY:
                    colour = self.palette[role]
                    break
            fill_rgba = (fill[0], fill[1], fill[2], 255)
        button = Image.new("RGBA", (bw, fh), (0, 0, 0, 0))
        draw = ImageDraw.Draw(button)
        radius = fh // 2 if layer.get("radius") is None else int(layer["radius"] * fh)
        draw.rounded_rectangle((0, 0, bw - 1, fh - 1), radius=radius, fill=fill_rgba,
                               outline=border, width=max(2, fh // 22) if border else 0)
        text_sprite, ink = draw_text_block(fit, bw - pad * 2, fh, (*colour, 255), "center",
                                           "middle", style.tracking)
        # Optical centring: cap-height text sits visually low when centred on its line box.
        button.alpha_composite(text_sprite, (pad, 0))
        measured = contrast_ratio(colour, fill) if fill_rgba else _mask_contrast(
            self.canvas, text_sprite, bx + pad, fy, colour)
        self._place(Sprite("cta", button, bx, fy))
        self.checks.append(TextCheck(
            role="cta", box=(bx, fy, bw, fh),
            ink=(bx + pad + ink[0], fy + ink[1], bx + pad + ink[2], fy + ink[3]),
            fits=fit.fits and ink[2] <= bw - pad * 2 + 1 and ink[0] >= -1,
            reason=fit.reason, size=fit.size, contrast=round(measured, 2), required=AA_BODY,
            lines=fit.lines))

    def _layer_logo(self, layer: dict) -> None:
        x, y, w, h = _px(layer["frame"], self.w, self.h)
        self.logo_layer = True
        align = layer.get("align", "center")
        logo_bytes = self.content.get("logo")
        samples = _luminance_samples(self.canvas, (x, y, w, h))
        if not logo_bytes:
            # A long brand name ("Oat & Ember Provisions Company of Portland") takes two
            # lines at a smaller size rather than being cut or refused.
            style_layer = {"font": "heading", "weight": 700, "case": "upper", "tracking": 0.08,
                           "size": [min(0.011, h / self.h * 0.4), h / self.h * 0.8],
                           "max_lines": 2 if len(self.content.get("brand_name", "")) > 18
                           else 1, "align": align, "valign": "middle", "line_height": 1.05}
            name = self.content.get("brand_name", "")
            if len(name) > 18:
                # A long name gets the width of its row (within the margins), not a logo slot.
                margin = int(self.w * 0.08)
                wide = max(w, self.w - 2 * margin) if align == "center" else max(
                    w, min(self.w - margin - x, x + w - margin))
                if align == "center":
                    x = max(margin, min(x + w // 2 - wide // 2, self.w - margin - wide))
                elif align == "right":
                    x = x + w - wide
                w = wide
            self._text(role="wordmark", text=name, box=(x, y, w, h), layer=style_layer,
                       required=AA_LARGE)
            return
        logo = prepare_logo(logo_bytes)
        scale = min(w / logo.width, h / logo.height)
        lw, lh = max(1, int(logo.width * scale)), max(1, int(logo.height * scale))
        image = logo.resize((lw, lh), Image.Resampling.LANCZOS)
        opaque = np.asarray(image.convert("RGBA")).reshape(-1, 4)
        opaque = opaque[opaque[:, 3] > 128][:, :3]
        mean = opaque.mean(axis=0) if len(opaque) else (0, 0, 0)
        logo_rgb = (int(mean[0]), int(mean[1]), int(mean[2]))
        lx = {"left": x, "right": x + w - lw}.get(align, x + (w - lw) // 2)
        ly = y + (h - lh) // 2
        if worst_contrast(logo_rgb, samples) < 2.0:
            # The logo would vanish into the background: put it on a contrasting plate.
            pad = int(lh * 0.35)
            plate_rgb = readable_on(logo_rgb)
            plate = Image.new("RGBA", (lw + pad * 2, lh + pad * 2), (0, 0, 0, 0))
            ImageDraw.Draw(plate).rounded_rectangle(
                (0, 0, plate.width - 1, plate.height - 1), radius=pad, fill=(*plate_rgb, 235))
            plate.alpha_composite(image, (pad, pad))
            image, lx, ly = plate, lx - pad, ly - pad
        self.logo_from_image = True
        self._place(Sprite("logo", image, lx, ly))

    def _layer_badge(self, layer: dict) -> None:
        text = self.content.get("badge") or ""
        if layer.get("price") and self.content.get("price_text"):
            text = text or self.content["price_text"]
        if not text:
            return
        x, y, w, h = _px(layer["frame"], self.w, self.h)
        d = min(w, h)
        fill = self._colour(layer.get("fill", "accent"))
        sprite = Image.new("RGBA", (d, d), (0, 0, 0, 0))
        draw = ImageDraw.Draw(sprite)
        if layer.get("shape") == "burst":
            points = []
            for i in range(32):
                r = d / 2 if i % 2 == 0 else d / 2 * 0.86
                a = math.pi * 2 * i / 32
                points.append((d / 2 + r * math.cos(a), d / 2 + r * math.sin(a)))
            draw.polygon(points, fill=(*fill, 255))
        else:
            draw.ellipse((0, 0, d - 1, d - 1), fill=(*fill, 255))
        colour = readable_on(fill)
        inner = int(d * 0.64)
        style = TextStyle(family=self.fonts.get("heading", "Inter"), weight=800, upper=True,
                          line_height=1.0)
        fit = fit_text(text, style, inner, inner, max(12, int(d * 0.1)), int(d * 0.3), 3)
        text_sprite, ink = draw_text_block(fit, inner, inner, (*colour, 255), "center", "middle")
        sprite.alpha_composite(text_sprite, ((d - inner) // 2, (d - inner) // 2))
        bx, by = x + (w - d) // 2, y + (h - d) // 2
        self._place(Sprite("badge", sprite, bx, by, depth=0.6))
        off = (d - inner) // 2
        self.checks.append(TextCheck(
            role="badge", box=(bx + off, by + off, inner, inner),
            ink=(bx + off + ink[0], by + off + ink[1], bx + off + ink[2], by + off + ink[3]),
            fits=fit.fits, reason=fit.reason, size=fit.size,
            contrast=round(contrast_ratio(colour, fill), 2), required=AA_LARGE,
            lines=fit.lines))

    def _layer_label(self, layer: dict) -> None:
        text = self.content.get("labels", {}).get(layer["text_key"], "")
        if not text:
            return
        x, y, w, h = _px(layer["frame"], self.w, self.h)
        fill = self._colour(layer.get("fill", "text"))
        colour = readable_on(fill)
        lo, hi = self._size_range(layer)
        style = TextStyle(family=self.fonts.get("body", "Inter"), weight=700, upper=True)
        pad = int(h * 0.5)
        fit = fit_text(text, style, w - pad * 2, int(h * 0.8), lo, hi, 1)
        lw = min(w, fit.width + pad * 2)
        pill = Image.new("RGBA", (lw, h), (0, 0, 0, 0))
        ImageDraw.Draw(pill).rounded_rectangle((0, 0, lw - 1, h - 1), radius=h // 2,
                                               fill=(*fill, 255))
        text_sprite, ink = draw_text_block(fit, lw - pad * 2, h, (*colour, 255), "center",
                                           "middle")
        pill.alpha_composite(text_sprite, (pad, 0))
        px = x + (w - lw) // 2
        self._place(Sprite("label", pill, px, y))
        self.checks.append(TextCheck(
            role="label", box=(px, y, lw, h),
            ink=(px + pad + ink[0], y + ink[1], px + pad + ink[2], y + ink[3]), fits=fit.fits,
            reason=fit.reason, size=fit.size, contrast=round(contrast_ratio(colour, fill), 2),
            required=AA_BODY, lines=fit.lines))

    def _layer_stars(self, layer: dict) -> None:
        x, y, w, h = _px(layer["frame"], self.w, self.h)
        colour = self._colour(layer.get("color", "accent"))
        samples = _luminance_samples(self.canvas, (x, y, w, h))
        if worst_contrast(colour, samples) < 1.6:
            colour = self.palette["primary"] if worst_contrast(
                self.palette["primary"], samples) >= 1.6 else readable_on(colour)
        count, gap = 5, int(h * 0.25)
        total = count * h + (count - 1) * gap
        sprite = Image.new("RGBA", (total, h), (0, 0, 0, 0))
        draw = ImageDraw.Draw(sprite)
        for i in range(count):
            cx, cy, r = i * (h + gap) + h / 2, h / 2, h / 2
            points = [(cx + (r if k % 2 == 0 else r * 0.45) * math.cos(-math.pi / 2 + k * math.pi
                                                                       / 5),
                       cy + (r if k % 2 == 0 else r * 0.45) * math.sin(-math.pi / 2 + k * math.pi
                                                                       / 5)) for k in range(10)]
            draw.polygon(points, fill=(*colour, 255))
        sx = x if layer.get("align") == "left" else x + (w - total) // 2
        self._place(Sprite("stars", sprite, sx, y))

    def _layer_list(self, layer: dict) -> None:
        items = [i for i in self.content.get(layer["slot"], []) if i][: layer.get("max_items", 3)]
        if not items:
            return
        x, y, w, h = _px(layer["frame"], self.w, self.h)
        lo, hi = self._size_range(layer)
        style = TextStyle(family=self.fonts.get(layer.get("font", "body"), "Inter"),
                          weight=layer.get("weight", 600))
        samples = _luminance_samples(self.canvas, (x, y, w, h))
        chosen = self._text_colour("body", samples, AA_BODY, None)
        scrim = chosen is None
        colour = chosen if chosen is not None else readable_on(self.palette["background"])
        for size in range(hi, lo - 1, -2):
            marker = int(size * 1.15)
            text_w = w - marker - int(size * 0.6)
            fits = [fit_text(i, style, text_w, h, size, size, 2) for i in items]
            heights = [f.height for f in fits]
            gap = int(size * 0.55)
            total = sum(heights) + gap * (len(items) - 1)
            if all(f.fits for f in fits) and total <= h:
                break
        sprite = Image.new("RGBA", (w, h), (0, 0, 0, 0))
        if scrim:
            ImageDraw.Draw(sprite).rounded_rectangle(
                (0, 0, w - 1, min(h, total + gap) - 1), radius=gap,
                fill=(*self.palette["background"], 225))
        draw = ImageDraw.Draw(sprite)
        marker_fill = self.palette["primary"]
        mark_ink = readable_on(marker_fill)
        cursor = max(0, (h - total) // 2)
        rtl = any(f.rtl for f in fits)
        marker_x = w - marker if rtl else 0  # RTL lists read from the right
        text_x = 0 if rtl else marker + int(size * 0.6)
        for index, fit in enumerate(fits):
            my = cursor + (min(fit.height, int(size * 1.2)) - marker) // 2
            draw.ellipse((marker_x, my, marker_x + marker, my + marker), fill=(*marker_fill, 255))
            if layer.get("marker") == "number":
                number = fit_text(str(index + 1), TextStyle(style.family, 700), marker, marker,
                                  int(marker * 0.5), int(marker * 0.6), 1)
                ns, _ = draw_text_block(number, marker, marker, (*mark_ink, 255), "center",
                                        "middle")
                sprite.alpha_composite(ns, (marker_x, my))
            else:
                m, mx = marker, marker_x
                draw.line([(mx + m * 0.28, my + m * 0.52), (mx + m * 0.44, my + m * 0.68),
                           (mx + m * 0.74, my + m * 0.34)], fill=(*mark_ink, 255),
                          width=max(3, m // 9), joint="curve")
            ts, ink = draw_text_block(fit, text_w, fit.height + 4, (*colour, 255), "left", "top")
            sprite.alpha_composite(ts, (text_x, cursor))
            self.checks.append(TextCheck(
                role="list", box=(x + text_x, y + cursor, text_w, fit.height + 4),
                ink=(x + text_x + ink[0], y + cursor + ink[1],
                     x + text_x + ink[2], y + cursor + ink[3]),
                fits=fit.fits and cursor + fit.height <= h, reason=fit.reason, size=fit.size,
                contrast=0.0, required=AA_BODY, lines=fit.lines))
            cursor += fit.height + gap
        measured = round(contrast_ratio(colour, self.palette["background"]) if scrim
                         else worst_contrast(colour, samples), 2)
        for check in self.checks:
            if check.role == "list" and check.contrast == 0.0:
                check.contrast = measured
        self._place(Sprite("list", sprite, x, y))


def build_scene(*, template: dict, aspect_class: str, aspect: str, size: tuple[int, int],
                background: Image.Image, palette: dict[str, RGB], fonts: dict[str, str],
                content: dict[str, Any], options: LayoutOptions | None = None) -> Scene:
    builder = SceneBuilder(template=template, aspect=aspect_class, size=size,
                           background=background, palette=palette, fonts=fonts, content=content,
                           options=options or LayoutOptions())
    scene = builder.build()
    scene.aspect = aspect
    return scene
