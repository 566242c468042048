"""Platform-style captions: bold words with a dark outline, a few at a time, the word being
spoken on a brand-coloured highlight; kept inside the 9:16 safe zones (the top ~14% and the
bottom ~20% belong to the app's own UI)."""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image, ImageDraw

from ..colour import RGB, contrast_ratio, readable_on
from ..fonts import clean_text, font_path, load_font
from .script import TimedWord

SAFE_TOP, SAFE_BOTTOM = 0.14, 0.20
MAX_PAGE_WORDS = 3
# Captions are set in a heavy sans (the feed's own caption look); the brand's heading face
# is used when it is one of these, else Montserrat ExtraBold.
CAPTION_FAMILIES = ("Montserrat", "Poppins", "Inter", "Anton", "Archivo Black", "Bebas Neue")


def caption_family(heading: str) -> str:
    return heading if heading in CAPTION_FAMILIES else "Montserrat"


@dataclass(frozen=True)
class Page:
    words: tuple[TimedWord, ...]

    @property
    def start(self) -> float:
        return self.words[0].start

    @property
    def end(self) -> float:
        return self.words[-1].end


def pages_of(words: list[TimedWord], *, max_chars: int) -> list[Page]:
    """Words grouped the way creators caption: up to three, never across a sentence end."""
    pages: list[Page] = []
    current: list[TimedWord] = []
    for word in words:
        chars = sum(len(w.text) + 1 for w in current) + len(word.text)
        if current and (len(current) >= MAX_PAGE_WORDS or chars > max_chars
                        or current[-1].text[-1:] in ".!?"):
            pages.append(Page(tuple(current)))
            current = []
        current.append(word)
    if current:
        pages.append(Page(tuple(current)))
    return pages


class CaptionStyle:
    """Draws caption pages (cached per page and highlighted word) for one frame size."""

    def __init__(self, *, size: tuple[int, int], family: str, highlight: RGB):
        w, h = size
        self.size = size
        unit = min(w, h * 0.5625)
        self.px = max(18, int(unit * 0.082))
        self.stroke = max(2, int(self.px * 0.11))
        self.max_width = int(w * 0.84)
        self.path = font_path(caption_family(family), 800)
        self.font = load_font(self.path, self.px)
        self.highlight = highlight
        self.highlight_text = readable_on(highlight)
        # Centre of the caption block: below the face, above the bottom UI band.
        self.centre_y = int(h * (0.655 if h > w * 1.5 else 0.72))
        self._cache: dict[tuple[int, int], tuple[Image.Image, tuple[int, int]]] = {}

    @property
    def max_chars(self) -> int:
        return max(8, int(self.max_width / (self.px * 0.62)))

    def _lines(self, words: list[str]) -> list[list[int]]:
        """Indices of the page's words per line (at most two lines, balanced)."""
        widths = [self.font.getlength(w) for w in words]
        space = self.font.getlength(" ")
        if sum(widths) + space * (len(words) - 1) <= self.max_width or len(words) == 1:
            return [list(range(len(words)))]
        best = 1
        best_gap = float("inf")
        for cut in range(1, len(words)):
            a = sum(widths[:cut]) + space * (cut - 1)
            b = sum(widths[cut:]) + space * (len(words) - cut - 1)
            if max(a, b) <= self.max_width and abs(a - b) < best_gap:
                best, best_gap = cut, abs(a - b)
        return [list(range(best)), list(range(best, len(words)))]

    def sprite(self, page_index: int, page: Page, active: int
               ) -> tuple[Image.Image, tuple[int, int]]:
        """The page with word ``active`` highlighted, and where its top-left goes."""
        key = (page_index, active)
        if key in self._cache:
            return self._cache[key]
        words = [clean_text(w.text, self.path) or w.text for w in page.words]
        lines = self._lines(words)
        space = self.font.getlength(" ")
        advance = int(self.px * 1.18)
        pad = int(self.px * 0.32)
        width = self.max_width + pad * 4
        height = advance * len(lines) + pad * 3
        image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
        d = ImageDraw.Draw(image)
        for row, indices in enumerate(lines):
            line_w = sum(self.font.getlength(words[i]) for i in indices) + space * (
                len(indices) - 1)
            x = (width - line_w) / 2
            baseline = pad + row * advance + int(self.px * 0.92)
            for i in indices:
                word_w = self.font.getlength(words[i])
                if i == active:
                    d.rounded_rectangle((x - pad * 0.55, baseline - self.px * 0.98,
                                         x + word_w + pad * 0.55, baseline + self.px * 0.26),
                                        radius=int(self.px * 0.22), fill=(*self.highlight, 255))
                    fill: RGB = self.highlight_text
                    stroke = 0 if contrast_ratio(fill, self.highlight) >= 4.5 else self.stroke
                else:
                    fill, stroke = (255, 255, 255), self.stroke
                d.text((x, baseline), words[i], font=self.font, fill=(*fill, 255), anchor="ls",
                       stroke_width=stroke, stroke_fill=(12, 12, 12, 255))
                x += word_w + space
        box = image.getbbox() or (0, 0, width, height)
        image = image.crop(box)
        at = ((self.size[0] - image.width) // 2, self.centre_y - image.height // 2)
        self._cache[key] = (image, at)
        return image, at

    def in_safe_zone(self, at: tuple[int, int], image: Image.Image) -> bool:
        h = self.size[1]
        return at[1] >= h * SAFE_TOP and at[1] + image.height <= h * (1 - SAFE_BOTTOM)
