"""What this surface offers from the model registry and the catalogue, in adcreator's words.

Only models the local engine renders through these operations are listed: image models that
make an ad from text, video models that animate a rendered image. The reference's own examples
name the vendor's ids (``nano-banana-2``, ``kling-v3-pro``, ``studio-product``); requests using
them are rendered by the local equivalent named in ``*_ALIASES`` (and the generation reports the
model that rendered it), so code copied from the reference works unchanged."""

from __future__ import annotations

from billing import pricing
from generations import catalogue
from generations.selectors import model_registry

MODEL_ALIASES = {"nano-banana-2": "local-image"}
VIDEO_MODEL_ALIASES = {"kling-v3-pro": "local-motion"}
STYLE_ALIASES = {"studio-product": "studio-white"}
ASPECT_LABELS = {"1:1": "Square", "4:5": "Portrait", "9:16": "Story", "16:9": "Landscape"}
DEFAULT_ASPECT_RATIO = "1:1"


def image_models() -> list[dict]:
    return [model for model in model_registry()
            if model["kind"] == "image" and model["provider"] == "local"
            and "text-to-ad" in model["capabilities"]]


def video_models() -> list[dict]:
    return [model for model in model_registry()
            if model["kind"] == "video" and model["provider"] == "local"
            and "image-to-video" in model["capabilities"]]


def resolve(ident: str, *, models: list[dict], aliases: dict[str, str]) -> str | None:
    """The listed id ``ident`` means, or None."""
    ident = aliases.get(ident, ident)
    return ident if any(model["id"] == ident for model in models) else None


def style_ids() -> list[str]:
    return [style["id"] for style in catalogue.styles()]


def resolve_style(ident: str) -> str | None:
    ident = STYLE_ALIASES.get(ident, ident)
    return ident if ident in style_ids() else None


def image_model_entry(model: dict) -> dict:
    return {"id": model["id"], "displayName": model["displayName"],
            "creditsCost": model["creditsCost"], "estimatedSeconds": model["estimatedSeconds"],
            "supportsImageInput": model["supportsImageInput"],
            "maxWidth": model["maxWidth"], "maxHeight": model["maxHeight"]}


def video_model_entry(model: dict) -> dict:
    durations = list(model["durations"])
    return {"id": model["id"], "displayName": model["displayName"], "durations": durations,
            "credits": {str(seconds): pricing.price_for(kind="video", model=model["id"],
                                                        duration_seconds=seconds)
                        for seconds in durations},
            "creditsPerSecond": model["creditsPerSecond"],
            "estimatedSeconds": model["estimatedSeconds"],
            "supportsAudio": "music-bed" in model["capabilities"],
            # The local motion engine has no diffusion step to guide.
            "supportsNegativePrompt": False, "supportsCfgScale": False}


def aspect_ratios() -> list[dict]:
    return [{"id": ratio, "label": ASPECT_LABELS.get(ratio, ratio), "width": width,
             "height": height} for ratio, (width, height) in catalogue.ASPECT_SIZES.items()]


def style_entries() -> list[dict]:
    return [{"id": style["id"], "displayName": style["displayName"],
             "category": style["category"], "promptSuffix": style["promptSuffix"]}
            for style in catalogue.styles()]
