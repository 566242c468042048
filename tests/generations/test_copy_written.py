import re

import pytest

from generations import catalogue
from generations.render import BrandSpec, ProductSpec, write_copy
from generations.render.copy import (
    classify,
    ritual_steps,
    sentences,
    shorter_variants,
)

UNLIKE_BRANDS = [
    (BrandSpec(name="Bruma Coffee Co.", tone="premium, warm",
               value_props=("Direct from family-run gardens", "Roasted in small batches",
                            "Notes of dark chocolate and plum")),
     ProductSpec(name="Bruma Espresso Blend",
                 description="A dark, syrupy espresso blend from family-run gardens in Huila, "
                             "roasted in small batches and shipped within 48 hours.")),
    (BrandSpec(name="Lumière Skin", tone="clinical, gentle",
               value_props=("Fragrance-free", "Dermatologist tested", "Calms redness overnight")),
     ProductSpec(name="Barrier Serum", description="A light serum for sensitive skin.")),
    (BrandSpec(name="VOLTAGE", tone="loud, playful, hype",
               value_props=("Heavyweight cotton", "Limited drop", "Made to last")),
     ProductSpec(name="Static Hoodie", description="Heavyweight hoodie in a limited colourway.")),
    (BrandSpec(name="Oatly Bites", tone="friendly",
               value_props=("Keeps you full till lunch", "Whole rolled oats", "No added sugar",
                            "Every morning, sorted")),
     ProductSpec(name="Maple Pecan Granola Bar with Sea Salt and Dark Chocolate Chunks",
                 description="")),
    (BrandSpec(name="Fjord", tone="calm", value_props=()),
     ProductSpec(name="Desk Lamp", description="Warm light for late work. Dimmable.")),
]

# Shapes that read assembled, not written (issue 18).
BAD_SHAPES = [
    re.compile(r"\band it shows\b", re.I),
    re.compile(r"\.\s*Finally\.?$"),
    re.compile(r"^Better days start here"),
    re.compile(r"^Three steps, every day$"),
    re.compile(r"\bMade by\b"),
    re.compile(r"^[^.]+\. [^.]+\. [^.]+\.$"),  # three chained fragments
    re.compile(r"\b(a|an|the) (a|an|the)\b", re.I),
    re.compile(r"\s[,.!?]"),
    re.compile(r"\.\."),
    re.compile(r"\{|\}"),
]


def _job(brand, product, seeds=range(5), template=None):
    used: set[str] = set()
    out = []
    templates = [t["slug"] for t in catalogue.templates()]
    for seed in seeds:
        for index, angle in enumerate(catalogue.COPY_ANGLES):
            slug = template or templates[(seed * 6 + index) % len(templates)]
            copy = write_copy(brand=brand, product=product, angle=angle, template_slug=slug,
                              avoid_headlines=used, seed=seed)
            used.update((copy.headline, copy.body))
            out.append((slug, angle, copy))
    return out


@pytest.mark.parametrize("brand,product", UNLIKE_BRANDS, ids=[b.name for b, _ in UNLIKE_BRANDS])
def test_no_known_bad_shape_and_no_duplicate_in_a_job(brand, product):
    job = _job(brand, product)
    headlines = [copy.headline for _, _, copy in job]
    assert len(headlines) == 30
    assert len({h.casefold().rstrip("!.") for h in headlines}) == 30
    for slug, angle, copy in job:
        for text in (copy.headline, copy.body, copy.cta):
            for shape in BAD_SHAPES:
                assert not shape.search(text), (slug, angle, text, shape.pattern)
        assert copy.body.casefold().rstrip(".") != copy.headline.casefold().rstrip(".!")
        assert copy.headline[:1] == copy.headline[:1].upper()


@pytest.mark.parametrize("brand,product", UNLIKE_BRANDS, ids=[b.name for b, _ in UNLIKE_BRANDS])
def test_bodies_are_whole_sentences_and_value_props_are_used_whole(brand, product):
    for _slug, _angle, copy in _job(brand, product, seeds=range(3)):
        if not copy.body or copy.body.endswith("verified customer"):
            continue
        assert copy.body[-1] in ".!?", copy.body
        assert copy.body[0] == copy.body[0].upper()
        # A value prop the body quotes is quoted whole, never cut after its first words.
        for prop in brand.value_props:
            words = prop.casefold().split()
            if len(words) > 2 and " ".join(words[:2]) in copy.body.casefold():
                assert prop.casefold() in copy.body.casefold(), (prop, copy.body)


