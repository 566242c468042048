"""The UGC video: a presenter talking to camera, cut like a creator would cut it.

The script's sections become shots: the hook on a punched-in close-up (with a sticker of the
hook line, so the first frame already says something), the problem on the wider frame, the
product moment as a cut-away to the product on the brand's own background, the proof back
on the presenter, and the CTA over an end card with the logo and a CTA button that holds for
the last 1.5 s at least. Throughout, the camera breathes (a slow zoom of about 1%), the head
sways and nods, the eyes blink and the mouth moves with the words (with a voice track, with
its loudness). Captions show up to three words at a time with the spoken one highlighted.

Per frame only pastes happen: every zoom level of the plate, head and patches is scaled once
(0.4% steps) and reused, so a 15 s 1080x1920 video is mostly encoder time.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from generations import catalogue

from ..colour import RGB, contrast_ratio, hex_to_rgb, mix, readable_on
from ..copy import price_text
from ..engine import background_for, content_for, fonts_of
from ..fonts import clean_text, font_path, load_font
from ..imaging import prepare_logo, product_sprite
from ..motion import FPS, encode_mp4, frame_count, poster_jpeg, prefetched
from ..specs import BrandSpec, ConceptSpec, ProductSpec, RenderedFile
from .captions import SAFE_BOTTOM, SAFE_TOP, CaptionStyle, pages_of
from .presenter import Presenter
from .script import LEAD_IN, TAIL, Script, TimedWord, timed_words
from .voice import RATE, Voiceover

ZOOM_STEP = 0.004
END_CARD_SECONDS = 1.5
HOOK_STICKER_SECONDS = 2.2
SHOT_ZOOM = {"close": 1.2, "wide": 1.0, "medium": 1.1}


@dataclass(frozen=True)
class Shot:
    kind: str  # close | wide | medium | product | end
    start: float
    end: float


def plan_shots(words: list[TimedWord], duration: float, *, has_product: bool) -> list[Shot]:
    """Shots from the script's sections (see the module docstring)."""
    spans: dict[str, tuple[float, float]] = {}
    for word in words:
        start, end = spans.get(word.section, (word.start, word.end))
        spans[word.section] = (min(start, word.start), max(end, word.end))
    end_start = min(spans.get("cta", (duration, duration))[0], duration - END_CARD_SECONDS)
    end_start = max(end_start, min(duration * 0.5, 1.0))
    cuts: list[tuple[str, float]] = [("close", 0.0)]
    if "problem" in spans:
        cuts.append(("wide", spans["problem"][0]))
    if "product" in spans:
        p0, p1 = spans["product"]
        if has_product:
            cuts.append(("product", p0))
            cuts.append(("medium", p0 + (p1 - p0) * 0.55))
        else:
            cuts.append(("medium", p0))
    if "proof" in spans:
        cuts.append(("close", spans["proof"][0]))
    shots: list[Shot] = []
    cuts = [(kind, at) for kind, at in cuts if at < end_start - 0.6]
    for index, (kind, at) in enumerate(cuts):
        until = cuts[index + 1][1] if index + 1 < len(cuts) else end_start
        if shots and until - at < 0.6:
            continue  # too short to read as a shot: the previous one holds
        if shots and shots[-1].end != at:
            shots[-1] = Shot(shots[-1].kind, shots[-1].start, at)
        shots.append(Shot(kind, at, until))
    if shots:
        shots[-1] = Shot(shots[-1].kind, shots[-1].start, end_start)
    shots.append(Shot("end", end_start, duration))
    return shots


class _Levels:
    """An image scaled to zoom levels on demand (cached), cropped around a focal point."""

    def __init__(self, image: Image.Image, size: tuple[int, int], focal: tuple[float, float]):
        self.image = image
        self.size = size
        self.focal = focal
        self.cache: dict[int, Image.Image] = {}

    @staticmethod
    def quantise(zoom: float) -> int:
        return max(0, round((zoom - 1.0) / ZOOM_STEP))

    def origin(self, level: int) -> tuple[int, int]:
        z = 1.0 + level * ZOOM_STEP
        w, h = self.size
        x = min(max(0, round(self.focal[0] * (z - 1))), round(w * z) - w)
        y = min(max(0, round(self.focal[1] * (z - 1))), round(h * z) - h)
        return x, y

    def frame(self, level: int) -> Image.Image:
        image = self.cache.get(level)
        if image is None:
            z = 1.0 + level * ZOOM_STEP
            w, h = self.size
            image = self.image if level == 0 else self.image.resize(
                (round(w * z), round(h * z)), Image.Resampling.BILINEAR)
            self.cache[level] = image
        x, y = self.origin(level)
        return image.crop((x, y, x + self.size[0], y + self.size[1]))


