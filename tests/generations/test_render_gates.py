import io

import pytest
from PIL import Image

from generations.render import BrandSpec, ConceptSpec, ProductSpec, RenderFailed, render_concept
from generations.render.engine import layout_concept
from generations.render.gates import gate_primary_colour, gate_safe_zones, run_gates
from generations.render.layout import TextCheck
from generations.render.samples import dropper_bottle

PRODUCT = ProductSpec(name="Serum", price="38.00", image=dropper_bottle(size=(280, 400)))
BRAND = BrandSpec(name="Lumen", colors={"primary": "#C8553D", "background": "#FFF8F0",
                                        "text": "#222222"})


def concept(**kw):
    base = {"template_slug": "product-hero", "style_id": "soft-gradient",
                "animation_prompt": "Serum Droplets", "copy_angle": "benefit outcome",
                "headline": "Calm skin, every day", "body": "A light serum that calms redness.",
                "cta": "Shop now", "badge": "New"}
    base.update(kw)
    return ConceptSpec(**base)


def _logo_png() -> bytes:
    image = Image.new("RGBA", (200, 80), (0, 0, 0, 0))
    image.paste((30, 30, 30, 255), (10, 10, 190, 70))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_a_normal_render_passes_every_gate_first_time():
    _scene, report = layout_concept(brand=BRAND, product=PRODUCT, concept=concept(),
                                   aspect="4:5")
    assert report["ok"]
    assert report["attempts"] == [{"attempt": "as designed", "ok": True, "failed": []}]
    assert set(report["gates"]) == {"text_fits", "safe_zones", "contrast", "logo",
                                    "primary_colour"}


def test_nine_sixteen_keeps_headline_and_cta_out_of_the_platform_bands():
    scene, report = layout_concept(brand=BRAND, product=PRODUCT, concept=concept(),
                                   aspect="9:16")
    assert report["gates"]["safe_zones"] == {"ok": True, "failures": [], "applies": True}
    for check in scene.checks:
        if check.role in ("headline", "cta"):
            assert check.ink[1] >= 1920 * 0.14 and check.ink[3] <= 1920 * 0.80


def test_safe_zone_gate_fails_a_headline_in_the_top_band():
    scene, _ = layout_concept(brand=BRAND, product=PRODUCT, concept=concept(), aspect="9:16")
    scene.checks.append(TextCheck(role="headline", box=(80, 40, 900, 120),
                                  ink=(80, 40, 900, 150), fits=True, reason="", size=90,
                                  contrast=10.0, required=3.0, lines=["Too high"]))
    gate = gate_safe_zones(scene)
    assert not gate["ok"]
    assert gate["failures"] == [{"role": "headline", "ink": (80, 40, 900, 150)}]


def test_long_copy_is_re_laid_out_not_clipped():
    long = concept(headline="A remarkably gentle serum for skin that is having a rough week")
    scene, report = layout_concept(brand=BRAND, product=PRODUCT, concept=long, aspect="9:16")
    assert report["ok"]
    assert report["attempts"][0]["failed"] == ["text_fits"]
    headline = next(c for c in scene.checks if c.role == "headline")
    assert headline.fits and headline.ink[2] <= headline.box[0] + headline.box[2] + 1


def test_copy_that_can_never_fit_raises_render_failed_and_ships_nothing():
    impossible = concept(headline="Pneumonoultramicroscopicsilicovolcanoconiosis" * 3)
    with pytest.raises(RenderFailed) as failure:
        render_concept(brand=BRAND, product=PRODUCT, concept=impossible, sizes=("9:16",))
    report = failure.value.gate_report
    assert not report["ok"]
    assert [a["attempt"] for a in report["attempts"]] == [
        "as designed", "smaller text", "scrim", "smallest readable type", "taller headline",
        "alternate arrangement"]
    assert not report["gates"]["text_fits"]["ok"]


def test_logo_gate_requires_the_brand_logo_when_it_has_one():
    brand = BrandSpec(name="Lumen", colors=BRAND.colors, logo=_logo_png())
    scene, report = layout_concept(brand=brand, product=PRODUCT, concept=concept(),
                                   aspect="1:1")
    assert report["gates"]["logo"] == {"ok": True, "failures": [], "applies": True}
    assert any(s.role == "logo" for s in scene.sprites)
    scene.logo_from_image = False
    assert not run_gates(scene, brand_has_logo=True)["gates"]["logo"]["ok"]


def test_primary_colour_gate_measures_pixels():
    scene, _ = layout_concept(brand=BRAND, product=PRODUCT, concept=concept(), aspect="1:1")
    assert gate_primary_colour(scene)["ok"]
    scene.palette = {**scene.palette, "primary": (0, 255, 0)}
    assert not gate_primary_colour(scene)["ok"]


@pytest.mark.parametrize("aspect,size", [("9:16", (1080, 1920)), ("4:5", (1080, 1350)),
                                         ("1:1", (1080, 1080)), ("16:9", (1920, 1080))])
def test_each_aspect_renders_at_its_own_size(aspect, size):
    scene, report = layout_concept(brand=BRAND, product=PRODUCT,
                                   concept=concept(template_slug="split-panel"), aspect=aspect)
    assert scene.canvas.size == size and report["ok"]


def test_render_concept_returns_png_and_jpeg_per_dessert_size():
    files = render_concept(brand=BRAND, product=PRODUCT, concept=concept())
    assert [(f.aspect, f.mime, f.width, f.height) for f in files] == [
        ("9:16", "image/png", 1080, 1920), ("9:16", "image/jpeg", 1080, 1920),
        ("4:5", "image/png", 1080, 1350), ("4:5", "image/jpeg", 1080, 1350)]
    assert Image.open(io.BytesIO(files[0].content)).size == (1080, 1920)
    assert all(f.gate_report["ok"] for f in files)


def test_right_to_left_brands_get_a_mirrored_layout():
    rtl = BrandSpec(name="عطر", language="ar", colors=BRAND.colors)
    arabic = concept(headline="عطر يدوم طوال الليل", body="عطر شرقي دافئ.", cta="تسوق الآن")
    scene, report = layout_concept(brand=rtl, product=PRODUCT, concept=arabic, aspect="16:9")
    ltr_scene, _ = layout_concept(brand=BRAND, product=PRODUCT, concept=concept(),
                                  aspect="16:9")
    assert report["ok"]
    rtl_cta = next(c for c in scene.checks if c.role == "cta")
    ltr_cta = next(c for c in ltr_scene.checks if c.role == "cta")
    assert ltr_cta.box[0] > 960 and rtl_cta.box[0] + rtl_cta.box[2] < 960
    product = next(s for s in scene.sprites if s.role == "product")
    assert product.x + product.image.width / 2 > 960


def test_in_situ_places_the_product_in_a_generated_scene():
    plain, _ = layout_concept(brand=BRAND, product=PRODUCT,
                              concept=concept(style_id="lifestyle-bathroom"), aspect="4:5")
    situ, report = layout_concept(brand=BRAND, product=PRODUCT,
                                  concept=concept(style_id="soft-gradient", in_situ=True),
                                  aspect="4:5")
    assert report["ok"]
    # A surface meets the wall just under the product's base: the rows differ sharply there.
    import numpy as np

    column = np.asarray(situ.background.convert("L"))[:, 40].astype(int)
    assert np.abs(np.diff(column)).max() > 12
    assert plain.background.size == situ.background.size == (1080, 1350)
