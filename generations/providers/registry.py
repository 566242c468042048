"""Which implementation serves each model id and capability: the local engine, or a provider.

Two tables, both data:

- ``ADAPTERS[capability]``: provider name (a key of ``settings.PROVIDERS``) -> dotted path of
  the adapter class, constructed as ``cls(client=ProviderClient(name))``.
- ``ROUTES``: model ids the references promise that a provider serves. ``local`` names the
  local model that serves the id while its provider is off (the reference's example ids keep
  working with no keys); ``local=None`` means only the provider can, so the id is listed
  unavailable and refused with ``ModelUnavailable`` (a 4xx, nothing charged).

A provider is used when it is configured (``settings.PROVIDERS[name]["enabled"]``) and, if it
bills per call (``paid``), the workspace allows paid providers (``Workspace.
allow_paid_providers``). The catalogue's own local models (``local-image``, ``local-motion``,
``local-transition``) are always available.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from . import base
from .base import ModelUnavailable

# --------------------------------------------------------------------------- adapter tables
# One line per adapter, so branches that add adapters touch different lines.
ADAPTERS: dict[str, dict[str, str]] = {
    base.COPY: {
        "chat": "generations.providers.chat.ChatCopywriter",
    },
    base.BRAND_READING: {
        "chat": "generations.providers.chat.ChatBrandReader",
    },
    base.IMAGE_GENERATE: {
        "openai_images": "generations.providers.openai_images.OpenAIImages",
        "gemini": "generations.providers.gemini.GeminiImages",
    },
    base.IMAGE_EDIT: {
        "openai_images": "generations.providers.openai_images.OpenAIImages",
        "gemini": "generations.providers.gemini.GeminiImages",
    },
    base.IMAGE_TO_VIDEO: {
        "video_queue": "generations.providers.video_queue.VideoQueue",
    },
    base.SPEECH: {
        "speech": "generations.providers.speech.OpenAISpeech",
    },
    base.MODERATION: {
        "moderation": "generations.providers.moderation.OpenAIModerator",
    },
}

# The UGC script writer of each copy provider: a script is copy, so the provider that writes a
# job's ad copy writes its scripts, under the same rules (calls recorded as ``copy``).
SCRIPT_WRITERS: dict[str, str] = {
    "chat": "generations.providers.chat.ChatScriptWriter",
}

KIND_OF_CAPABILITY = {base.IMAGE_GENERATE: "image", base.IMAGE_EDIT: "image",
                      base.IMAGE_TO_VIDEO: "video", base.SPEECH: "speech", base.COPY: "text",
                      base.BRAND_READING: "text", base.MODERATION: "moderation"}


@dataclass(frozen=True)
class Route:
    model_id: str
    capability: str
    provider: str  # a key of settings.PROVIDERS
    display_name: str
    local: str | None = None  # the local model serving the id while the provider is off
    provider_model: str = ""  # the id sent to the provider; empty: the provider's MODEL setting
    capabilities: tuple[str, ...] = ()  # the catalogue's capability words for models endpoints


# --------------------------------------------------------------------------- model routes
ROUTES: tuple[Route, ...] = (
    Route("nano-banana-2", base.IMAGE_GENERATE, "gemini", "Nano Banana 2", local="local-image",
          provider_model="gemini-2.5-flash-image",
          capabilities=("text-to-ad", "image-to-ad", "in-situ")),
    Route("gemini-2.5-flash-image", base.IMAGE_GENERATE, "gemini", "Gemini 2.5 Flash Image",
          provider_model="gemini-2.5-flash-image",
          capabilities=("text-to-ad", "image-to-ad", "in-situ")),
    Route("gpt-image-1", base.IMAGE_GENERATE, "openai_images", "GPT Image 1",
          provider_model="gpt-image-1", capabilities=("text-to-ad", "image-to-ad", "in-situ")),
    Route("kling-v3-pro", base.IMAGE_TO_VIDEO, "video_queue", "Kling v3 Pro",
          local="local-motion", capabilities=("image-to-video",)),
    Route("veo", base.IMAGE_TO_VIDEO, "video_queue", "Veo (first/last frame)",
          local="local-transition", capabilities=("first-last-frame",)),
    Route("hosted-video", base.IMAGE_TO_VIDEO, "video_queue", "Hosted video model",
          capabilities=("image-to-video",)),
)


@dataclass(frozen=True)
class Resolution:
    """What serves a request for ``model_id``: ``provider`` None means the local engine (its
    model is ``served_by``); otherwise ``adapter`` is the adapter instance to call."""

    model_id: str
    capability: str
    served_by: str
    provider: str | None = None
    adapter: Any = None


# --------------------------------------------------------------------------- queries
def provider_enabled(name: str) -> bool:
    return bool(settings.PROVIDERS.get(name, {}).get("enabled"))


def provider_allowed(name: str, *, workspace: Any = None) -> bool:
    """Configured, and not a paid provider for a workspace that forbids those."""
    config = settings.PROVIDERS.get(name)
    if not config or not config.get("enabled"):
        return False
    if config.get("paid") and workspace is not None:
        return bool(getattr(workspace, "allow_paid_providers", True))
    return True


def refusal(name: str, *, workspace: Any = None) -> str:
    """Why provider ``name`` is not used, for the error a caller sees."""
    if not provider_enabled(name):
        return "its provider is not configured on this server"
    if not provider_allowed(name, workspace=workspace):
        return "this workspace does not allow paid model providers"
    return ""


def adapter(capability: str, *, workspace: Any = None, provider: str | None = None,
            **options: Any) -> Any:
    """An adapter instance for ``capability`` (the first allowed provider in the table, or
    ``provider``), built as ``cls(client=ProviderClient(name), **options)``; None when no
    provider is configured and allowed: the caller uses the local implementation."""
    return _first_allowed(ADAPTERS.get(capability, {}), workspace=workspace,
                          provider=provider, **options)


def _first_allowed(table: dict[str, str], *, workspace: Any = None,
                   provider: str | None = None, **options: Any) -> Any:
    from .http import ProviderClient

    for name, path in table.items():
        if provider is not None and name != provider:
            continue
        if provider_allowed(name, workspace=workspace):
            return import_string(path)(client=ProviderClient(name), **options)
    return None


def copy_writer(*, workspace: Any = None, context: base.CallContext = base.NO_CONTEXT) -> Any:
    """The copy provider for a job: a chat adapter when one is configured and allowed, else
    None (``write_copy`` then uses the local copywriter)."""
    return adapter(base.COPY, workspace=workspace, context=context)


def script_writer(*, workspace: Any = None,
                  context: base.CallContext = base.NO_CONTEXT) -> Any:
    """The UGC ``ScriptWriter`` for a job: the chat provider's when it is configured and
    allowed for ``workspace``, else None (``write_script`` then uses the local writer)."""
    return _first_allowed(SCRIPT_WRITERS, workspace=workspace, context=context)


def moderator(*, workspace: Any = None, context: base.CallContext = base.NO_CONTEXT) -> Any:
    """The moderation adapter, or None: there is no local moderation model."""
    return adapter(base.MODERATION, workspace=workspace, context=context)


def brand_voice_describer(*, workspace: Any = None) -> Any:
    """A ``(texts, *, language, name) -> dict`` describer for the brand scrape (tone of voice,
    value props, audience) backed by the brand-reading adapter; None when there is none."""
    reader = adapter(base.BRAND_READING, workspace=workspace)
    if reader is None:
        return None

    def describe(texts: list[str], *, language: str, name: str) -> dict:
        found = reader.read(text="\n".join(texts), brand_name=name, language=language)
        return {"tone_of_voice": found.tone, "value_props": list(found.value_props),
                "audience": found.audience}

    return describe


def route(model_id: str) -> Route | None:
    return next((r for r in ROUTES if r.model_id == model_id), None)


def _local_models() -> dict[str, dict]:
    from generations.selectors import model_registry

    return {model["id"]: model for model in model_registry()}


def resolve(model_id: str, capability: str, *, workspace: Any = None) -> Resolution:
    """Who serves ``model_id`` for ``capability`` now. Raises ``ModelUnavailable`` (400,
    code ``model_unavailable``) for an id only an off or forbidden provider serves, and for an
    id nobody serves (code ``unknown_model``)."""
    local = _local_models()
    if model_id in local:
        return Resolution(model_id=model_id, capability=capability, served_by=model_id)
    found = route(model_id)
    if found is None:
        raise ModelUnavailable(f"Unknown model {model_id!r}.", code="unknown_model",
                               field="model")
    if provider_allowed(found.provider, workspace=workspace):
        instance = adapter(capability, workspace=workspace, provider=found.provider)
        if instance is not None:
            return Resolution(model_id=model_id, capability=capability,
                              served_by=found.provider_model or
                              settings.PROVIDERS[found.provider].get("model", model_id),
                              provider=found.provider, adapter=instance)
    if found.local is not None:
        return Resolution(model_id=model_id, capability=capability, served_by=found.local)
    raise ModelUnavailable(
        f"The model {model_id!r} is not available: "
        f"{refusal(found.provider, workspace=workspace) or 'it cannot do this'}.",
        field="model", details={"model": model_id, "provider": found.provider})


def unavailable(model_id: str, *, workspace: Any = None) -> ModelUnavailable | None:
    """The refusal for a reference id that only an off (or, for this workspace, forbidden)
    provider serves; None for ids the registry does not route or can serve now. Surfaces
    raise it (or its message in their own error type) instead of "unknown model"."""
    found = route(model_id)
    if found is None:
        return None
    try:
        resolve(model_id, found.capability, workspace=workspace)
    except ModelUnavailable as exc:
        return exc
    return None


def available_models(*, kind: str | None = None, workspace: Any = None) -> list[dict]:
    """Every model the registry knows, as models endpoints list them: the catalogue's local
    models, then the routed ids, each with ``available`` (may be asked for now), ``provider``
    (``local`` or the provider serving it now or, when unavailable, the one it needs) and
    ``servedBy``."""
    from billing import pricing

    local = _local_models()
    out = [{**model, "available": True, "servedBy": model["id"]} for model in local.values()
           if kind is None or model["kind"] == kind]
    for r in ROUTES:
        route_kind = KIND_OF_CAPABILITY[r.capability]
        if kind is not None and route_kind != kind:
            continue
        template = dict(local.get(r.local or "", {}))
        uses_provider = (provider_allowed(r.provider, workspace=workspace)
                         and r.provider in ADAPTERS.get(r.capability, {}))
        entry = {**template, "id": r.model_id, "displayName": r.display_name,
                 "kind": route_kind, "capabilities": list(r.capabilities
                                                          or template.get("capabilities", [])),
                 "provider": r.provider if uses_provider or r.local is None else "local",
                 "available": uses_provider or r.local is not None,
                 "servedBy": (r.provider_model or r.model_id) if uses_provider
                 else (r.local or ""),
                 **pricing.model_credits(model_id=r.model_id if uses_provider or not r.local
                                         else r.local, kind=route_kind)}
        entry.setdefault("estimatedSeconds", 30 if route_kind == "video" else 10)
        entry.setdefault("supportsImageInput", True)
        entry.setdefault("maxWidth", 2048)
        entry.setdefault("maxHeight", 2048)
        entry.setdefault("durations", [5, 10] if route_kind == "video" else [])
        if not entry["available"]:
            entry["unavailableReason"] = refusal(r.provider, workspace=workspace)
        out.append(entry)
    return out
