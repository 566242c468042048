"""Turn a brief into concepts that differ: products, angles, templates, styles and motion rotate
across the job unless the brief pins them, and no headline repeats."""

from __future__ import annotations

from dataclasses import dataclass

from generations import catalogue
from generations.briefs import AdBrief
from generations.render import BrandSpec, ProductSpec, write_copy


@dataclass(frozen=True)
class PlannedProduct:
    id: int | None
    spec: ProductSpec


@dataclass(frozen=True)
class PlannedConcept:
    index: int
    product: PlannedProduct
    copy_angle: str
    headline: str
    body: str
    cta: str
    template_slug: str
    style_id: str
    animation_prompt: str
    seed: int


def _rotate(options: list, index: int, offset: int = 0):
    return options[(index + offset) % len(options)]


def _style_search_picks(query: str) -> tuple[list[str], list[str]]:
    """Styles and animation prompts matching a free-text vibe, best first (worker-side only:
    it loads the embedding model)."""
    from generations.search import search_catalogue

    matches = search_catalogue(query, kinds=("style", "animation_prompt"), top_n=8)
    styles = [m.id for m in matches if m.kind == "style"]
    prompts = [m.name for m in matches if m.kind == "animation_prompt"]
    # A matched style implies its animation prompt category, and the other way round.
    prompts += [catalogue.style_by_id(style_id)["animation_prompt"] for style_id in styles]
    return styles, list(dict.fromkeys(prompts))


def _styles_for_prompts(prompts: list[str]) -> list[str]:
    return [s["id"] for s in catalogue.styles() if s.get("animation_prompt") in prompts]


def plan_concepts(
    *, brief: AdBrief, brand: BrandSpec, products: list[PlannedProduct], seed: int,
) -> list[PlannedConcept]:
    """Plan ``brief.count`` concepts. ``seed`` varies rotations between jobs of one brand."""
    if not products:
        products = [PlannedProduct(id=None, spec=ProductSpec(name=brand.name,
                                                             description=brand.tagline))]
    prompts = list(brief.animation_prompts)
    styles = list(brief.featured_styles)
    if not prompts and not styles and brief.style_search:
        styles, prompts = _style_search_picks(brief.style_search)
    if prompts and not styles:
        styles = _styles_for_prompts(prompts)
    all_styles = [s["id"] for s in catalogue.styles()]
    styles = styles or all_styles
    if not prompts:
        prompts = [catalogue.style_by_id(style_id)["animation_prompt"] for style_id in styles]
        prompts = list(dict.fromkeys(prompts))
    templates = list(brief.templates) or [t["slug"] for t in catalogue.templates()
                                          if not t.get("plain_scene")]
    angles = [brief.copy_angle] if brief.copy_angle else list(catalogue.COPY_ANGLES)
    if brief.brand_tone:
        brand = BrandSpec(**{**brand.__dict__, "tone": brief.brand_tone})

    used_headlines: set[str] = set()
    concepts = []
    for index in range(brief.count):
        product = _rotate(products, index)
        angle = _rotate(angles, index, seed)
        template_slug = _rotate(templates, index, seed)
        concept_seed = seed * 100 + index
        copy = write_copy(brand=brand, product=product.spec, angle=angle,
                          template_slug=template_slug, avoid_headlines=used_headlines,
                          seed=concept_seed, sizes=brief.sizes)
        used_headlines.update((copy.headline, copy.body))
        concepts.append(PlannedConcept(
            index=index, product=product, copy_angle=angle, headline=copy.headline,
            body=copy.body, cta=copy.cta, template_slug=template_slug,
            style_id=_rotate(styles, index, seed), animation_prompt=_rotate(prompts, index, seed),
            seed=concept_seed,
        ))
    return concepts
