"""Sample brands and procedurally drawn product packshots for demos, benchmarks and tests.

The packshots are drawn on white, like a real e-commerce photo, so they exercise the cut-out.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFilter

from .fonts import font_path, load_font
from .specs import BrandSpec, ProductSpec

WHITE = (255, 255, 255)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _label(draw: ImageDraw.ImageDraw, box, text: str, colour, family: str, weight: int = 700):
    x0, y0, x1, y1 = box
    size = int((y1 - y0) * 0.5)
    font = load_font(font_path(family, weight, text), size)
    while font.getlength(text) > (x1 - x0) * 0.85 and size > 8:
        size -= 2
        font = load_font(font_path(family, weight, text), size)
    draw.text(((x0 + x1) / 2, (y0 + y1) / 2), text, font=font, fill=colour, anchor="mm")


def _gloss(image: Image.Image, box, strength: int = 110) -> None:
    mask = Image.new("L", image.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle(box, radius=(box[2] - box[0]) // 2, fill=strength)
    image.paste(WHITE, mask=mask.filter(ImageFilter.GaussianBlur(8)))


def dropper_bottle(glass=(201, 139, 123), cap=(40, 36, 34), label_text="SERUM",
                   size=(700, 1000)) -> bytes:
    w, h = size
    image = Image.new("RGB", size, WHITE)
    d = ImageDraw.Draw(image)
    d.rounded_rectangle((w * 0.22, h * 0.38, w * 0.78, h * 0.97), radius=int(w * 0.1), fill=glass)
    d.rectangle((w * 0.38, h * 0.3, w * 0.62, h * 0.4), fill=glass)
    d.rounded_rectangle((w * 0.34, h * 0.2, w * 0.66, h * 0.32), radius=10, fill=cap)
    d.rounded_rectangle((w * 0.4, h * 0.03, w * 0.6, h * 0.22), radius=int(w * 0.09), fill=cap)
    d.rounded_rectangle((w * 0.28, h * 0.56, w * 0.72, h * 0.82), radius=12, fill=(248, 243, 238))
    _label(d, (w * 0.28, h * 0.6, w * 0.72, h * 0.7), label_text, (60, 48, 44),
           "Cormorant Garamond")
    _label(d, (w * 0.3, h * 0.7, w * 0.7, h * 0.76), "30 ml · 1 fl oz", (120, 100, 96), "Inter",
           400)
    _gloss(image, (int(w * 0.27), int(h * 0.42), int(w * 0.33), int(h * 0.93)))
    return _png(image)


def coffee_bag(colour=(30, 24, 20), accent=(200, 161, 101), label_text="NOIR ROAST",
               size=(760, 1000)) -> bytes:
    w, h = size
    image = Image.new("RGB", size, WHITE)
    d = ImageDraw.Draw(image)
    d.polygon([(w * 0.16, h * 0.12), (w * 0.84, h * 0.12), (w * 0.9, h * 0.97),
               (w * 0.1, h * 0.97)], fill=colour)
    d.rectangle((w * 0.16, h * 0.06, w * 0.84, h * 0.14), fill=tuple(int(c * 1.4) for c in colour))
    for x in range(int(w * 0.17), int(w * 0.83), 12):
        d.line((x, h * 0.06, x, h * 0.13), fill=tuple(int(c * 0.8) for c in colour), width=2)
    d.ellipse((w * 0.27, h * 0.36, w * 0.73, h * 0.36 + w * 0.46), outline=accent, width=6)
    _label(d, (w * 0.3, h * 0.47, w * 0.7, h * 0.55), label_text, accent, "Playfair Display")
    _label(d, (w * 0.3, h * 0.56, w * 0.7, h * 0.6), "SINGLE ORIGIN · 250 G", (220, 205, 180),
           "DM Sans", 400)
    _gloss(image, (int(w * 0.2), int(h * 0.18), int(w * 0.26), int(h * 0.9)), 40)
    return _png(image)


def hoodie(colour=(255, 46, 99), print_colour=(17, 17, 17), label_text="VOLTAGE",
           size=(900, 1000)) -> bytes:
    w, h = size
    image = Image.new("RGB", size, WHITE)
    d = ImageDraw.Draw(image)
    body = [(w * 0.3, h * 0.12), (w * 0.7, h * 0.12), (w * 0.95, h * 0.42), (w * 0.86, h * 0.5),
            (w * 0.78, h * 0.42), (w * 0.78, h * 0.96), (w * 0.22, h * 0.96), (w * 0.22, h * 0.42),
            (w * 0.14, h * 0.5), (w * 0.05, h * 0.42)]
    d.polygon(body, fill=colour)
    d.ellipse((w * 0.37, h * 0.04, w * 0.63, h * 0.24), fill=tuple(int(c * 0.8) for c in colour))
    d.ellipse((w * 0.42, h * 0.08, w * 0.58, h * 0.2), fill=tuple(int(c * 0.6) for c in colour))
    _label(d, (w * 0.28, h * 0.36, w * 0.72, h * 0.5), label_text, print_colour, "Anton", 400)
    d.rectangle((w * 0.22, h * 0.9, w * 0.78, h * 0.96), fill=tuple(int(c * 0.85) for c in colour))
    return _png(image)


def perfume(glass=(214, 178, 120), cap=(30, 30, 30), size=(700, 1000)) -> bytes:
    w, h = size
    image = Image.new("RGB", size, WHITE)
    d = ImageDraw.Draw(image)
    d.rounded_rectangle((w * 0.18, h * 0.35, w * 0.82, h * 0.97), radius=int(w * 0.06), fill=glass)
    d.rectangle((w * 0.42, h * 0.25, w * 0.58, h * 0.36), fill=(200, 200, 200))
    d.rounded_rectangle((w * 0.32, h * 0.05, w * 0.68, h * 0.26), radius=14, fill=cap)
    d.rounded_rectangle((w * 0.3, h * 0.55, w * 0.7, h * 0.75), radius=8, fill=(250, 246, 238))
    _gloss(image, (int(w * 0.24), int(h * 0.4), int(w * 0.3), int(h * 0.92)))
    return _png(image)


def sample_brands() -> dict[str, tuple[BrandSpec, ProductSpec, str]]:
    """Four very different brands with a product each and a fitting style id."""
    skin = BrandSpec(
        name="Lumière Skin", tagline="Calm skin, every day", tone="clinical authority, gentle",
        colors={"primary": "#C27A68", "secondary": "#EAD7CF", "accent": "#8FB9A8",
                "background": "#FBF6F2", "text": "#3B2F2C"},
        fonts={"heading": "Cormorant Garamond", "body": "Inter"},
        value_props=("Fragrance-free", "Dermatologist tested", "Vegan formula"))
    street = BrandSpec(
        name="VOLTAGE", tagline="Loud by design", tone="loud, playful, hype",
        colors={"primary": "#FF2E63", "secondary": "#08D9D6", "accent": "#FFE400",
                "background": "#111111", "text": "#FFFFFF"},
        fonts={"heading": "Anton", "body": "Space Grotesk"},
        value_props=("Heavyweight cotton", "Limited drop", "Made to last"))
    coffee = BrandSpec(
        name="Noir Roast", tagline="Small batch. Slow roast.", tone="premium, refined",
        colors={"primary": "#C8A165", "secondary": "#3A2A20", "accent": "#E8D3B0",
                "background": "#16110E", "text": "#F5EDE3"},
        fonts={"heading": "Playfair Display", "body": "DM Sans"},
        value_props=("Single origin", "Roasted to order", "Notes of cacao"))
    rtl = BrandSpec(
        name="عطر الليل", tagline="عطر يدوم طوال الليل", tone="luxury", language="ar",
        colors={"primary": "#7A4E9E", "secondary": "#E9DDF2", "accent": "#D6B278",
                "background": "#FAF6FC", "text": "#2A1B36"},
        fonts={"heading": "Noto Sans Arabic", "body": "Noto Sans Arabic"},
        value_props=("ثبات يدوم", "مكونات طبيعية", "صنع يدوي"))
    return {
        "skincare": (skin, ProductSpec(
            name="Barrier Serum", description="A light serum that calms redness overnight.",
            price="38.00", image=dropper_bottle(label_text="LUMIÈRE")), "pastel-dream"),
        "streetwear": (street, ProductSpec(
            name="Static Hoodie", description="Heavyweight hoodie in a limited colourway.",
            price="89.00", image=hoodie()), "street-poster"),
        "coffee": (coffee, ProductSpec(
            name="Ethiopia Guji", description="Single-origin beans, roasted the day we ship.",
            price="19.50", image=coffee_bag()), "dark-premium"),
        "rtl": (rtl, ProductSpec(name="ليلة", description="عطر شرقي دافئ بلمسة من العنبر.",
                                 price="120", currency="AED", image=perfume()), "marble-luxe"),
    }
