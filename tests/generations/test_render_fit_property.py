"""Copy fits by construction: random brands x templates x angles never reach a gate refusal,
never ship a cut sentence, and meet contrast and safe zones."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generations import catalogue
from generations.render import BrandSpec, ConceptSpec, ProductSpec, write_copy
from generations.render.copy import (
    ATTRIBUTION,
    body_candidates,
    category_words,
    parts_of,
    shorter_variants,
)
from generations.render.engine import layout_concept

WORDS = {
    "en": ["fresh", "roasted", "gentle", "cotton", "daily", "bold", "organic", "smooth",
           "small", "batch", "hand", "made", "lasting", "comfort", "from", "family-run"],
    "es": ["fresco", "tostado", "suave", "algodón", "diario", "orgánico", "hecho", "a", "mano"],
    "fr": ["frais", "torréfié", "doux", "coton", "quotidien", "bio", "fait", "main"],
    "de": ["Nachhaltigkeitszertifizierung", "frisch", "geröstet", "Bohnen", "täglich", "sanft",
           "Direkthandel"],
    "ar": ["عطر", "يدوم", "طبيعي", "مكونات", "صنع", "يدوي"],
    "he": ["טבעי", "עדין", "יומי", "איכות", "בעבודת", "יד"],
    "ja": ["静岡県産", "一番茶", "香り", "深蒸し", "無農薬", "丁寧に"],
    "zh": ["咖啡", "新鲜", "烘焙", "手工", "每天", "香浓"],
    "ko": ["커피", "신선한", "매일", "수제", "향긋한"],
}
LATIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéüøß&'. -"
TEMPLATES = [t["slug"] for t in catalogue.templates()]
SIZES = ("9:16", "4:5")

channel = st.integers(0, 255)
grey = st.integers(0, 255).map(lambda v: f"#{v:02X}{v:02X}{v:02X}")
colour = st.one_of(st.tuples(channel, channel, channel).map(lambda c: "#" + bytes(c).hex().upper()),
                   grey)


def _name(min_size: int, max_size: int):
    return st.text(LATIN, min_size=min_size, max_size=max_size).map(
        lambda s: " ".join(s.split())).filter(lambda s: len(s.replace(" ", "")) >= 2)


@st.composite
def brands(draw):
    language = draw(st.sampled_from(sorted(WORDS)))
    words = WORDS[language]
    props = draw(st.lists(st.lists(st.sampled_from(words), min_size=1, max_size=8).map(
        lambda w: " ".join(w).capitalize() if language in ("en", "es", "fr") else " ".join(w)),
        min_size=0, max_size=6))
    brand = BrandSpec(
        name=draw(_name(2, 40)), language=language, value_props=tuple(props),
        tagline=draw(st.sampled_from(["", " ".join(words[:3])])),
        tone=draw(st.sampled_from(["", "playful, loud", "premium, refined", "warm"])),
        colors={role: draw(colour) for role in ("primary", "secondary", "accent",
                                                "background", "text")})
    product = ProductSpec(name=draw(_name(1, 60)),
                          description=draw(st.sampled_from(["", " ".join(words[:4]) + "."])))
    return brand, product


def _check(brand, product, slug, angle, sizes=SIZES):
    copy = write_copy(brand=brand, product=product, angle=angle, template_slug=slug, seed=3,
                      sizes=sizes)
    concept = ConceptSpec(template_slug=slug, style_id="soft-gradient",
                          animation_prompt="Serum Droplets", copy_angle=angle,
                          headline=copy.headline, body=copy.body, cta=copy.cta)
    lang = brand.language
    words = category_words(brand, product, lang) if lang in ("en", "es", "fr", "de") else {}
    allowed_bodies = {"", copy.body, *shorter_variants(copy.body, exclude=(product.name,
                                                                           brand.name))}
    written = body_candidates(parts=parts_of(brand), product=product, lang=lang,
                              unit=words.get("unit", ""))
    whole = set(written) | {v for c in written for v in shorter_variants(c)}
    assert (copy.body in whole or copy.body == ""
            or copy.body.endswith(ATTRIBUTION[lang].split("}")[-1])), copy.body
    sources = (brand.tagline, product.name, *brand.value_props)
    cut = copy.headline.rstrip("!")
    if cut not in sources:  # a whole source string is never a cut one
        for source in sources:
            assert not source.startswith(cut + " "), (copy.headline, source)
    for aspect in sizes:
        _scene, report = layout_concept(brand=brand, product=product, concept=concept,
                                        aspect=aspect)
        assert report["ok"], report["gates"]
        assert report["gates"]["contrast"]["ok"] and report["gates"]["safe_zones"]["ok"]
        assert report["copy"]["body"] in allowed_bodies, report["copy"]
        headline = report["copy"]["headline"]
        assert headline == copy.headline or headline in shorter_variants(copy.headline)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(brand=brands(), slug=st.sampled_from(TEMPLATES),
       angle=st.sampled_from(catalogue.COPY_ANGLES))
def test_random_brands_never_reach_a_gate_refusal_or_ship_a_cut_sentence(brand, slug, angle):
    _check(*brand, slug, angle)


HARD = (BrandSpec(name="Oat & Ember Provisions Company of Portland", language="de",
                  tone="playful", tagline="Langzeitröstung aus Leidenschaft",
                  colors={"primary": "#808080", "secondary": "#7A7A7A", "accent": "#858585",
                          "background": "#8A8A8A", "text": "#777777"},
                  value_props=("Direkthandelspartnerschaften", "Nachhaltigkeitszertifizierung",
                               "Röstfrischegarantie ab Versandtag", "Frisch")),
        ProductSpec(name="Frühstücksespressomischung mit Haselnuss und dunkler Schokolade XL",
                    description="Schokoladig, nussig und säurearm. Frisch geröstet."))


@pytest.mark.parametrize("slug", TEMPLATES)
def test_a_hard_brand_fits_every_template_and_angle_in_9x16(slug):
    brand, product = HARD
    for angle in catalogue.COPY_ANGLES:
        _check(brand, product, slug, angle, sizes=("9:16",))
