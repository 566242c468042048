"""Text fitting and drawing: largest size that fits, hyphen-free balanced wrapping, RTL, emoji."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw

from .fonts import EMOJI_FONT, clean_text, detect_script, font_path, is_emoji, load_font

RGBA = tuple[int, int, int, int]


@dataclass(frozen=True)
class TextStyle:
    family: str
    weight: int = 400
    line_height: float = 1.12
    tracking: float = 0.0
    upper: bool = False


@dataclass
class TextFit:
    """A text laid out in a box: the lines, the size, and whether it truly fits."""

    text: str
    lines: list[str]
    size: int
    line_advance: int
    width: int
    height: int
    fits: bool
    path: Path
    rtl: bool
    reason: str = ""


_CJK_BREAKABLE = re.compile(r"[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]")
# Kinsoku: these never start a line (closing punctuation) or end one (opening brackets).
_NO_LINE_START = set("、。，．！？：；）」』】〉》〕ー・…"
                     "ぁぃぅぇぉっゃゅょ"
                     "ァィゥェォッャュョ,.!?:;)")
_NO_LINE_END = set("（「『【〈《〔(")


def _tokens(text: str) -> tuple[list[str], str]:
    """Words, or for Chinese and Japanese each character (they wrap between any two), with
    Latin words and Hangul words kept whole and kinsoku punctuation kept with its neighbour.
    CJK tokens carry their own spaces (joiner ""); lines are stripped when drawn."""
    if detect_script(text) != "cjk" or not _CJK_BREAKABLE.search(text):
        return text.split(), " "
    tokens: list[str] = []
    word = ""
    for char in text:
        if _CJK_BREAKABLE.match(char):
            if word:
                tokens.append(word)
                word = ""
            tokens.append(char)
        elif char.isspace():
            if word:
                tokens.append(word + " ")
                word = ""
            elif tokens:
                tokens[-1] = tokens[-1].rstrip() + " "
        else:
            word += char
    if word:
        tokens.append(word)
    merged: list[str] = []
    for token in tokens:
        if merged and (token[:1] in _NO_LINE_START or merged[-1][-1:] in _NO_LINE_END):
            merged[-1] += token
        else:
            merged.append(token)
    return merged, ""


def _runs(line: str) -> list[tuple[str, bool]]:
    """Split a line into (text, is_emoji) runs so emoji use the bundled emoji font."""
    runs: list[tuple[str, bool]] = []
    for char in line:
        flag = is_emoji(char)
        if runs and runs[-1][1] == flag:
            runs[-1] = (runs[-1][0] + char, flag)
        else:
            runs.append((char, flag))
    return runs


@lru_cache(maxsize=16384)
def line_width(line: str, path: Path, size: int, tracking: float = 0.0, rtl: bool = False) -> float:
    """Advance width of one line (cached: fitting measures the same prefixes many times)."""
    font = load_font(path, size)
    if rtl:
        return font.getlength(line, direction="rtl")
    if tracking:
        return sum(font.getlength(c) for c in line) + tracking * size * max(0, len(line) - 1)
    if max(line, default=" ") < "\u2600":
        return font.getlength(line)
    total = 0.0
    for run, emoji in _runs(line):
        total += (load_font(EMOJI_FONT, size) if emoji else font).getlength(run)
    return total


def line_metrics(path: Path, size: int) -> tuple[int, int]:
    """Ascent and descent used for layout, capped near the em box.

    Fonts for Arabic and Hebrew declare tall ascents/descents for stacked marks; using them raw
    makes every RTL line box ~1.8 em. The clipping gate still checks the real ink.
    """
    ascent, descent = load_font(path, size).getmetrics()
    return min(ascent, int(size * 1.0)), min(descent, int(size * 0.32))


def wrap(tokens: list[str], joiner: str, width: float, measure) -> list[str] | None:
    """Greedy wrap; None when a single word is wider than the box (we never hyphenate)."""
    lines: list[str] = []
    current = ""
    for token in tokens:
        candidate = f"{current}{joiner}{token}" if current else token
        if measure(candidate) <= width:
            current = candidate
            continue
        if not current or measure(token) > width:
            return None
        lines.append(current)
        current = token
    if current:
        lines.append(current)
    return [line.strip() for line in lines] if not joiner else lines


def balance(tokens: list[str], joiner: str, width: float, measure, lines: list[str]) -> list[str]:
    """Re-wrap to the narrowest width that keeps the line count: even lines, no orphan word."""
    if len(lines) < 2:
        return lines
    lo, hi = width * 0.45, width
    best = lines
    for _ in range(12):
        mid = (lo + hi) / 2
        trial = wrap(tokens, joiner, mid, measure)
        if trial is not None and len(trial) == len(lines):
            best, hi = trial, mid
        else:
            lo = mid
    return best


def fit_text(text: str, style: TextStyle, box_w: int, box_h: int, min_px: int, max_px: int,
             max_lines: int) -> TextFit:
    """Largest size in [min_px, max_px] whose wrapped text fits the box within max_lines."""
    path = font_path(style.family, style.weight, text)
    text = clean_text(text, path)
    if style.upper and detect_script(text) == "latin":
        text = text.upper()
    rtl = detect_script(text) in ("arabic", "hebrew")
    tokens, joiner = _tokens(text)

    def attempt(size: int) -> TextFit:
        def measure(s: str) -> float:
            return line_width(s, path, size, style.tracking, rtl)

        advance = round(size * style.line_height)
        lines = wrap(tokens, joiner, box_w, measure)
        if lines is None:
            return TextFit(text, [], size, advance, 0, 0, False, path, rtl, "word wider than box")
        lines = balance(tokens, joiner, box_w, measure, lines)
        ascent, descent = line_metrics(path, size)
        height = advance * (len(lines) - 1) + ascent + descent
        width = max((measure(line) for line in lines), default=0)
        ok = len(lines) <= max_lines and height <= box_h and width <= box_w
        reason = "" if ok else ("too many lines" if len(lines) > max_lines else "too tall")
        return TextFit(text, lines, size, advance, int(width), height, ok, path, rtl, reason)

    if not tokens:
        return TextFit("", [], min_px, 0, 0, 0, True, path, rtl)
    lo, hi = min_px, max(min_px, max_px)
    best = attempt(lo)
    if not best.fits:
        return best
    while lo < hi:
        mid = (lo + hi + 1) // 2
        trial = attempt(mid)
        if trial.fits:
            best, lo = trial, mid
        else:
            hi = mid - 1
    return best


def draw_text_block(fit: TextFit, box_w: int, box_h: int, colour: RGBA, align: str = "left",
                    valign: str = "top", tracking: float = 0.0,
                    box_fill: RGBA | None = None) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """Draw fitted text into a transparent box-sized sprite.

    Returns the sprite and the ink bounding box (left, top, right, bottom) in box coordinates,
    measured from the drawn pixels on a padded canvas, so ink that the box would clip shows up
    as outside the box (the clipping gate compares it with the box).
    """
    margin = max(4, int(fit.size * 0.5))
    text_layer = Image.new("RGBA", (box_w + margin * 2, box_h + margin * 2), (0, 0, 0, 0))
    draw = ImageDraw.Draw(text_layer)
    font = load_font(fit.path, fit.size)
    emoji_font = load_font(EMOJI_FONT, fit.size)
    ascent, _ = line_metrics(fit.path, fit.size)
    if fit.rtl and align == "left":
        align = "right"  # RTL text starts at the right edge
    top = {"top": 0, "middle": (box_h - fit.height) // 2, "bottom": box_h - fit.height}[valign]
    bubbles = []
    for index, line in enumerate(fit.lines):
        width = line_width(line, fit.path, fit.size, tracking, fit.rtl)
        x = {"left": 0, "center": (box_w - width) / 2, "right": box_w - width}[align]
        y = top + index * fit.line_advance
        bubbles.append((x, y, width))
        _draw_line(draw, line, x + margin, y + ascent + margin, font, emoji_font, colour,
                   tracking, fit)
    bbox = text_layer.getchannel("A").getbbox()
    ink = (bbox[0] - margin, bbox[1] - margin, bbox[2] - margin, bbox[3] - margin) if bbox \
        else (0, 0, 0, 0)
    if box_fill is not None:
        under = Image.new("RGBA", text_layer.size, (0, 0, 0, 0))
        bubble_draw = ImageDraw.Draw(under)
        pad = fit.size * 0.35
        for x, y, width in bubbles:
            bubble_draw.rounded_rectangle(
                (x + margin - pad, y + margin - pad * 0.45, x + margin + width + pad,
                 y + margin + fit.line_advance + pad * 0.2), radius=pad, fill=box_fill)
        under.alpha_composite(text_layer)
        text_layer = under
    sprite = text_layer.crop((margin, margin, margin + box_w, margin + box_h))
    return sprite, ink


def _draw_line(draw, line, x, baseline, font, emoji_font, colour, tracking, fit) -> None:
    # The ink box is measured from the drawn pixels afterwards (draw_text_block), so nothing
    # here asks Pillow for a bbox: that lays the text out a second time.
    if fit.rtl:
        draw.text((x, baseline), line, font=font, fill=colour, anchor="ls", direction="rtl")
        return
    cursor = x
    pieces = [(c, False) for c in line] if tracking else _runs(line)
    last = len(pieces) - 1
    for index, (piece, emoji) in enumerate(pieces):
        face = emoji_font if emoji else font
        draw.text((cursor, baseline), piece, font=face, fill=colour, anchor="ls")
        if index < last:
            cursor += face.getlength(piece) + (tracking * fit.size if tracking else 0)


def word_boxes(fit: TextFit, box_w: int, box_h: int, align: str = "left", valign: str = "top",
               tracking: float = 0.0) -> list[tuple[int, int, int, int]]:
    """Boxes of each word in a drawn block (sprite coordinates), for word-by-word reveals."""
    if fit.rtl or not fit.lines:
        return []
    top = {"top": 0, "middle": (box_h - fit.height) // 2, "bottom": box_h - fit.height}[valign]
    boxes = []
    for index, line in enumerate(fit.lines):
        width = line_width(line, fit.path, fit.size, tracking)
        x = {"left": 0, "center": (box_w - width) / 2, "right": box_w - width}[align]
        # Line bands must not overlap (tight display leading would reveal the next line's
        # tops); the first and last bands get room for accents and descenders.
        y0 = top + index * fit.line_advance - (int(fit.size * 0.3) if index == 0 else 0)
        y1 = top + (index + 1) * fit.line_advance + (
            int(fit.size * 0.4) if index == len(fit.lines) - 1 else 0)
        words = line.split(" ")
        for n in range(len(words)):
            start = line_width(" ".join(words[:n]) + (" " if n else ""), fit.path, fit.size,
                               tracking) if n else 0
            end = line_width(" ".join(words[: n + 1]), fit.path, fit.size, tracking)
            boxes.append((int(x + start) - 2, max(0, y0), int(x + end) + 2, min(box_h, y1)))
    return boxes
