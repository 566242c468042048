"""Which code points a TrueType/OpenType font maps to a glyph: its best ``cmap`` subtable read
with struct (formats 4, 6, 10 and 12), so rendering needs no font-tools package."""

from __future__ import annotations

import struct
from pathlib import Path

# The order fontTools' getBestCmap prefers: full Unicode first, then the BMP.
_PREFERRED = ((3, 10), (0, 6), (0, 4), (3, 1), (0, 3), (0, 2), (0, 1), (0, 0))


class FontUnreadable(ValueError):
    pass


def table_span(data: bytes, tag: bytes) -> tuple[int, int]:
    """Where the font's ``tag`` table lies in the file: (start, length)."""
    if data[:4] == b"ttcf":  # a collection: its first font
        (offset,) = struct.unpack_from(">I", data, 12)
    else:
        offset = 0
    (count,) = struct.unpack_from(">H", data, offset + 4)
    for index in range(count):
        name, _checksum, start, length = struct.unpack_from(">4sIII", data,
                                                            offset + 12 + 16 * index)
        if name == tag:
            return start, length
    raise FontUnreadable(f"no {tag.decode()} table")


def _table(data: bytes, tag: bytes) -> bytes:
    start, length = table_span(data, tag)
    return data[start:start + length]


def _format4(sub: bytes) -> set[int]:
    seg_x2 = struct.unpack_from(">H", sub, 6)[0]
    segs = seg_x2 // 2
    ends = struct.unpack_from(f">{segs}H", sub, 14)
    starts = struct.unpack_from(f">{segs}H", sub, 16 + seg_x2)
    deltas = struct.unpack_from(f">{segs}h", sub, 16 + 2 * seg_x2)
    range_base = 16 + 3 * seg_x2
    offsets = struct.unpack_from(f">{segs}H", sub, range_base)
    codes: set[int] = set()
    for seg in range(segs):
        start, end, delta, range_offset = starts[seg], ends[seg], deltas[seg], offsets[seg]
        if start == 0xFFFF:
            continue
        for code in range(start, end + 1):
            if range_offset == 0:
                glyph = (code + delta) & 0xFFFF
            else:
                at = range_base + 2 * seg + range_offset + 2 * (code - start)
                if at + 2 > len(sub):
                    continue
                glyph = struct.unpack_from(">H", sub, at)[0]
                if glyph:
                    glyph = (glyph + delta) & 0xFFFF
            if glyph:
                codes.add(code)
    return codes


def _format12(sub: bytes) -> set[int]:
    (groups,) = struct.unpack_from(">I", sub, 12)
    codes: set[int] = set()
    for index in range(groups):
        start, end, glyph = struct.unpack_from(">III", sub, 16 + 12 * index)
        first = start if glyph else start + 1  # glyph 0 is .notdef: not a drawable glyph
        codes.update(range(first, end + 1))
    return codes


def _trimmed(sub: bytes, *, wide: bool) -> set[int]:
    """Formats 6 (16-bit) and 10 (32-bit): a first code and a run of glyph ids."""
    if wide:
        first, count = struct.unpack_from(">II", sub, 12)
        glyphs = struct.unpack_from(f">{count}H", sub, 20)
    else:
        first, count = struct.unpack_from(">HH", sub, 6)
        glyphs = struct.unpack_from(f">{count}H", sub, 10)
    return {first + index for index, glyph in enumerate(glyphs) if glyph}


def _format0(sub: bytes) -> set[int]:
    return {code for code, glyph in enumerate(sub[6:262]) if glyph}


_READERS = {0: _format0, 4: _format4, 6: lambda sub: _trimmed(sub, wide=False),
            10: lambda sub: _trimmed(sub, wide=True), 12: _format12}


def mapped_codepoints(path: Path | str) -> frozenset[int]:
    """The code points the font's preferred Unicode cmap subtable maps to a real glyph."""
    data = Path(path).read_bytes()
    try:
        cmap = _table(data, b"cmap")
        (count,) = struct.unpack_from(">H", cmap, 2)
        subtables: dict[tuple[int, int], int] = {}
        for index in range(count):
            platform, encoding, offset = struct.unpack_from(">HHI", cmap, 4 + 8 * index)
            subtables.setdefault((platform, encoding), offset)
        for key in _PREFERRED:
            if key not in subtables:
                continue
            sub = cmap[subtables[key]:]
            (fmt,) = struct.unpack_from(">H", sub, 0)
            reader = _READERS.get(fmt)
            if reader is not None:
                return frozenset(reader(sub))
    except struct.error as exc:
        raise FontUnreadable(str(exc)) from exc
    return frozenset()
