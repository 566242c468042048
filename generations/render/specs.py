"""The engine's inputs and outputs as plain frozen data (no Django)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generations.catalogue import COPY_ANGLES

PALETTE_ROLES = ("primary", "secondary", "accent", "background", "text")
DEFAULT_COLORS = {"primary": "#1F2937", "secondary": "#E5E7EB", "accent": "#F59E0B",
                  "background": "#FFFFFF", "text": "#111827"}
_HEX = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


class RenderFailed(Exception):
    """A render whose quality gates still fail after every re-layout; nothing was shipped."""

    def __init__(self, gate_report: dict[str, Any]):
        self.gate_report = gate_report
        failed = [name for name, gate in gate_report.get("gates", {}).items() if not gate["ok"]]
        super().__init__(f"quality gates failed: {', '.join(failed) or 'unknown'}")


def normalise_hex(value: str) -> str:
    """'#abc' / 'AABBCC' -> '#AABBCC'; raises ValueError on anything else."""
    match = _HEX.match(value.strip())
    if not match:
        raise ValueError(f"not a hex colour: {value!r}")
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return "#" + digits.upper()


@dataclass(frozen=True)
class ProductSpec:
    name: str
    description: str = ""
    price: str | None = None
    currency: str = "USD"
    image: bytes | None = None


@dataclass(frozen=True)
class BrandSpec:
    name: str
    tagline: str = ""
    tone: str = ""
    language: str = "en"
    colors: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_COLORS))
    fonts: dict[str, str] = field(default_factory=lambda: {"heading": "Inter", "body": "Inter"})
    value_props: tuple[str, ...] = ()
    logo: bytes | None = None

    def __post_init__(self) -> None:
        # Frozen dataclass: normalise through object.__setattr__ so every consumer sees
        # complete, upper-case palettes and a tuple of value props.
        colors = dict(DEFAULT_COLORS)
        colors.update({k: normalise_hex(v) for k, v in (self.colors or {}).items() if v})
        object.__setattr__(self, "colors", colors)
        fonts = {"heading": "Inter", "body": "Inter"}
        fonts.update({k: v for k, v in (self.fonts or {}).items() if v})
        object.__setattr__(self, "fonts", fonts)
        object.__setattr__(self, "value_props", tuple(self.value_props or ()))

    def __hash__(self) -> int:
        return hash((self.name, self.language, tuple(sorted(self.colors.items())),
                     tuple(sorted(self.fonts.items())), self.value_props, self.logo))

    @classmethod
    def from_json(cls, data: dict[str, Any], base_dir: Path | None = None) -> BrandSpec:
        """Build a brand from the brand-JSON format (docs/brand-json.md).

        ``logo`` is a path relative to ``base_dir`` (the JSON file's folder).
        """
        logo_bytes = None
        if data.get("logo"):
            logo_path = Path(data["logo"])
            if not logo_path.is_absolute() and base_dir is not None:
                logo_path = base_dir / logo_path
            logo_bytes = logo_path.read_bytes()
        return cls(
            name=str(data["name"]),
            tagline=str(data.get("tagline") or ""),
            tone=str(data.get("tone") or ""),
            language=str(data.get("language") or "en"),
            colors=dict(data.get("colors") or {}),
            fonts=dict(data.get("fonts") or {}),
            value_props=tuple(str(v) for v in data.get("value_props") or ()),
            logo=logo_bytes,
        )


def product_from_json(data: dict[str, Any], image: bytes | None = None) -> ProductSpec:
    """The ``product`` object of a brand JSON as a ProductSpec."""
    price = data.get("price")
    return ProductSpec(name=str(data.get("name") or "Product"),
                       description=str(data.get("description") or ""),
                       price=None if price in (None, "") else str(price),
                       currency=str(data.get("currency") or "USD"), image=image)


@dataclass(frozen=True)
class ConceptSpec:
    template_slug: str
    style_id: str
    animation_prompt: str
    copy_angle: str
    headline: str
    body: str
    cta: str
    badge: str | None = None
    in_situ: bool = False
    seed: int = 0

    def __post_init__(self) -> None:
        if self.copy_angle not in COPY_ANGLES:
            raise ValueError(f"unknown copy angle {self.copy_angle!r}")


@dataclass(frozen=True)
class Copy:
    headline: str
    body: str
    cta: str
    source: str = "local"  # who wrote it: "local" or "<provider>:<model>"
    fallback: str = ""  # why a provider's copy was not used (empty: no fallback)


@dataclass
class RenderedFile:
    kind: str
    aspect: str
    width: int
    height: int
    duration: float | None
    content: bytes
    mime: str
    extension: str
    gate_report: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    poster: bytes | None = None  # videos: the first frame as a JPEG
