"""The normalised creative brief every surface maps its request onto."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from billing import pricing
from generations import catalogue
from generations.errors import InvalidRequest
from generations.models import AdFormat
from generations.providers import registry
from generations.providers.base import IMAGE_GENERATE, IMAGE_TO_VIDEO

SIZES = tuple(catalogue.ASPECT_SIZES)
DEFAULT_SIZES = ("9:16", "4:5")  # Dessert: vertical 1080x1920 and "square" 1080x1350
MAX_COUNT = 10
MIN_DURATION, MAX_DURATION, DEFAULT_DURATION = 2.0, 15.0, 6.0
UGC_MAX_DURATION = 60.0  # presenter videos (``extra["renderer"] == "ugc"``) run longer
MAX_PROMPT_CHARS = 5000
MAX_NEGATIVE_PROMPT_CHARS = 2500
MAX_REFERENCE_IMAGES = 6


@dataclass(frozen=True)
class AdBrief:
    """What to make. Ids refer to the workspace's own brand and products."""

    count: int = 1
    format: str = AdFormat.FULL
    brand_id: int | None = None
    product_ids: tuple[int, ...] = ()
    copy_angle: str | None = None
    brand_tone: str | None = None
    animation_prompts: tuple[str, ...] = ()
    featured_styles: tuple[str, ...] = ()
    style_search: str | None = None
    templates: tuple[str, ...] = ()
    sizes: tuple[str, ...] = DEFAULT_SIZES
    in_situ: bool = False
    duration: float = DEFAULT_DURATION
    bgm: bool = False
    # Free-text direction (the OpenAI-compatible, adcreator and inference surfaces): the prompt
    # steers copy, scene and template; the negative prompt names what to keep out; the style
    # preset is a catalogue style id; reference uploads are Upload public ids of the workspace.
    prompt: str | None = None
    negative_prompt: str | None = None
    style_preset: str | None = None
    reference_uploads: tuple[str, ...] = ()
    # A registry model id (adcreator ``modelId``): the brief is then priced per image, or per
    # second of video, instead of per ad format.
    model: str | None = None
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        data = asdict(self)
        return {key: list(value) if isinstance(value, tuple) else value
                for key, value in data.items()}

    @classmethod
    def from_json(cls, data: dict) -> AdBrief:
        tuples = {"product_ids", "animation_prompts", "featured_styles", "templates", "sizes",
                  "reference_uploads"}
        return cls(**{key: tuple(value) if key in tuples else value
                      for key, value in data.items()})

    @property
    def video(self) -> bool:
        return self.format == AdFormat.FULL