class _Sprites:
    """The presenter's moving parts at each zoom level."""

    def __init__(self, presenter: Presenter):
        self.p = presenter
        self.cache: dict[tuple, Image.Image] = {}

    def scaled(self, key: tuple, image: Image.Image, level: int) -> Image.Image:
        full = (*key, level)
        if full not in self.cache:
            z = 1.0 + level * ZOOM_STEP
            self.cache[full] = image if level == 0 else image.resize(
                (max(1, round(image.width * z)), max(1, round(image.height * z))),
                Image.Resampling.BILINEAR)
        return self.cache[full]


def _text_fit(text: str, family: str, weight: int, max_w: int, max_px: int, min_px: int
              ) -> tuple[ImageFont.FreeTypeFont, str, int]:
    path = font_path(family, weight, text)
    text = clean_text(text, path)
    size = max_px
    while size > min_px and load_font(path, size).getlength(text) > max_w:
        size -= 2
    return load_font(path, size), text, size


def _product_scene(brand: BrandSpec, product: ProductSpec, concept: ConceptSpec,
                   aspect: str, size: tuple[int, int]) -> Image.Image:
    """The cut-away: the product on the concept's style background in the brand's palette,
    in the upper part of the frame (the captions sit below it)."""
    template = catalogue.template_by_slug(concept.template_slug)
    style = catalogue.style_by_id(concept.style_id)
    product_image = content_for(brand, product, concept)["product_image"]
    canvas = background_for(style, brand, template, catalogue.ASPECT_CLASSES[aspect], size,
                            concept, product_image).convert("RGB")
    w, h = size
    box_w, box_h = int(w * 0.62), int(h * (0.36 if h > w * 1.5 else 0.42))
    sprite, (ox, oy) = product_sprite(product_image, box_w, box_h)
    top = int(h * (0.17 if h > w * 1.5 else 0.1))
    canvas.paste(sprite, ((w - box_w) // 2 + ox, top + oy), sprite)
    # The product's name (and price) on a brand-coloured pill, under the captions' band.
    palette = {role: hex_to_rgb(v) for role, v in brand.colors.items()}
    label = product.name + (f"  ·  {price_text(product)}" if product.price else "")
    unit = min(w, h * 0.5625)
    font, text, px = _text_fit(label, fonts_of(brand)["heading"], 700, int(w * 0.7),
                               int(unit * 0.045), 18)
    pill_w, pill_h = int(font.getlength(text)) + px * 2, int(px * 1.9)
    pill_y = int(h * (1 - SAFE_BOTTOM)) - pill_h - int(h * 0.02)
    d = ImageDraw.Draw(canvas)
    d.rounded_rectangle(((w - pill_w) // 2, pill_y, (w + pill_w) // 2, pill_y + pill_h),
                        radius=pill_h // 2, fill=palette["primary"])
    d.text((w // 2, pill_y + pill_h // 2), text, font=font, fill=readable_on(palette["primary"]),
           anchor="mm")
    return canvas


def _end_card(brand: BrandSpec, product: ProductSpec, concept: ConceptSpec, cta: str,
              size: tuple[int, int]) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """Logo, product and a CTA button on the brand's background; returns the card and the
    button's box. The band where captions run (around 65% of the height) is left clear."""
    w, h = size
    palette = {role: hex_to_rgb(v) for role, v in brand.colors.items()}
    background = palette["background"]
    card = Image.new("RGB", size, background)
    d = ImageDraw.Draw(card)
    # A soft brand-coloured arc behind the product.
    d.ellipse((int(w * 0.08), int(h * 0.22), int(w * 0.92), int(h * 0.22) + int(w * 0.84)),
              fill=mix(background, palette["primary"], 0.14))
    fonts = fonts_of(brand)
    tall = h > w * 1.5
    logo_top = int(h * (0.155 if tall else 0.07))
    if brand.logo:
        logo = prepare_logo(brand.logo)
        scale = min(w * 0.42 / logo.width, h * 0.07 / logo.height)
        logo = logo.resize((max(1, int(logo.width * scale)), max(1, int(logo.height * scale))),
                           Image.Resampling.LANCZOS)
        card.paste(logo, ((w - logo.width) // 2, logo_top), logo)
        name_bottom = logo_top + logo.height
    else:
        font, text, _ = _text_fit(brand.name, fonts["heading"], 800, int(w * 0.8),
                                  int(min(w, h * 0.5625) * 0.09), 24)
        text_colour = readable_on(background)
        d.text((w // 2, logo_top), text, font=font, fill=text_colour, anchor="mt")
        name_bottom = logo_top + int(font.size * 1.1)
    product_image = content_for(brand, product, concept)["product_image"]
    box_w, box_h = int(w * 0.5), int(h * (0.26 if tall else 0.3))
    sprite, (ox, oy) = product_sprite(product_image, box_w, box_h)
    card.paste(sprite, ((w - box_w) // 2 + ox, name_bottom + int(h * 0.03) + oy), sprite)
    button_colour = palette["primary"]
    label_colour = readable_on(button_colour)
    unit = min(w, h * 0.5625)
    font, text, px = _text_fit(cta.upper(), fonts["heading"], 800, int(w * 0.6),
                               int(unit * 0.06), 20)
    text_w = int(font.getlength(text))
    bw, bh = text_w + int(px * 2.4), int(px * 2.1)
    by = int(h * (1 - SAFE_BOTTOM) - bh - h * 0.035)
    bx = (w - bw) // 2
    button = (bx, by, bx + bw, by + bh)
    if contrast_ratio(button_colour, background) < 1.6:
        d.rounded_rectangle((bx - 4, by - 4, bx + bw + 4, by + bh + 4), radius=bh // 2 + 4,
                            fill=readable_on(background))
    d.rounded_rectangle(button, radius=bh // 2, fill=button_colour)
    d.text((w // 2, by + bh // 2), text, font=font, fill=label_colour, anchor="mm")
    return card, button


def _hook_sticker(text: str, family: str, size: tuple[int, int]
                  ) -> tuple[Image.Image, tuple[int, int]]:
    """The hook as an on-screen text sticker (white box, dark bold type) under the top UI."""
    w, h = size
    unit = min(w, h * 0.5625)
    path = font_path(family, 800, text)
    text = clean_text(text, path)
    px = int(unit * 0.052)
    font = load_font(path, px)
    words, lines, line = text.split(), [], ""
    for word in words:
        trial = f"{line} {word}".strip()
        if font.getlength(trial) > w * 0.72 and line:
            lines.append(line)
            line = word
        else:
            line = trial
    lines.append(line)
    lines = lines[:3]
    pad = int(px * 0.55)
    advance = int(px * 1.22)
    box_w = int(max(font.getlength(ln) for ln in lines)) + pad * 2
    box_h = advance * len(lines) + pad * 2 - int(px * 0.2)
    sticker = Image.new("RGBA", (box_w, box_h), (0, 0, 0, 0))
    sd = ImageDraw.Draw(sticker)
    sd.rounded_rectangle((0, 0, box_w - 1, box_h - 1), radius=int(px * 0.4),
                         fill=(255, 255, 255, 245))
    for i, ln in enumerate(lines):
        sd.text((box_w // 2, pad + i * advance), ln, font=font, fill=(17, 17, 17, 255),
                anchor="mt")
    return sticker, ((w - box_w) // 2, int(h * (SAFE_TOP + 0.01)))


@dataclass
class _Motion:
    """Head sway, nods on word starts, blinks and the mouth, as functions of time."""

    words: list[TimedWord]
    unit: float
    seed: int
    envelope: np.ndarray | None

    def __post_init__(self):
        rng = np.random.default_rng(self.seed)
        self.blinks = []
        t = 0.8 + rng.random()
        while t < 120:
            self.blinks.append(t)
            t += 2.4 + 2.2 * rng.random()
        self.starts = np.array([w.start for w in self.words] or [0.0])

    def head(self, t: float) -> tuple[int, int]:
        sway = math.sin(t * 2 * math.pi / 3.9) * 7 * self.unit
        bob = math.sin(t * 2 * math.pi / 2.7 + 1.1) * 4 * self.unit
        index = int(np.searchsorted(self.starts, t, side="right")) - 1
        nod = 0.0
        if index >= 0 and index % 3 == 0:
            since = t - self.starts[index]
            nod = 9 * self.unit * math.exp(-since * 7) * math.sin(min(since * 14, math.pi))
        return round(sway), round(bob + nod)

    def eyes(self, t: float) -> str:
        for blink in self.blinks:
            if 0 <= t - blink < 0.16:
                return "closed" if 0.04 <= t - blink < 0.11 else "half"
            if blink > t:
                break
        return "open"

    def mouth(self, t: float, frame: int, levels: int) -> int:
        if self.envelope is not None:
            if frame >= len(self.envelope):
                return 0
            return min(levels - 1, int(self.envelope[frame] * (levels - 0.01) * 1.3))
        for word in self.words:
            if word.start <= t < word.end:
                syllables = max(1, len([c for c in word.text.casefold() if c in "aeiouáéíóúäöü"]))
                phase = (t - word.start) / max(0.05, word.end - word.start) * syllables
                opening = 0.5 - 0.5 * math.cos(2 * math.pi * phase)
                return min(levels - 1, round(opening * (levels - 1)))
            if word.start > t:
                break
        return 0


def render_ugc(*, brand: BrandSpec, product: ProductSpec, concept: ConceptSpec,
               presenter: Presenter, script: Script, aspect: str = "9:16",
               size: tuple[int, int] | None = None, duration: float = 15.0,
               voice: Voiceover | None = None, seed: int = 0,
               step: Callable[[int, int], None] | None = None) -> RenderedFile:
    """One UGC MP4 (H.264 yuv420p, 30 fps, faststart; AAC when there is a voice). With a
    voice the video is as long as the track and the captions follow its speech."""
    started = time.perf_counter()
    size = size or catalogue.ASPECT_SIZES[aspect]
    w, h = size
    if voice is not None:
        duration = voice.duration
        speech = voice.speech_span(FPS)
    else:
        speech = (LEAD_IN, duration - TAIL)
    count = frame_count(duration)
    words = timed_words(script, start=speech[0], end=speech[1])
    shots = plan_shots(words, duration, has_product=True)
    fonts = fonts_of(brand)
    palette = {role: hex_to_rgb(v) for role, v in brand.colors.items()}
    highlight = _highlight_colour(palette)
    captions = CaptionStyle(size=size, family=fonts["heading"], highlight=highlight)
    pages = pages_of(words, max_chars=captions.max_chars)
    face = presenter.face_box
    focal = ((face[0] + face[2]) / 2, (face[1] + face[3]) / 2)
    plate = _Levels(presenter.plate, size, focal)
    sprites = _Sprites(presenter)
    product_levels = _Levels(_product_scene(brand, product, concept, aspect, size), size,
                             (w / 2, h * 0.35))
    cta = concept.cta or script.section("cta").split(".")[0][:24] or "Shop now"
    card, button = _end_card(brand, product, concept, cta, size)
    card_levels = _Levels(card, size, (w / 2, h * 0.4))
    hook_line = script.section("hook")
    sticker = _hook_sticker(hook_line, fonts["heading"], size) if hook_line else None
    unit = min(w / 1080, h / 1400)
    motion = _Motion(words=words, unit=unit, seed=seed,
                     envelope=voice.envelope(FPS) if voice is not None else None)
    caption_boxes: dict[int, tuple[int, int, int, int]] = {}
    layout_s = time.perf_counter() - started
    first: list[Image.Image] = []

    def presenter_frame(t: float, index: int, zoom: float) -> Image.Image:
        level = _Levels.quantise(zoom)
        frame = plate.frame(level)
        p = presenter
        if p.head is None:
            return frame
        z = 1.0 + level * ZOOM_STEP
        ox, oy = plate.origin(level)
        dx, dy = motion.head(t)
        head = sprites.scaled(("head",), p.head, level)
        hx, hy = round(p.head_at[0] * z) - ox + dx, round(p.head_at[1] * z) - oy + dy
        frame.paste(head, (hx, hy), head)
        eye, eye_at = p.eyes[motion.eyes(t)]
        eye = sprites.scaled(("eye", motion.eyes(t)), eye, level)
        frame.paste(eye, (hx + round(eye_at[0] * z), hy + round(eye_at[1] * z)), eye)
        mouth_level = motion.mouth(t, index, len(p.mouths))
        mouth, mouth_at = p.mouths[mouth_level]
        mouth = sprites.scaled(("mouth", mouth_level), mouth, level)
        frame.paste(mouth, (hx + round(mouth_at[0] * z), hy + round(mouth_at[1] * z)), mouth)
        return frame

    def frames():
        shot_index = 0
        page_index = 0
        for index in range(count):
            t = index / FPS
            while shot_index + 1 < len(shots) and t >= shots[shot_index + 1].start:
                shot_index += 1
            shot = shots[shot_index]
            into = t - shot.start
            breathing = 0.012 * (0.5 - 0.5 * math.cos(2 * math.pi * t / 4.6))
            if shot.kind == "product":
                frame = product_levels.frame(_Levels.quantise(1.0 + 0.05 * into / max(
                    0.5, shot.end - shot.start)))
            elif shot.kind == "end":
                frame = card_levels.frame(_Levels.quantise(1.0 + 0.02 * min(1.0, into / 1.5)))
            else:
                # A punch-in lands with a short ease, as a creator's zoom cut does.
                target = SHOT_ZOOM[shot.kind]
                settle = 0.04 * math.exp(-into * 9) if shot.kind == "close" else 0.0
                frame = presenter_frame(t, index, target + breathing + settle)
            if sticker is not None and t < HOOK_STICKER_SECONDS and shot.kind != "end":
                frame.paste(sticker[0], sticker[1], sticker[0])
            while page_index + 1 < len(pages) and t >= pages[page_index + 1].start:
                page_index += 1
            page = pages[page_index] if pages else None
            if page is not None and page.start - 0.05 <= t < page.end + 0.25:
                active = 0
                for i, word in enumerate(page.words):
                    if t >= word.start:
                        active = i
                image, at = captions.sprite(page_index, page, active)
                frame.paste(image, at, image)
                box = (at[0], at[1], at[0] + image.width, at[1] + image.height)
                caption_boxes.setdefault(page_index, box)
            if index == 0:
                first.append(frame.copy())
            yield frame
            if step is not None:
                step(index + 1, count)

    audio = None
    if voice is not None:
        samples = voice.samples[:, : round(count / FPS * RATE)]
        audio = np.ascontiguousarray(samples.astype(np.float32))
    content = encode_mp4(prefetched(frames(), name="ugc-compose"), size=size, count=count,
                         audio=audio, rate=RATE)
    safe = all(box[1] >= h * SAFE_TOP and box[3] <= h * (1 - SAFE_BOTTOM)
               for box in caption_boxes.values())
    elapsed = time.perf_counter() - started
    report = {
        "ok": safe, "ugc": True,
        "gates": {"safe_zones": {"ok": safe, "captions": [list(caption_boxes[i])
                                                          for i in sorted(caption_boxes)]}},
        "video": {"frames": count, "fps": FPS, "duration": count / FPS,
                  "audio": voice.source if voice is not None else None,
                  "captions": {"pages": len(pages), "start": words[0].start if words else 0,
                               "end": words[-1].end if words else 0},
                  "shots": [{"kind": s.kind, "start": round(s.start, 3),
                             "end": round(s.end, 3)} for s in shots],
                  "face_box": list(face), "cta_button": list(button),
                  "caption_highlight": list(highlight),
                  "end_card_start": round(shots[-1].start, 3)},
        "script": [{"section": line.section, "text": line.text} for line in script.lines],
    }
    return RenderedFile(kind="video", aspect=aspect, width=w, height=h, duration=count / FPS,
                        content=content, mime="video/mp4", extension="mp4", gate_report=report,
                        poster=poster_jpeg(first[0]),
                        timings={"layout_s": round(layout_s, 3),
                                 "video_s": round(elapsed - layout_s, 3),
                                 "fps": round(count / max(elapsed, 1e-6), 1)})


def _highlight_colour(palette: dict[str, RGB]) -> RGB:
    """The caption highlight: the most saturated of the brand's primary and accent (a pale
    primary would not read as a highlight over a busy frame)."""
    def saturation(c: RGB) -> float:
        return (max(c) - min(c)) / 255

    candidates = [palette["primary"], palette["accent"]]
    best = max(candidates, key=saturation)
    return best if saturation(best) > 0.2 else palette["primary"]
