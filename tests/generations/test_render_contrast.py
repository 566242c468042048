from generations.render import BrandSpec, ConceptSpec, ProductSpec
from generations.render.colour import AA_BODY, contrast_ratio, hex_to_rgb
from generations.render.engine import layout_concept
from generations.render.gates import run_gates
from generations.render.samples import dropper_bottle

PRODUCT = ProductSpec(name="Serum", image=dropper_bottle(size=(280, 400)))


def concept(**kw):
    base = {"template_slug": "product-hero", "style_id": "soft-gradient",
                "animation_prompt": "Serum Droplets", "copy_angle": "sensory",
                "headline": "Feel the difference", "body": "A light serum that calms redness.",
                "cta": "Shop now"}
    base.update(kw)
    return ConceptSpec(**base)


def test_wcag_contrast_ratio_reference_values():
    assert round(contrast_ratio((0, 0, 0), (255, 255, 255)), 1) == 21.0
    assert round(contrast_ratio((255, 255, 255), (255, 255, 255)), 1) == 1.0
    assert round(contrast_ratio(hex_to_rgb("#777777"), (255, 255, 255)), 2) == 4.48


def test_every_rendered_text_meets_its_contrast_requirement():
    brand = BrandSpec(name="Pale", colors={"primary": "#E9C9C0", "secondary": "#F4E6E1",
                                           "accent": "#F0DDD5", "background": "#FBF6F2",
                                           "text": "#EADBD5"})
    scene, report = layout_concept(brand=brand, product=PRODUCT, concept=concept(),
                                   aspect="4:5")
    assert report["ok"]
    for check in scene.checks:
        required = 3.0 if check.role in ("headline", "badge", "wordmark") else AA_BODY
        assert check.contrast >= required, check


def test_a_palette_with_no_legible_colour_gets_a_scrim_or_neutral_text():
    brand = BrandSpec(name="Mono", colors={"primary": "#808080", "secondary": "#858585",
                                           "accent": "#7A7A7A", "background": "#7F7F7F",
                                           "text": "#8A8A8A"})
    scene, report = layout_concept(brand=brand, product=PRODUCT, concept=concept(),
                                   aspect="1:1")
    assert report["gates"]["contrast"]["ok"]
    headline = next(c for c in scene.checks if c.role == "headline")
    assert headline.contrast >= 3.0


def test_cta_text_reads_on_its_button():
    brand = BrandSpec(name="Loud", colors={"primary": "#FFE400", "background": "#111111"})
    scene, _ = layout_concept(brand=brand, product=PRODUCT, concept=concept(), aspect="9:16")
    cta = next(c for c in scene.checks if c.role == "cta")
    assert cta.contrast >= AA_BODY


def test_gate_report_lists_measured_contrast_per_role():
    scene, _ = layout_concept(brand=BrandSpec(name="B"), product=PRODUCT, concept=concept(),
                              aspect="9:16")
    report = run_gates(scene, brand_has_logo=False)
    assert {"headline", "body", "cta"} <= set(report["gates"]["contrast"]["measured"])
