"""How much text a template's slot holds: characters and lines at the smallest readable size.

The copywriter writes to this capacity, so copy fits by construction and re-layout rarely has
anything to do. The estimate is conservative (an average glyph is wider than most Latin text
needs, and each line loses a word's worth of width to wrapping); the layout still measures the
real glyphs and, if a block does not fit, shortens it at a sentence or clause boundary.
"""

from __future__ import annotations

from functools import cache

from generations import catalogue

# Average advance of a glyph in em, by script and case; CJK glyphs are square.
EM_PER_CHAR = {"latin": 0.54, "arabic": 0.52, "hebrew": 0.56, "cjk": 1.02}
UPPER_EM_PER_CHAR = 0.7
LINE_HEIGHT = 1.12
ASCENT_EM, DESCENT_EM = 1.0, 0.32  # the layout's caps on a line's ascent and descent
WRAP_LOSS_CHARS = 3  # a line rarely fills: the next word did not fit


@cache
def slot_capacity(template_slug: str, slot: str, script: str = "latin",
                  aspect_classes: tuple[str, ...] = ("tall", "portrait", "square", "wide")
                  ) -> tuple[int, int, int]:
    """(characters, lines, characters per line) the ``slot`` of a template holds in every one
    of ``aspect_classes`` at its smallest designed size; no word may be longer than a line
    (text is never hyphenated). A template without the slot holds (0, 0, 0)."""
    template = catalogue.template_by_slug(template_slug)
    best: tuple[int, int, int] | None = None
    for aspect, (width, height) in catalogue.ASPECT_SIZES.items():
        aspect_class = catalogue.ASPECT_CLASSES[aspect]
        if aspect_class not in aspect_classes:
            continue
        for layer in template["layouts"].get(aspect_class, []):
            if layer.get("slot") != slot or layer.get("type") != "text":
                continue
            _x, _y, fw, fh = layer["frame"]
            lo = layer.get("size", [0.024, 0.032])[0] * height
            em = UPPER_EM_PER_CHAR if layer.get("case") == "upper" and script == "latin" \
                else EM_PER_CHAR.get(script, 0.56)
            per_line = max(1, int(fw * width / (lo * em)) - WRAP_LOSS_CHARS)
            line_height = layer.get("line_height", LINE_HEIGHT)
            room = fh * height - lo * (ASCENT_EM + DESCENT_EM)
            lines = 1 + max(0, int(room // (lo * line_height))) if room >= 0 else 0
            lines = min(lines, layer.get("max_lines", 3))
            if best is None or per_line * lines < best[0]:
                best = (per_line * lines, lines, per_line if best is None
                        else min(per_line, best[2]))
            else:
                best = (best[0], best[1], min(per_line, best[2]))
    return best or (0, 0, 0)