def test_the_issue_value_prop_is_never_cut():
    brand, product = UNLIKE_BRANDS[0]
    for _slug, _angle, copy in _job(brand, product):
        assert not copy.body.rstrip(".").endswith("family-run"), copy.body


def test_testimonial_template_gets_a_quote_and_an_attribution():
    brand, product = UNLIKE_BRANDS[1]
    copy = write_copy(brand=brand, product=product, angle="benefit outcome",
                      template_slug="testimonial-card", seed=2)
    assert "Barrier Serum" in copy.headline or " my " in f" {copy.headline} "
    assert copy.body.endswith(", verified customer")
    assert copy.headline != "Better days start here"


def test_ritual_template_gets_real_steps_for_the_product_category():
    brand, product = UNLIKE_BRANDS[0]
    assert ritual_steps(brand, product) == ["Grind the beans fresh", "Brew it slow",
                                            "Savour the first sip"]
    skin_brand, skin_product = UNLIKE_BRANDS[1]
    assert ritual_steps(skin_brand, skin_product)[1] == "Apply a few drops"


@pytest.mark.parametrize("text,kind", [
    ("Calms redness overnight", "outcome"), ("Fragrance-free", "benefit"),
    ("Direct from family-run gardens", "benefit"), ("Dermatologist tested", "benefit"),
    ("Heavyweight cotton", "material"), ("Every morning, sorted", "ritual"),
    ("Vegan formula", "feature"), ("Visible glow in 7 days", "feature"),
])
def test_value_props_are_parsed_into_kinds(text, kind):
    assert classify(text) == kind


def test_shorter_variants_cut_only_at_sentence_or_clause_boundaries():
    text = ("A dark, syrupy espresso blend from family-run gardens, roasted in small batches. "
            "Shipped within 48 hours.")
    assert shorter_variants(text) == [
        "A dark, syrupy espresso blend from family-run gardens, roasted in small batches.",
        "A dark, syrupy espresso blend from family-run gardens.",
    ]
    assert shorter_variants("Notes of dark chocolate and plum.") == []
    assert shorter_variants("Bruma Espresso Blend, direct from family-run gardens.",
                            exclude=("Bruma Espresso Blend",)) == []


def test_sentences_keep_their_punctuation():
    assert sentences("One. Two! Three?") == ["One.", "Two!", "Three?"]
    assert sentences("毎朝の一杯。特別な香り。") == ["毎朝の一杯。", "特別な香り。"]


@pytest.mark.parametrize("language", ["es", "fr", "de"])
def test_other_languages_write_their_own_patterns_without_bad_shapes(language):
    brand = BrandSpec(name="Kaffeehaus Morgenrot", language=language, tone="warm",
                      value_props=("Nachhaltigkeitszertifizierung", "Direkt vom Erzeuger"))
    product = ProductSpec(name="Frühstücksmischung", description="Kräftig und mild zugleich.")
    job = _job(brand, product, seeds=range(2))
    assert len({copy.headline for _, _, copy in job}) == 12
    for _, _, copy in job:
        assert "{" not in copy.headline + copy.body
        assert not re.search(r"\s[,.!?]", copy.body)


def test_cjk_brand_copy_comes_from_its_own_strings_with_a_cjk_cta():
    brand = BrandSpec(name="朝焙煎", language="ja", tagline="毎朝の一杯を、もっと特別に。",
                      value_props=("自家焙煎", "産地直送の豆"))
    product = ProductSpec(name="深煎りブレンド", description="チョコレートのような深いコク。")
    copy = write_copy(brand=brand, product=product, angle="sensory",
                      template_slug="product-hero")
    assert copy.headline in {brand.tagline, *brand.value_props, product.name}
    assert copy.cta == "今すぐ購入"
