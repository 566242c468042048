"""The brief's free text steers the plan: the prompt picks the look, template, angle, tone,
language and a quoted headline; the negative prompt keeps named things out of the copy and
the picks; the style preset pins the look. Without them the plan is what the brief pins."""

from __future__ import annotations

import pytest

from generations import catalogue
from generations.briefs import AdBrief
from generations.planner import PlannedProduct, negative_terms, plan_concepts
from generations.render import BrandSpec, ProductSpec
from generations.render.copy import CTA, mentions

BRAND = BrandSpec(name="Lumen Skin", tagline="Skin that glows from within",
                  tone="warm, expert",
                  value_props=("Dermatologist tested", "Vegan formula",
                               "Visible glow in 7 days"))
PRODUCTS = [PlannedProduct(id=1, spec=ProductSpec(
    name="Glow Serum", description="Vitamin C brightening serum. Vegan and gentle."))]


def plan(**brief) -> list:
    return plan_concepts(brief=AdBrief(**brief), brand=BRAND, products=PRODUCTS, seed=7)


def test_a_style_preset_pins_the_look_of_every_concept():
    concepts = plan(count=4, style_preset="honey-amber", prompt="fresh mint and ice")

    assert {c.style_id for c in concepts} == {"honey-amber"}
    assert {c.animation_prompt for c in concepts} == {
        catalogue.style_by_id("honey-amber")["animation_prompt"]}


def test_the_prompt_picks_the_look_by_meaning():
    warm = plan(count=3, prompt="warm honey drip on amber glass, golden and slow")
    plain = plan(count=3)

    assert "honey-amber" in {c.style_id for c in warm}
    assert {c.style_id for c in warm} != {c.style_id for c in plain}
    assert all("amber" in c.style_id or "glow" in c.style_id for c in warm)


@pytest.mark.parametrize(("prompt", "template", "angle"), [
    ("A testimonial from a happy customer", "testimonial-card", "social proof"),
    ("Show the before and after of a month of use", "before-after", "transformation"),
])
def test_cue_words_pick_the_template_and_the_copy_angle(prompt, template, angle):
    concepts = plan(count=2, prompt=prompt)

    assert {c.template_slug for c in concepts} == {template}
    assert {c.copy_angle for c in concepts} == {angle}


def test_a_quoted_phrase_is_the_headline_once_and_a_language_cue_sets_the_language():
    concepts = plan(count=2, prompt='Headline "Glow all summer", written in Spanish')

    assert concepts[0].headline == "Glow all summer"
    assert concepts[1].headline != "Glow all summer"
    assert {c.cta for c in concepts} <= set(CTA["es"])


def test_a_quoted_phrase_too_long_for_the_template_is_not_forced_in():
    long_line = " ".join(["unbelievably"] * 30)
    concepts = plan(count=1, prompt=f'"{long_line}"')

    assert concepts[0].headline != long_line


def test_a_tone_cue_sets_the_copy_tone_where_the_brief_sets_none():
    playful = plan(count=6, prompt="something playful for summer")

    assert any(c.headline.endswith("!") for c in playful)
    assert not any(c.headline.endswith("!") for c in plan(count=6))


def test_negative_terms_are_the_named_things():
    assert negative_terms("no glow, avoid vegan; glitter and neon\nwithout People.") == (
        "glow", "vegan", "glitter", "neon", "people")
    assert negative_terms(None) == ()


def test_the_negative_prompt_keeps_named_words_out_of_the_copy():
    concepts = plan(count=6, negative_prompt="no glow, avoid vegan")
    plain = plan(count=6)

    assert any(mentions(f"{c.headline} {c.body}".replace("Glow Serum", ""), ["glow", "vegan"])
               for c in plain)
    for concept in concepts:
        copy = f"{concept.headline} {concept.body} {concept.cta}".replace("Glow Serum", "")
        assert not mentions(copy, ["glow", "vegan"]), copy


def test_the_negative_prompt_keeps_named_looks_and_layouts_out_of_the_picks():
    concepts = plan(count=16, negative_prompt="no gradient, no luxury")

    for concept in concepts:
        style = catalogue.style_by_id(concept.style_id)
        assert "gradient" not in f"{style['displayName']} {style['description']}".lower()
        assert concept.template_slug != "minimal-luxury"


def test_a_prompt_without_cues_leaves_the_rotation_open():
    usable = {t["slug"] for t in catalogue.templates() if not t.get("plain_scene")}

    concepts = plan(count=len(usable), prompt="An ad for our serum")

    assert {c.template_slug for c in concepts} == usable
    assert {c.copy_angle for c in concepts} == set(catalogue.COPY_ANGLES)
