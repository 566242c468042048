import io

import av
import numpy as np
import pytest
from PIL import Image

from generations import catalogue
from generations.render import BrandSpec, ConceptSpec, ProductSpec, render_concept
from generations.render.engine import layout_concept
from generations.render.motion import SceneAnimator, describe_recipe
from generations.render.samples import dropper_bottle

BRAND = BrandSpec(name="Lumen", colors={"primary": "#C8553D", "background": "#FFF8F0",
                                        "accent": "#588B8B", "text": "#222222"})
PRODUCT = ProductSpec(name="Serum", image=dropper_bottle(size=(280, 400)))


def _concept(prompt: str = "Serum Droplets") -> ConceptSpec:
    return ConceptSpec(template_slug="product-hero", style_id="soft-gradient",
                       animation_prompt=prompt, copy_angle="sensory",
                       headline="Feel the difference", body="A light serum for every day.",
                       cta="Shop now")


@pytest.fixture(scope="module")
def scene():
    scene, _ = layout_concept(brand=BRAND, product=PRODUCT, concept=_concept(), aspect="1:1")
    return scene


def _box(scene, role):
    if role == "headline":
        check = next(c for c in scene.checks if c.role == "headline")
        return check.ink
    sprite = next(s for s in scene.sprites if s.role == role)
    alpha = sprite.image.getchannel("A").getbbox()
    return (sprite.x + alpha[0], sprite.y + alpha[1], sprite.x + alpha[2], sprite.y + alpha[3])


def _presence(frame: Image.Image, scene, box) -> float:
    """How much of the finished ad's difference from the bare background is in ``frame``
    inside ``box`` (1.0 = everything drawn, 0.0 = nothing but background)."""
    crop = tuple(int(v) for v in box)
    background = np.asarray(scene.background.crop(crop), np.float32)
    final = np.asarray(scene.canvas.crop(crop).convert("RGB"), np.float32)
    shown = np.asarray(frame.crop(crop).convert("RGB"), np.float32)
    expected = np.abs(final - background).mean()
    return float(np.abs(shown - background).mean() / expected)


@pytest.mark.parametrize("prompt", [p["name"] for p in catalogue.animation_prompts()])
def test_frame_zero_of_every_prompt_shows_the_headline_and_the_product(scene, prompt):
    recipe = catalogue.animation_prompt_by_name(prompt)["recipe"]
    frame = SceneAnimator(scene, recipe, 6.0, 0).frame(0)
    assert _presence(frame, scene, _box(scene, "headline")) > 0.5
    assert _presence(frame, scene, _box(scene, "product")) > 0.5


def test_the_cta_still_animates_in_after_frame_zero(scene):
    recipe = catalogue.animation_prompt_by_name("Serum Droplets")["recipe"]
    animator = SceneAnimator(scene, recipe, 6.0, 0)
    cta = next(c for c in scene.checks if c.role == "cta").box
    cta_box = (cta[0], cta[1], cta[0] + cta[2], cta[1] + cta[3])
    assert _presence(animator.frame(0), scene, cta_box) < 0.2
    assert _presence(animator.frame(60), scene, cta_box) > 0.9


def test_the_thirty_six_prompts_are_distinct_recipes():
    prompts = catalogue.animation_prompts()
    assert len(prompts) == 36
    recipes = {tuple(describe_recipe(p)) for p in prompts}
    assert len(recipes) == 36


def test_every_video_carries_a_poster_that_matches_its_decoded_first_frame():
    files = render_concept(brand=BRAND, product=PRODUCT, concept=_concept(), sizes=("1:1",),
                           video=True, duration=2.0, image_formats=("png",))
    video = next(f for f in files if f.kind == "video")
    static = next(f for f in files if f.kind == "static")
    assert static.poster is None
    poster = np.asarray(Image.open(io.BytesIO(video.poster)).convert("RGB"), np.float32)
    assert poster.shape == (1080, 1080, 3)
    with av.open(io.BytesIO(video.content)) as container:
        first = next(container.decode(video=0)).to_ndarray(format="rgb24").astype(np.float32)
    assert float(np.abs(poster - first).mean()) < 4.0
    assert video.gate_report["video"]["poster_frame"] == 0
