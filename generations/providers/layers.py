"""Provider output as one more layer of the local render.

- **Scenes and backgrounds**: when a concept's image model (adcreator's ``modelId``; the
  in-situ model for ``in_situ`` concepts) is served by a provider, that provider paints the
  background or lifestyle scene of every size; the local engine still lays the ad out on it
  (product cut-out and shadow, logo, copy fitting, contrast scrims) and runs every quality gate.
- **Motion**: when a video brief's model is served by a hosted video queue, the local engine
  renders the ad's still and the provider animates it (or, for first-frame/last-frame models,
  the two reference images).

When the provider fails after its retries, or its breaker is open, ``PROVIDER_MEDIA_FAILURE``
decides: ``fallback`` (default) renders with the local engine instead and refunds the price
difference between the provider's model and the local one; ``fail`` fails the concept, which
refunds its whole share. Either way the concept's report says what happened.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from generations import catalogue

from . import registry
from .base import (
    IMAGE_GENERATE,
    IMAGE_TO_VIDEO,
    CallContext,
    ModelUnavailable,
    ProviderError,
    ProviderUnavailable,
)
from .outputs import checked_image, checked_video

PROVIDER_FAILURES = (ProviderError, ProviderUnavailable, ModelUnavailable)


@dataclass
class Layered:
    """What the providers added to one concept's render, for its report and its refund."""

    backdrops: dict[str, bytes] = field(default_factory=dict)
    report: dict[str, Any] = field(default_factory=dict)
    fallback_model: str | None = None  # the local model that stood in, when one did


def fail_on_provider_error() -> bool:
    return settings.PROVIDER_MEDIA_FAILURE == "fail"


def image_model_for(*, brief: Any, in_situ: bool) -> str | None:
    """The image model whose provider should paint this concept's scenes, if any. A brief that
    asks for a plain background colour (Bria's lifestyle shot given a hex colour) gets none."""
    if brief.extra.get("background_color"):
        return None
    if brief.model:
        found = registry.route(brief.model)
        return brief.model if found is not None and found.capability == IMAGE_GENERATE else None
    if in_situ and settings.PROVIDER_IN_SITU_MODEL:
        return str(settings.PROVIDER_IN_SITU_MODEL)
    return None


def scene_prompt(*, brief: Any, concept: Any, brand_colors: dict[str, str]) -> str:
    """What the image model is asked for: a scene with room for the product, never text."""
    try:
        style = catalogue.style_by_id(concept.style_id)
    except catalogue.CatalogueError:
        style = {"promptSuffix": ""}
    subject = brief.prompt or f"a styled set for {concept.product_name}"
    if concept.in_situ:
        lead = (f"A photographic lifestyle scene where {concept.product_name} is used: "
                f"{subject}. Leave a clear, empty surface in the lower middle of the frame "
                "where the product will be placed.")
    else:
        lead = f"A photographic advertising background: {subject}."
    palette = ", ".join(f"{role} {value}" for role, value in sorted(brand_colors.items())
                        if role in ("primary", "secondary", "accent", "background"))
    parts = [lead, "No text, letters, logos, people or products in the frame."]
    if palette:
        parts.append(f"Colour palette: {palette}.")
    if style.get("promptSuffix"):
        parts.append(str(style["promptSuffix"]))
    if brief.negative_prompt:
        parts.append(f"Avoid: {brief.negative_prompt}.")
    return " ".join(parts)


def scene_layers(*, job: Any, brief: Any, concept: Any, sizes: tuple[str, ...],
                 brand_colors: dict[str, str]) -> Layered:
    """Provider backdrops for every size of the concept, or an empty ``Layered`` when the local
    engine paints them. Raises a provider error only under ``PROVIDER_MEDIA_FAILURE=fail``."""
    model = image_model_for(brief=brief, in_situ=concept.in_situ)
    if model is None:
        return Layered()
    try:
        resolution = registry.resolve(model, IMAGE_GENERATE, workspace=job.workspace)
    except ModelUnavailable as exc:
        # Accepted while its provider was on; it is off now (configuration, workspace switch).
        return _fallback(model=model, error=exc)
    if resolution.provider is None:
        return Layered()
    prompt = scene_prompt(brief=brief, concept=concept, brand_colors=brand_colors)
    context = CallContext(job_id=job.pk, workspace_id=job.workspace_id)
    layered = Layered(report={"model": model, "provider": resolution.provider,
                              "served_by": resolution.served_by, "prompt": prompt,
                              "sizes": {}})
    try:
        for aspect in sizes:
            width, height = catalogue.ASPECT_SIZES[aspect]
            result = resolution.adapter.generate(prompt=prompt, width=width, height=height,
                                                 model=resolution.served_by, context=context)
            expected = resolution.adapter.expected_size(width=width, height=height)
            checked = checked_image(result.content, provider=resolution.provider,
                                    width=expected[0], height=expected[1])
            layered.backdrops[aspect] = checked.content
            layered.report["sizes"][aspect] = [checked.width, checked.height]
    except PROVIDER_FAILURES as exc:
        return _fallback(model=model, error=exc, provider=resolution.provider)
    return layered


def _fallback(*, model: str, error: Exception, provider: str | None = None) -> Layered:
    if fail_on_provider_error():
        raise error
    found = registry.route(model)
    local = (found.local if found is not None and found.local else "local-image")
    return Layered(report={"model": model, "provider": provider or (found.provider if found
                                                                     else ""),
                           "served_by": local, "fallback": str(error)},
                   fallback_model=local)


# --------------------------------------------------------------------------------- motion
@dataclass(frozen=True)
class Motion:
    """A video brief served by a hosted video model."""

    model: str
    provider: str
    adapter: Any


def video_provider_for(*, job: Any, brief: Any) -> Motion | Layered | None:
    """The hosted video model serving the brief's model; ``Layered`` with the local stand-in
    when its provider failed to be available (fallback policy); None for the local engine."""
    if not brief.model:
        return None
    found = registry.route(brief.model)
    if found is None or found.capability != IMAGE_TO_VIDEO:
        return None
    try:
        resolution = registry.resolve(brief.model, IMAGE_TO_VIDEO, workspace=job.workspace)
    except ModelUnavailable as exc:
        return _video_fallback(model=brief.model, error=exc)
    if resolution.provider is None:
        return None
    return Motion(model=brief.model, provider=resolution.provider, adapter=resolution.adapter)


def _video_fallback(*, model: str, error: Exception) -> Layered:
    if fail_on_provider_error():
        raise error
    found = registry.route(model)
    local = found.local if found is not None and found.local else "local-motion"
    return Layered(report={"model": model, "provider": found.provider if found else "",
                           "served_by": local, "fallback": str(error)}, fallback_model=local)


def animate(*, motion: Motion, job: Any, first: bytes, prompt: str, duration: float,
            aspect: str, last: bytes | None = None) -> tuple[Any, dict[str, Any]]:
    """The provider's clip of ``first`` (towards ``last``) as a checked video and its report.
    Raises the provider's error; the caller applies the failure policy."""
    context = CallContext(job_id=job.pk, workspace_id=job.workspace_id)
    result = motion.adapter.animate(first=first, last=last, prompt=prompt,
                                    duration=duration, model=motion.model,
                                    aspect_ratio=aspect, context=context)
    checked = checked_video(result.content, provider=motion.provider, duration=duration)
    return checked, {"model": motion.model, "provider": motion.provider,
                     "duration": checked.duration, "size": [checked.width, checked.height]}


def local_stand_in(*, brief: Any, model: str) -> Any:
    """The brief as the local model that stands in for ``model`` would price it."""
    return dataclasses.replace(brief, model=model)
