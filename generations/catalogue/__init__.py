"""The catalogue: templates, style presets, animation prompts and local models.

The JSON files beside this module are the source of truth (no database rows): they ship with the
code, are reviewed like code, and load once per process. The package is plain data and plain
Python (no Django, no app imports), so the render engine may read it. Model prices are not in
``models.json``: ``generations.selectors.model_registry()`` adds them from ``billing.pricing``,
the one price list.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

CATALOGUE_DIR = Path(__file__).resolve().parent
ASPECT_CLASSES = {"9:16": "tall", "4:5": "portrait", "1:1": "square", "16:9": "wide"}
ASPECT_SIZES = {"9:16": (1080, 1920), "4:5": (1080, 1350), "1:1": (1080, 1080),
                "16:9": (1920, 1080)}
COPY_ANGLES = ("pain + solution", "benefit outcome", "sensory", "transformation", "ritual",
               "social proof")


class CatalogueError(LookupError):
    """An id, slug or name that the catalogue does not hold. Internal: briefs are validated
    against the catalogue before anything looks an item up (``InvalidRequest`` at the edge)."""


@cache
def _load(name: str) -> tuple[dict[str, Any], ...]:
    with open(CATALOGUE_DIR / f"{name}.json", encoding="utf-8") as fh:
        return tuple(json.load(fh))


def templates() -> tuple[dict[str, Any], ...]:
    return _load("templates")


def styles() -> tuple[dict[str, Any], ...]:
    return _load("styles")


def animation_prompts() -> tuple[dict[str, Any], ...]:
    return _load("animation_prompts")


def models() -> tuple[dict[str, Any], ...]:
    """The local models as data, without prices (see ``generations.selectors.model_registry``)."""
    return _load("models")


@cache
def _index(name: str, key: str) -> dict[Any, dict[str, Any]]:
    return {item[key]: item for item in _load(name)}


def template_by_slug(slug: str) -> dict[str, Any]:
    try:
        return _index("templates", "slug")[slug]
    except KeyError:
        raise CatalogueError(f"unknown template {slug!r}") from None


def template_by_id(template_id: int | str) -> dict[str, Any]:
    try:
        return _index("templates", "id")[int(template_id)]
    except (KeyError, ValueError):
        raise CatalogueError(f"unknown template id {template_id!r}") from None


def style_by_id(style_id: str) -> dict[str, Any]:
    try:
        return _index("styles", "id")[style_id]
    except KeyError:
        raise CatalogueError(f"unknown style {style_id!r}") from None


def animation_prompt_by_name(name: str) -> dict[str, Any]:
    """Look an animation prompt up by its display name ("Serum Droplets") or slug."""
    by_name = {p["name"].casefold(): p for p in animation_prompts()}
    prompt = by_name.get(name.casefold()) or _index("animation_prompts", "slug").get(name)
    if prompt is None:
        raise CatalogueError(f"unknown animation prompt {name!r}")
    return prompt


def catalogue_fingerprint() -> str:
    """A hash of the catalogue files; caches derived from the catalogue are keyed by it."""
    digest = hashlib.sha256()
    for name in ("templates", "styles", "animation_prompts", "models"):
        digest.update((CATALOGUE_DIR / f"{name}.json").read_bytes())
    return digest.hexdigest()[:16]


def avatars() -> tuple[dict[str, Any], ...]:
    """The built-in presenters of UGC videos: parameters the engine draws them from (no
    third-party art: every one is drawn by ``generations.render.ugc.presenter``)."""
    return _load("avatars")


def avatar_by_id(avatar_id: str) -> dict[str, Any]:
    try:
        return _index("avatars", "id")[avatar_id]
    except KeyError:
        raise CatalogueError(f"unknown avatar {avatar_id!r}") from None
