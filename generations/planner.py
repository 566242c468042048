"""Turn a brief into concepts that differ: products, angles, templates, styles and motion rotate
across the job unless the brief pins them, and no headline repeats.

A free-text ``prompt`` steers the picks the brief leaves open: the look (a semantic style
search over the prompt), the template and copy angle (cue words such as "testimonial",
"before and after", "offer"), the copy's tone and language ("playful", "in Spanish"), and the
headline (a "quoted phrase" that fits the template is used as one). ``negative_prompt`` names
words and things to keep out: styles, motion and templates that mention them are not picked,
brand lines that mention them are not used, and copy that still does is rewritten.
``style_preset`` pins the look to one catalogue style.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from generations import catalogue
from generations.briefs import AdBrief
from generations.render import BrandSpec, Copy, CopyProvider, ProductSpec, write_copy
from generations.render.copy import fits_slot, mentions


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
    copy_source: str = "local"
    copy_fallback: str = ""


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


# Cue words of a prompt (whole words or phrases, any case) and what they pick.
TEMPLATE_CUES = {
    "testimonial": "testimonial-card", "review": "testimonial-card", "quote": "testimonial-card",
    "before and after": "before-after", "before/after": "before-after",
    "offer": "offer-badge", "discount": "offer-badge", "sale": "offer-badge",
    "luxury": "minimal-luxury", "minimal": "minimal-luxury", "bold type": "bold-type",
    "ugc": "ugc-caption", "selfie": "ugc-caption", "routine": "ritual-steps",
    "steps": "ritual-steps", "close-up": "sensory-closeup", "closeup": "sensory-closeup",
    "versus": "comparison", "vs": "comparison", "compare": "comparison",
    "benefits": "benefit-list", "split": "split-panel", "spotlight": "spotlight",
}
ANGLE_CUES = {
    "pain point": "pain + solution", "problem": "pain + solution", "benefit": "benefit outcome",
    "results": "benefit outcome", "sensory": "sensory", "texture": "sensory",
    "transformation": "transformation", "before and after": "transformation",
    "ritual": "ritual", "routine": "ritual", "social proof": "social proof",
    "testimonial": "social proof", "reviews": "social proof",
}
TONE_CUES = ("playful", "bold", "energetic", "luxury", "premium", "elegant", "refined",
             "warm", "clinical", "minimal")
LANGUAGE_CUES = {"in english": "en", "in spanish": "es", "en español": "es", "in french": "fr",
                 "en français": "fr", "in german": "de", "auf deutsch": "de"}
_QUOTED = re.compile(r"[\"“”«»]([^\"“”«»]{2,80})[\"“”«»]")
_NEGATION = re.compile(r"^(?:no|not|without|avoid|never|don't use|do not use)\s+", re.I)
REWRITE_ATTEMPTS = 8


def negative_terms(text: str | None) -> tuple[str, ...]:
    """The words and things a negative prompt names: "no people, avoid neon; glitter" gives
    ("people", "neon", "glitter")."""
    if not text:
        return ()
    terms = []
    for piece in re.split(r"[,;\n]|\band\b", text):
        term = _NEGATION.sub("", piece.strip()).strip(" .!").casefold()
        if term and term not in terms:
            terms.append(term)
    return tuple(terms)


def _cued(prompt: str, cues: dict[str, str]) -> list[str]:
    return list(dict.fromkeys(value for cue, value in cues.items() if mentions(prompt, [cue])))


def _without(items: list[str], describe, terms: tuple[str, ...]) -> list[str]:
    """``items`` minus those whose description names a term (all of them if none is left)."""
    if not terms:
        return items
    kept = [item for item in items if not mentions(describe(item), terms)]
    return kept or items


def _style_text(style_id: str) -> str:
    style = catalogue.style_by_id(style_id)
    return " ".join(str(style.get(k, "")) for k in ("id", "displayName", "category",
                                                     "description", "promptSuffix"))


def _prompt_text(name: str) -> str:
    prompt = catalogue.animation_prompt_by_name(name)
    return " ".join(str(prompt.get(k, "")) for k in ("name", "category", "description"))


def _template_text(slug: str) -> str:
    template = catalogue.template_by_slug(slug)
    return " ".join(str(template.get(k, "")) for k in ("slug", "name", "category"))


def _steered_brand(brand: BrandSpec, brief: AdBrief, terms: tuple[str, ...]) -> BrandSpec:
    """The brand as the copywriter should see it for this brief: lines naming a negative term
    dropped, tone and language from the prompt's cues where the brief sets none."""
    changes: dict = {}
    if terms:
        changes["value_props"] = tuple(p for p in brand.value_props if not mentions(p, terms))
        if mentions(brand.tagline, terms):
            changes["tagline"] = ""
    prompt = brief.prompt or ""
    tones = [tone for tone in TONE_CUES if mentions(prompt, [tone])]
    if tones and not brief.brand_tone:
        changes["tone"] = ", ".join(tones)
    languages = _cued(prompt, LANGUAGE_CUES)
    if languages:
        changes["language"] = languages[0]
    return replace(brand, **changes) if changes else brand


