"""videotok's generation catalogue in our engine's terms: what ``GET /models`` lists and what
``POST /generations`` resolves a ``template_slug``, ``model_slug`` or ``preset_id`` to.

Listed is what can be rendered now: the local engine's outputs, plus the models a configured
provider serves (``gpt-image-1``, ``nano-banana-2`` by Gemini, ``veo`` first-frame/last-frame
by the hosted video queue). videotok's own example slugs are kept where we render the same kind
of output (``product-shoot``, ``motion-graphics``, and the ``nano-banana-2`` / ``veo`` model
slugs as aliases of the local models while no provider serves them; the answer then names the
local model). Prices are never written here: each entry is priced by
``generations.briefs.concept_credits`` on the brief it becomes, i.e. by ``billing.pricing``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from generations import catalogue
from generations.providers import registry
from generations.providers.base import IMAGE_TO_VIDEO

ASPECT_RATIOS = ("1:1", "9:16", "16:9", "4:5")
RESOLUTIONS = ("1K",)  # the engine renders 1080 px on the short side
QUALITY_TIERS = ("high",)
VIDEO_DURATIONS = (2, 4, 6, 8, 10, 15)  # the local motion engine's clip lengths


@dataclass(frozen=True)
class Template:
    """A static or video ad template: one or more of our layout templates (rotated across a
    batch), optionally pinned animation prompts, and the aspect ``auto`` falls back to."""

    slug: str
    name: str
    description: str
    templates: tuple[str, ...]
    default_aspect_ratio: str
    animation_prompts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Variant:
    id: str
    name: str
    output: str  # image | video
    renderer: str | None  # None: the ad engine; else pipeline.render_special's name
    reference_images: tuple[int, int] = (0, 6)  # how many reference_image_urls (min, max)
    durations: tuple[int, ...] = ()
    default_aspect_ratio: str = "1:1"


@dataclass(frozen=True)
class Model:
    slug: str
    name: str
    engine: str  # the model registry id (generations/catalogue/models.json)
    aliases: tuple[str, ...]
    variants: tuple[Variant, ...] = field(default_factory=tuple)


PRODUCT_HERO_TEMPLATES = tuple(t["slug"] for t in catalogue.templates()
                               if t["category"] == "product hero" and t["branded"])


@cache
def static_ads() -> tuple[Template, ...]:
    shoot = Template(slug="product-shoot", name="Product Shoot",
                     description="The product as the hero on a styled set, with headline, "
                     "copy and CTA; the product-hero layouts in turn across a batch.",
                     templates=PRODUCT_HERO_TEMPLATES, default_aspect_ratio="1:1")
    return (shoot, *(
        Template(slug=t["slug"], name=t["name"], description=t["description"],
                 templates=(t["slug"],), default_aspect_ratio="4:5")
        for t in catalogue.templates()))


@cache
def video_ads() -> tuple[Template, ...]:
    motion = Template(slug="motion-graphics", name="Motion Graphics",
                      description="A hook-first animated ad: layers enter on a timeline, the "
                      "camera moves and the style's animation prompt adds particles and light.",
                      templates=("bold-type", "product-hero", "spotlight", "split-panel"),
                      default_aspect_ratio="9:16")
    return (motion, *(
        Template(slug=p["slug"], name=p["name"], description=p["description"],
                 templates=(), default_aspect_ratio="9:16", animation_prompts=(p["name"],))
        for p in catalogue.animation_prompts()))


IMAGE_VARIANT = Variant(id="image", name="Product image", output="image", renderer=None,
                        reference_images=(0, 6))


def _first_last(durations) -> Variant:
    return Variant(id="first-frame-last-frame", name="First frame to last frame",
                   output="video", renderer="transition", reference_images=(2, 2),
                   durations=tuple(durations), default_aspect_ratio="9:16")


def ai_models(*, workspace=None) -> tuple[Model, ...]:
    """The local models, and the models a configured provider serves now (the registry): a
    reference slug served by a provider is its own model, not an alias of the local one."""
    local = {m["id"]: m for m in catalogue.models()}
    served = {m["id"]: m for m in registry.available_models(workspace=workspace)
              if m["available"] and m["provider"] != "local"}
    image_aliases = tuple(a for a in ("nano-banana-2",) if a not in served)
    video_aliases = tuple(a for a in ("veo",) if a not in served)
    models = [
        Model(slug="local-image", name=local["local-image"]["displayName"],
              engine="local-image", aliases=image_aliases, variants=(IMAGE_VARIANT,)),
        Model(slug="local-transition", name=local["local-transition"]["displayName"],
              engine="local-transition", aliases=video_aliases,
              variants=(_first_last(local["local-transition"]["durations"]),)),
    ]
    for ident, entry in served.items():
        if entry["kind"] == "image" and "text-to-ad" in entry["capabilities"]:
            models.append(Model(slug=ident, name=entry["displayName"], engine=ident,
                                aliases=(), variants=(IMAGE_VARIANT,)))
        elif entry["kind"] == "video" and "first-last-frame" in entry["capabilities"]:
            adapter = registry.resolve(ident, IMAGE_TO_VIDEO, workspace=workspace).adapter
            models.append(Model(slug=ident, name=entry["displayName"], engine=ident,
                                aliases=(), variants=(_first_last(adapter.durations(ident)),)))
    return tuple(models)


def presets() -> list[dict]:
    """Built-in inspiration presets: the catalogue's style presets."""
    return [{"id": s["id"], "name": s["displayName"], "category": s["category"],
             "description": s["description"], "animation_prompt": s.get("animation_prompt")}
            for s in catalogue.styles()]


def template_for(kind: str, slug: str) -> Template | None:
    entries = static_ads() if kind == "static_ad" else video_ads()
    return next((t for t in entries if t.slug == slug), None)


def model_for(slug: str, *, workspace=None) -> Model | None:
    """The model ``slug`` names among those served now, or None."""
    return next((m for m in ai_models(workspace=workspace)
                 if slug == m.slug or slug in m.aliases), None)
