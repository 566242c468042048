"""What this surface offers from the model registry and the catalogue, in adcreator's words.

Listed are the models that can serve these operations now: the local engine's image model that
makes an ad from text and video model that animates a rendered image, plus every model id a
configured provider serves (``gpt-image-1``, ``nano-banana-2`` by Gemini, ``kling-v3-pro`` by
the hosted video queue; see ``generations.providers.registry``). While a reference id's provider
is off, requests using it are rendered by the local equivalent named in ``*_ALIASES`` (and the
generation reports the model that rendered it), so code copied from the reference works
unchanged; an id only a provider can serve is refused as ``model_unavailable``."""

from __future__ import annotations

from billing import pricing
from generations import catalogue
from generations.providers import registry
from generations.providers.base import IMAGE_TO_VIDEO
from generations.selectors import model_registry

MODEL_ALIASES = {"nano-banana-2": "local-image"}
VIDEO_MODEL_ALIASES = {"kling-v3-pro": "local-motion"}
STYLE_ALIASES = {"studio-product": "studio-white"}
ASPECT_LABELS = {"1:1": "Square", "4:5": "Portrait", "9:16": "Story", "16:9": "Landscape"}
DEFAULT_ASPECT_RATIO = "1:1"


def _served_by_providers(*, kind: str, capability: str, workspace=None) -> list[dict]:
    return [model for model in registry.available_models(kind=kind, workspace=workspace)
            if model["available"] and model["provider"] != "local"
            and capability in model["capabilities"]]


def image_models(*, workspace=None) -> list[dict]:
    local = [model for model in model_registry()
             if model["kind"] == "image" and model["provider"] == "local"
             and "text-to-ad" in model["capabilities"]]
    return local + _served_by_providers(kind="image", capability="text-to-ad",
                                        workspace=workspace)


def video_models(*, workspace=None) -> list[dict]:
    local = [model for model in model_registry()
             if model["kind"] == "video" and model["provider"] == "local"
             and "image-to-video" in model["capabilities"]]
    hosted = []
    for model in _served_by_providers(kind="video", capability="image-to-video",
                                      workspace=workspace):
        adapter = registry.resolve(model["id"], IMAGE_TO_VIDEO, workspace=workspace).adapter
        hosted.append({**model, "durations": list(adapter.durations(model["id"]))})
    return local + hosted


def resolve(ident: str, *, models: list[dict], aliases: dict[str, str]) -> str | None:
    """The listed id ``ident`` means (itself when a provider serves it, else its local
    alias), or None."""
    listed = {model["id"] for model in models}
    if ident in listed:
        return ident
    if aliases.get(ident) in listed:
        return aliases[ident]
    return None


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
            # Neither the local motion engine nor the hosted adapter sends these to a model.
            "supportsNegativePrompt": False, "supportsCfgScale": False}


def aspect_ratios() -> list[dict]:
    return [{"id": ratio, "label": ASPECT_LABELS.get(ratio, ratio), "width": width,
             "height": height} for ratio, (width, height) in catalogue.ASPECT_SIZES.items()]


def style_entries() -> list[dict]:
    return [{"id": style["id"], "displayName": style["displayName"],
             "category": style["category"], "promptSuffix": style["promptSuffix"]}
            for style in catalogue.styles()]