def _steered_product(product: ProductSpec, terms: tuple[str, ...]) -> ProductSpec:
    if not terms or not mentions(product.description, terms):
        return product
    kept = [s for s in re.findall(r"[^.!?]+[.!?]*", product.description)
            if s.strip() and not mentions(s, terms)]
    return replace(product, description=" ".join(s.strip() for s in kept))


def _clean_copy(write, terms: tuple[str, ...], avoid: set[str], *, product: str) -> Copy:
    """``write(avoid)`` again, avoiding each line that names a negative term, until none
    does (or the attempts run out: the last copy then is the best there is). The product's
    own name is not rewritten: the ad is about it."""

    def names_term(line: str) -> bool:
        return mentions(line.replace(product, " "), terms)

    tried = set(avoid)
    copy = write(tried)
    for _ in range(REWRITE_ATTEMPTS):
        bad = [line for line in (copy.headline, copy.body) if names_term(line)]
        if not bad and not names_term(copy.cta):
            return copy
        tried.update(bad or [copy.headline])
        copy = write(tried)
    return copy


def plan_concepts(
    *, brief: AdBrief, brand: BrandSpec, products: list[PlannedProduct], seed: int,
    copy_writer: CopyProvider | None = None,
) -> list[PlannedConcept]:
    """Plan ``brief.count`` concepts. ``seed`` varies rotations between jobs of one brand;
    ``copy_writer`` replaces the local copywriter (a chat-model adapter)."""
    if not products:
        products = [PlannedProduct(id=None, spec=ProductSpec(name=brand.name,
                                                             description=brand.tagline))]
    terms = negative_terms(brief.negative_prompt)
    steer = brief.prompt or ""
    prompts = list(brief.animation_prompts)
    styles = [brief.style_preset] if brief.style_preset else list(brief.featured_styles)
    if not prompts and not styles and (brief.style_search or steer):
        styles, prompts = _style_search_picks(brief.style_search or steer)
    if prompts and not styles:
        styles = _styles_for_prompts(prompts)
    all_styles = [s["id"] for s in catalogue.styles()]
    styles = styles or all_styles
    if not brief.style_preset:  # a preset the caller named is kept whatever it mentions
        styles = _without(styles, _style_text, terms)
    if not prompts:
        prompts = [catalogue.style_by_id(style_id)["animation_prompt"] for style_id in styles]
        prompts = list(dict.fromkeys(prompts))
    prompts = _without(prompts, _prompt_text, terms)
    usable = [t["slug"] for t in catalogue.templates() if not t.get("plain_scene")]
    templates = list(brief.templates) or _cued(steer, TEMPLATE_CUES) or usable
    templates = _without(templates, _template_text, terms)
    angles = ([brief.copy_angle] if brief.copy_angle
              else _cued(steer, ANGLE_CUES) or list(catalogue.COPY_ANGLES))
    if brief.brand_tone:
        brand = BrandSpec(**{**brand.__dict__, "tone": brief.brand_tone})
    brand = _steered_brand(brand, brief, terms)
    quoted = [phrase.strip() for phrase in _QUOTED.findall(steer)
              if phrase.strip() and not mentions(phrase, terms)]
    classes = tuple(dict.fromkeys(catalogue.ASPECT_CLASSES[size] for size in brief.sizes
                                  if size in catalogue.ASPECT_CLASSES)) or ("tall", "portrait")

    used_headlines: set[str] = set()
    concepts = []
    for index in range(brief.count):
        product = _rotate(products, index)
        spec = _steered_product(product.spec, terms)
        angle = _rotate(angles, index, seed)
        template_slug = _rotate(templates, index, seed)
        concept_seed = seed * 100 + index

        def write(avoid: set[str], spec=spec, angle=angle, template_slug=template_slug,
                  concept_seed=concept_seed) -> Copy:
            return write_copy(brand=brand, product=spec, angle=angle,
                              template_slug=template_slug, avoid_headlines=avoid,
                              seed=concept_seed, sizes=brief.sizes, provider=copy_writer)

        copy = (_clean_copy(write, terms, used_headlines, product=spec.name) if terms
                else write(used_headlines))
        line = next((phrase for phrase in quoted if phrase not in used_headlines
                     and fits_slot(phrase, brand=brand, product=spec,
                                   template_slug=template_slug, aspect_classes=classes)), None)
        if line is not None:
            quoted.remove(line)
            copy = replace(copy, headline=line)
        used_headlines.update((copy.headline, copy.body))
        concepts.append(PlannedConcept(
            index=index, product=product, copy_angle=angle, headline=copy.headline,
            body=copy.body, cta=copy.cta, template_slug=template_slug,
            style_id=_rotate(styles, index, seed), animation_prompt=_rotate(prompts, index, seed),
            seed=concept_seed, copy_source=copy.source, copy_fallback=copy.fallback,
        ))
    return concepts
