"""Painted backgrounds: every style at every size, smooth ones without a visible step, and
the shortcuts that make them cheap change no pixel."""

from __future__ import annotations

import json

import numpy as np
import pytest

from generations import catalogue
from generations.render import backgrounds
from generations.render.backgrounds import FILM_GRAIN_FLOOR, SMOOTH_KINDS, _finish, paint_background
from generations.render.colour import luminance
from generations.render.engine import layout_concept
from generations.render.samples import sample_brands
from generations.render.specs import ConceptSpec

STYLES = catalogue.styles()
DARK_PALETTE = (("accent", "#C8A27A"), ("background", "#15110F"), ("primary", "#D9B48F"),
                ("secondary", "#3B2A22"), ("text", "#F4ECE4"))


def paint(style: dict, size: tuple[int, int]) -> np.ndarray:
    return np.asarray(paint_background(style["id"], json.dumps(style, sort_keys=True),
                                       DARK_PALETTE, size, 0))


@pytest.mark.parametrize("style", STYLES, ids=lambda s: s["id"])
def test_every_style_paints_every_size(style):
    for aspect, size in catalogue.ASPECT_SIZES.items():
        pixels = paint(style, size)
        assert pixels.shape == (size[1], size[0], 3), aspect
        assert pixels.std() > 0.5 or style["render"].get("background") == "solid", aspect


SMOOTH = [s for s in STYLES if s["render"].get("background", "gradient") in SMOOTH_KINDS
          and not s["render"].get("texture")
          and s["render"].get("grain", 0) <= FILM_GRAIN_FLOOR]


@pytest.mark.parametrize("style", SMOOTH, ids=lambda s: s["id"])
def test_a_smooth_background_pixel_doubled_looks_interpolated(style, monkeypatch):
    # Doubling the half-resolution paint must not show as blocks or bands: it stays within
    # two levels of interpolating it, and next to each other two pixels differ by a few
    # levels at most.
    size = catalogue.ASPECT_SIZES["9:16"]
    doubled = paint(style, size).astype(np.int16)
    monkeypatch.setattr(backgrounds, "SMOOTH_KINDS", ())
    paint_background.cache_clear()
    try:
        interpolated = paint(style, size).astype(np.int16)
    finally:
        paint_background.cache_clear()

    assert np.abs(doubled - interpolated).max() <= 2
    assert np.abs(np.diff(doubled, axis=0)).max() <= 3
    assert np.abs(np.diff(doubled, axis=1)).max() <= 3


def test_there_are_smooth_styles_to_check():
    assert len(SMOOTH) >= 8


@pytest.mark.parametrize("style", STYLES, ids=lambda s: s["id"])
def test_a_vertical_ramp_painted_as_one_column_is_the_full_array(style):
    w, h = 54, 96
    column = np.linspace(10, 240, h, dtype=np.float32)[:, None, None] * np.ones(3, np.float32)
    full = np.broadcast_to(column, (h, w, 3)).copy()

    assert np.array_equal(_finish(column, style["render"], w, h, style["render"].get(
        "light", "top")), _finish(full, style["render"], w, h, style["render"].get(
            "light", "top")))


def test_the_spotlight_glow_tints_what_is_under_it_and_never_darkens_its_rim():
    brand, product, _style = sample_brands()["skincare"]
    concept = ConceptSpec(template_slug="spotlight", style_id="studio-white",
                          animation_prompt="", copy_angle="sensory", headline="Feel it",
                          body="", cta="Shop now")
    scene, _report = layout_concept(brand=brand, product=product, concept=concept,
                                    aspect="9:16")
    glow = next(s for s in scene.sprites if s.role == "panel" and s.image.width > 600)
    rgba = np.asarray(glow.image).astype(np.float32)
    under = np.asarray(scene.background.crop(
        (glow.x, glow.y, glow.x + glow.image.width, glow.y + glow.image.height))
        .convert("RGB")).astype(np.float32)
    alpha = rgba[..., 3:] / 255
    composite = under * (1 - alpha) + rgba[..., :3] * alpha
    colour = rgba[..., :3][alpha[..., 0] > 0][0]

    assert (rgba[..., :3][alpha[..., 0] > 0] == colour).all()  # one flat colour
    low, high = np.minimum(under, colour), np.maximum(under, colour)
    assert ((composite >= low - 1) & (composite <= high + 1)).all()
    assert luminance(tuple(int(v) for v in colour)) > 0  # a real colour, not black


def test_a_halo_behind_a_dark_product_fades_out_with_no_edge():
    brand, product, style = sample_brands()["coffee"]  # a dark bag on a dark backdrop
    concept = ConceptSpec(template_slug="bold-type", style_id=style, animation_prompt="",
                          copy_angle="sensory", headline="Savour every sip", body="",
                          cta="Discover")
    scene, _report = layout_concept(brand=brand, product=product, concept=concept,
                                    aspect="9:16")
    halo = next(s for s in scene.sprites if s.role == "panel" and s.depth == 0.3)
    alpha = np.asarray(halo.image.getchannel("A")).astype(int)

    assert alpha.max() > 100  # it is there
    border = np.concatenate([alpha[0], alpha[-1], alpha[:, 0], alpha[:, -1]])
    assert border.max() <= 2  # and it ends inside its sprite, not at a cut
