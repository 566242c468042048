"""videotok's generation catalogue in our engine's terms: what ``GET /models`` lists and what
``POST /generations`` resolves a ``template_slug``, ``model_slug`` or ``preset_id`` to.

Only what the local engine renders today is listed. videotok's own example slugs are kept
where we render the same kind of output (``product-shoot``, ``motion-graphics``, and the
``nano-banana-2`` / ``veo`` model slugs as aliases of the local models that serve them; the
answer always names the local model). Prices are never written here: each entry is priced by
``generations.briefs.concept_credits`` on the brief it becomes, i.e. by ``billing.pricing``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from generations import catalogue

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


@cache
def ai_models() -> tuple[Model, ...]:
    registry = {m["id"]: m for m in catalogue.models()}
    transition = registry["local-transition"]
    return (
        Model(slug="local-image", name=registry["local-image"]["displayName"],
              engine="local-image", aliases=("nano-banana-2",), variants=(
                  Variant(id="image", name="Product image", output="image", renderer=None,
                          reference_images=(0, 6)),)),
        Model(slug="local-transition", name=transition["displayName"],
              engine="local-transition", aliases=("veo",), variants=(
                  Variant(id="first-frame-last-frame", name="First frame to last frame",
                          output="video", renderer="transition", reference_images=(2, 2),
                          durations=tuple(transition["durations"]),
                          default_aspect_ratio="9:16"),)),
    )


def presets() -> list[dict]:
    """Built-in inspiration presets: the catalogue's style presets."""
    return [{"id": s["id"], "name": s["displayName"], "category": s["category"],
             "description": s["description"], "animation_prompt": s.get("animation_prompt")}
            for s in catalogue.styles()]


def template_for(kind: str, slug: str) -> Template | None:
    entries = static_ads() if kind == "static_ad" else video_ads()
    return next((t for t in entries if t.slug == slug), None)


def model_for(slug: str) -> Model | None:
    return next((m for m in ai_models() if slug == m.slug or slug in m.aliases), None)