def validate_brief(brief: AdBrief) -> AdBrief:
    """Check every rule that needs no database; raise InvalidRequest naming the first broken."""
    if isinstance(brief.count, bool) or not isinstance(brief.count, int) or not (
        1 <= brief.count <= MAX_COUNT
    ):
        raise InvalidRequest("invalid_count",
                             f"count must be an integer from 1 to {MAX_COUNT}.", field="count")
    if brief.format not in AdFormat.values:
        raise InvalidRequest("invalid_format", 'format must be "full" or "static".',
                             field="format")
    if brief.copy_angle is not None and brief.copy_angle not in catalogue.COPY_ANGLES:
        raise InvalidRequest(
            "invalid_copy_angle",
            "creative.copy_angle must be one of: "
            + ", ".join(f'"{angle}"' for angle in catalogue.COPY_ANGLES)
            + ".", field="creative.copy_angle",
        )
    known_prompts = {prompt["name"] for prompt in catalogue.animation_prompts()}
    unknown = [name for name in brief.animation_prompts if name not in known_prompts]
    if unknown:
        raise InvalidRequest(
            "invalid_animation_prompt",
            f"Unknown animation prompt(s): {', '.join(unknown)}. GET /v1/styles lists them.",
            field="creative.animation_prompts",
        )
    known_styles = {style["id"] for style in catalogue.styles()}
    unknown = [style for style in brief.featured_styles if style not in known_styles]
    if unknown:
        raise InvalidRequest("invalid_featured_style",
                             f"Unknown style id(s): {', '.join(unknown)}.",
                             field="creative.featured_styles")
    known_templates = {template["slug"] for template in catalogue.templates()}
    unknown = [slug for slug in brief.templates if slug not in known_templates]
    if unknown:
        raise InvalidRequest("invalid_template", f"Unknown template(s): {', '.join(unknown)}.",
                             field="templates")
    if not brief.sizes or any(size not in SIZES for size in brief.sizes):
        raise InvalidRequest("invalid_sizes", f"sizes must be a non-empty subset of {SIZES}.",
                             field="sizes")
    if len(set(brief.sizes)) != len(brief.sizes):
        raise InvalidRequest("invalid_sizes", "sizes must not name the same size twice.",
                             field="sizes")
    longest = UGC_MAX_DURATION if brief.extra.get("renderer") == "ugc" else MAX_DURATION
    if not (MIN_DURATION <= float(brief.duration) <= longest):
        raise InvalidRequest("invalid_duration",
                             f"duration must be {MIN_DURATION:g}-{longest:g} seconds.",
                             field="duration")
    if brief.style_search is not None and len(brief.style_search) > 500:
        raise InvalidRequest("invalid_style_search", "style_search is limited to 500 characters.",
                             field="creative.style_search")
    if brief.prompt is not None and len(brief.prompt) > MAX_PROMPT_CHARS:
        raise InvalidRequest("invalid_prompt",
                             f"prompt is limited to {MAX_PROMPT_CHARS} characters.",
                             field="prompt")
    if brief.negative_prompt is not None and len(brief.negative_prompt) > MAX_NEGATIVE_PROMPT_CHARS:
        raise InvalidRequest("invalid_negative_prompt",
                             f"negative_prompt is limited to {MAX_NEGATIVE_PROMPT_CHARS} "
                             "characters.", field="negative_prompt")
    if brief.style_preset is not None and brief.style_preset not in known_styles:
        raise InvalidRequest("invalid_style_preset",
                             f"Unknown style preset: {brief.style_preset}.",
                             field="style_preset")
    if len(brief.reference_uploads) > MAX_REFERENCE_IMAGES:
        raise InvalidRequest("invalid_reference_images",
                             f"At most {MAX_REFERENCE_IMAGES} reference images.",
                             field="reference_images")
    if brief.model is not None:
        check_model(brief)
    if brief.brand_tone is not None and len(brief.brand_tone) > 200:
        raise InvalidRequest("invalid_brand_tone", "brand_tone is limited to 200 characters.",
                             field="creative.brand_tone")
    return brief


def check_model(brief: AdBrief, *, workspace=None) -> None:
    """The brief's model is one of the catalogue's, or a model id the provider registry routes
    and that is served now (for ``workspace``, whose switch may forbid paid providers):
    InvalidRequest ``invalid_model`` for an unknown or wrong-kind id, ModelUnavailable (400
    ``model_unavailable``) for one whose provider is off."""
    wanted = "video" if brief.video else "image"
    kinds = {model["id"]: model["kind"] for model in catalogue.models()}
    if kinds.get(brief.model) == wanted:
        return
    found = registry.route(brief.model or "")
    if found is None or registry.KIND_OF_CAPABILITY[found.capability] != wanted:
        raise InvalidRequest("invalid_model", f"Unknown {wanted} model: {brief.model}.",
                             field="model")
    served = registry.resolve(found.model_id, IMAGE_TO_VIDEO if brief.video else IMAGE_GENERATE,
                              workspace=workspace)
    durations = getattr(served.adapter, "durations", None)
    if brief.video and durations is not None:
        allowed = durations(found.model_id)
        if float(brief.duration) not in allowed:
            raise InvalidRequest("invalid_duration",
                                 f"{found.model_id} makes clips of "
                                 f"{', '.join(map(str, allowed))} seconds.", field="duration")


def concept_credits(brief: AdBrief) -> int:
    """What one concept of the brief costs: its model's price (per image, or per started second
    of video) when it names one, else its format's price plus the in-situ scene. This is
    each concept's share of the charge, what regenerating one costs and what its failure
    refunds. A brief for another output than an ad (a slideshow, a transition clip) names its
    ``billing.pricing`` kind and parameters in ``extra["price"]``."""
    if brief.extra.get("price"):
        return pricing.price_for(**brief.extra["price"])
    if brief.model is not None:
        if brief.video:
            return pricing.price_for(kind="video", model=brief.model,
                                     duration_seconds=math.ceil(brief.duration))
        return pricing.price_for(kind="image", model=brief.model)
    credits = pricing.price_for(kind=brief.format)
    if brief.in_situ:
        credits += pricing.price_for(kind="in_situ")
    return credits


def brief_credits(brief: AdBrief) -> int:
    """What the brief costs: every concept at ``concept_credits``."""
    return concept_credits(brief) * brief.count
