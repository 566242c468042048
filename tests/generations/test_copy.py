import pytest

from generations import catalogue
from generations.render import BrandSpec, Copy, LocalCopywriter, ProductSpec, write_copy

BRAND = BrandSpec(name="Lumen", tone="warm", value_props=("Fragrance-free", "Vegan formula"))
PRODUCT = ProductSpec(name="Barrier Serum", description="A light serum that calms redness.")


def test_copy_is_deterministic_for_a_seed():
    a = write_copy(brand=BRAND, product=PRODUCT, angle="sensory",
                   template_slug="product-hero", seed=4)
    b = write_copy(brand=BRAND, product=PRODUCT, angle="sensory",
                   template_slug="product-hero", seed=4)
    assert a == b and isinstance(a, Copy)
    assert a.headline and a.body and a.cta


@pytest.mark.parametrize("angle", catalogue.COPY_ANGLES)
def test_every_dessert_angle_writes_copy(angle):
    copy = write_copy(brand=BRAND, product=PRODUCT, angle=angle, template_slug="product-hero")
    assert copy.headline and len(copy.headline.split()) <= 7


def test_unknown_angle_is_refused():
    with pytest.raises(ValueError):
        write_copy(brand=BRAND, product=PRODUCT, angle="fear", template_slug="product-hero")


def test_no_headline_repeats_within_a_job_of_forty_concepts():
    used: set[str] = set()
    for seed in range(40):
        angle = catalogue.COPY_ANGLES[seed % 6]
        copy = write_copy(brand=BRAND, product=PRODUCT, angle=angle,
                          template_slug="product-hero", avoid_headlines=used, seed=seed % 3)
        assert copy.headline not in used
        used.add(copy.headline)
    assert len(used) == 40


def test_headlines_respect_the_template_slot_size():
    copy = write_copy(brand=BRAND, product=PRODUCT, angle="benefit outcome",
                      template_slug="bold-type")
    assert len(copy.headline.split()) <= 4


@pytest.mark.parametrize("language,cta_words", [("es", {"Compra ahora", "Consíguelo",
                                                        "Pruébalo hoy", "Descubre más"}),
                                                ("fr", {"Acheter", "Je craque", "Essayez-le",
                                                        "Découvrir"}),
                                                ("de", {"Jetzt kaufen", "Jetzt entdecken",
                                                        "Heute testen", "Mehr erfahren"})])
def test_copy_is_written_in_the_brand_language(language, cta_words):
    brand = BrandSpec(name="Lumen", language=language, value_props=("Vegan",))
    english = {write_copy(brand=BRAND, product=PRODUCT, angle="ritual",
                          template_slug="product-hero", seed=s).headline for s in range(6)}
    copy = write_copy(brand=brand, product=PRODUCT, angle="ritual",
                      template_slug="product-hero")
    assert copy.cta in cta_words
    assert copy.headline not in english


def test_unsupported_language_falls_back_to_the_brand_own_strings():
    brand = BrandSpec(name="عطر", language="ar", tagline="عطر يدوم طوال الليل",
                      value_props=("ثبات يدوم",))
    copy = write_copy(brand=brand, product=ProductSpec(name="ليلة"), angle="sensory",
                      template_slug="product-hero")
    assert copy.headline in {"عطر يدوم طوال الليل", "ثبات يدوم", "ليلة"}
    assert copy.cta == "تسوق الآن"


def test_luxury_tone_uses_a_quieter_cta():
    brand = BrandSpec(name="Noir", tone="premium, refined")
    assert write_copy(brand=brand, product=PRODUCT, angle="sensory",
                      template_slug="minimal-luxury").cta == "Discover"


def test_a_provider_can_replace_the_local_copywriter():
    class Fixed(LocalCopywriter):
        def write(self, **kwargs):
            return Copy("From the model", "Body", "Buy")

    copy = write_copy(brand=BRAND, product=PRODUCT, angle="sensory",
                      template_slug="product-hero", provider=Fixed())
    assert copy == Copy("From the model", "Body", "Buy")
