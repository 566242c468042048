"""videotok requests onto our briefs: resolve the catalogue entry, the brand kit and the
aspect, check every input before anything is written, then fetch the reference images and
submit one job per generation in one transaction (all of the batch or none of it).

A generation is a Job; its videotok id (a UUID), batch and resolved choices live in
``Job.metadata["videotok"]``. Each generation is debited on its own, so a failed one is
refunded alone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date

from django.db import transaction

from api.surfaces.videotok import catalogue as vt
from brands.models import Brand
from brands.selectors import default_brand_for
from generations import ugc
from generations.briefs import DEFAULT_DURATION, AdBrief, validate_brief
from generations.errors import InvalidRequest
from generations.models import AdFormat, Job, Surface, Upload
from generations.providers import registry as providers
from generations.services import Submission, submit_jobs, upload_create_from_url
from generations.ugc import presenter_resolve
from studio.exceptions import NotFound
from studio.models import Workspace

METADATA_KEY = "videotok"
LANGUAGES = {"english": "en", "spanish": "es", "french": "fr", "german": "de",
             "italian": "it", "portuguese": "pt", "dutch": "nl"}


@dataclass(frozen=True)
class Batch:
    submissions: list[Submission]
    aspect_ratio: str

    @property
    def jobs(self) -> list[Job]:
        return [s.job for s in self.submissions]

    @property
    def credits(self) -> int:
        return sum(job.credits_charged for job in self.jobs)

    @property
    def balance_after(self) -> int:
        return min(s.credits_balance_after for s in self.submissions)


def _bad(message: str, *, field: str, reason: str = "invalid_request") -> InvalidRequest:
    return InvalidRequest(reason, message, field=field)


def _brand(*, workspace: Workspace, brand_kit_id: int | None) -> Brand | None:
    if brand_kit_id is None:
        return default_brand_for(workspace)
    brand = Brand.objects.filter(workspace=workspace, pk=brand_kit_id).first()
    if brand is None:
        raise NotFound(f"Brand kit {brand_kit_id} does not exist in this workspace; GET "
                       "/api/v1/assets lists its brand kits.", code="brand_kit_not_found",
                       field="brand_kit_id")
    return brand


def _check_assets(data: dict, *, workspace: Workspace, what: str) -> None:
    """Presenters and saved reference inspirations outside UGC ads: an avatar that is not
    the workspace's (nor built in) is a 404 like any foreign id; a real one is refused, since
    only ``ugc_ad`` has a presenter. No inspirations exist yet (GET /assets lists none)."""
    if data.get("avatar_id"):
        presenter_resolve(workspace=workspace, avatar_id=data["avatar_id"])
        raise _bad(f"avatar_id is not supported by {what}: only ugc_ad videos have a "
                   "presenter.", field="avatar_id", reason="unsupported_input")
    _check_inspiration(data)


def _check_inspiration(data: dict) -> None:
    if data.get("custom_reference_inspiration_id"):
        raise NotFound(f"Reference inspiration {data['custom_reference_inspiration_id']} does "
                       "not exist in this workspace (GET /api/v1/assets).",
                       code="reference_inspiration_not_found",
                       field="custom_reference_inspiration_id")


def _refuse_unsupported(data: dict, fields: tuple[str, ...], what: str) -> None:
    for name in fields:
        if data.get(name):
            raise _bad(f"{name} is not supported by {what}; GET /api/v1/models lists each "
                       "entry's inputs.", field=name, reason="unsupported_input")


def _auto_aspect(*, brand: Brand | None, fmt: str, allowed: tuple[str, ...],
                 default: str) -> str:
    """``auto``: the aspect this brand ordered last for the same kind of output (a series
    stays in one size), else the template's designed default."""
    if brand is not None:
        recent = Job.objects.filter(brand=brand, format=fmt).order_by("-created_at")
        for request in recent.values_list("request", flat=True)[:20]:
            sizes = request.get("sizes") or []
            if len(sizes) == 1 and sizes[0] in allowed:
                return sizes[0]
    return default


def _aspect(data: dict, *, brand: Brand | None, fmt: str, default: str,
            allowed: tuple[str, ...] = vt.ASPECT_RATIOS) -> str:
    aspect = data.get("aspect_ratio", "auto")
    if aspect == "auto":
        return _auto_aspect(brand=brand, fmt=fmt, allowed=allowed, default=default)
    if aspect not in allowed:
        raise _bad(f"aspect_ratio must be one of {', '.join(allowed)} or auto here.",
                   field="aspect_ratio")
    return aspect


def _preset(data: dict) -> tuple[str, ...]:
    preset = data.get("preset_id")
    if not preset:
        return ()
    if preset not in {p["id"] for p in vt.presets()}:
        raise _bad(f"Unknown preset_id {preset!r}; GET /api/v1/models lists the presets.",
                   field="preset_id", reason="invalid_preset")
    return (preset,)


def _template_brief(data: dict, *, kind: str, brand: Brand | None) -> tuple[AdBrief, dict]:
    slug = data.get("template_slug") or ("product-shoot" if kind == "static_ad"
                                         else "motion-graphics")
    template = vt.template_for(kind, slug)
    section = "static_ads" if kind == "static_ad" else "video_ads"
    if template is None:
        raise _bad(f"Unknown template_slug {slug!r}; GET /api/v1/models lists {section}.",
                   field="template_slug", reason="invalid_template")
    styles = _preset(data)
    if kind == "static_ad":
        _refuse_unsupported(data, ("duration", "quality_tier", "source_video_url",
                                   "motion_video_url", "audio_url", "generate_audio"),
                            "static ads")
        resolution = data.get("resolution", vt.RESOLUTIONS[0])
        if resolution not in vt.RESOLUTIONS:
            raise _bad(f"resolution must be one of {', '.join(vt.RESOLUTIONS)}.",
                       field="resolution")
        fmt, duration, tier = AdFormat.STATIC, None, None
    else:
        _refuse_unsupported(data, ("resolution", "source_video_url", "motion_video_url",
                                   "audio_url", "generate_audio"), "video ads")
        tier = data.get("quality_tier", vt.QUALITY_TIERS[0])
        if tier not in vt.QUALITY_TIERS:
            raise _bad(f"quality_tier must be one of {', '.join(vt.QUALITY_TIERS)}.",
                       field="quality_tier")
        duration = data.get("duration", int(DEFAULT_DURATION))
        if duration not in vt.VIDEO_DURATIONS:
            raise _bad(f"duration must fit the {tier} tier: one of "
                       f"{', '.join(map(str, vt.VIDEO_DURATIONS))} seconds.", field="duration")
        fmt = AdFormat.FULL
    aspect = _aspect(data, brand=brand, fmt=fmt, default=template.default_aspect_ratio)
    brief = AdBrief(format=fmt, templates=template.templates, sizes=(aspect,),
                    animation_prompts=template.animation_prompts, featured_styles=styles,
                    duration=float(duration or DEFAULT_DURATION),
                    prompt=data.get("prompt") or None, style_preset=styles[0] if styles else None)
    return brief, {"template_slug": slug, "quality_tier": tier, "duration": duration}


def _model_brief(data: dict, *, brand: Brand | None,
                 workspace: Workspace | None = None) -> tuple[AdBrief, dict]:
    slug = data.get("model_slug")
    if not slug:
        raise _bad("model_slug is required for ai_model; GET /api/v1/models lists ai_models.",
                   field="model_slug")
    model = vt.model_for(slug, workspace=workspace)
    if model is None:
        refusal = providers.unavailable(slug, workspace=workspace)
        if refusal is not None:
            raise _bad(refusal.message, field="model_slug", reason=refusal.code)
        raise _bad(f"Unknown model_slug {slug!r}; GET /api/v1/models lists the ai_models this "
                   "studio renders.", field="model_slug", reason="invalid_model")
    variant_id = data.get("variant_id") or model.variants[0].id
    variant = next((v for v in model.variants if v.id == variant_id), None)
    if variant is None:
        raise _bad(f"Unknown variant_id {variant_id!r} for {model.slug}; it has "
                   f"{', '.join(v.id for v in model.variants)}.", field="variant_id",
                   reason="invalid_variant")
    what = f"{model.slug} {variant.id}"
    _refuse_unsupported(data, ("template_slug", "quality_tier", "source_video_url",
                               "motion_video_url", "audio_url", "generate_audio"), what)
    if data.get("preset_id"):
        _refuse_unsupported(data, ("preset_id",), what)
    references = len(data.get("reference_image_urls") or [])
    low, high = variant.reference_images
    if not low <= references <= high:
        expected = f"exactly {low}" if low == high else f"{low} to {high}"
        raise _bad(f"{what} takes {expected} reference_image_urls (given {references}).",
                   field="reference_image_urls", reason="invalid_reference_images")
    aspect = _aspect(data, brand=brand, fmt=AdFormat.STATIC if variant.output == "image"
                     else AdFormat.FULL, default=variant.default_aspect_ratio)
    if variant.output == "image":
        _refuse_unsupported(data, ("duration",), what)
        resolution = data.get("resolution", vt.RESOLUTIONS[0])
        if resolution not in vt.RESOLUTIONS:
            raise _bad(f"resolution must be one of {', '.join(vt.RESOLUTIONS)}.",
                       field="resolution")
        brief = AdBrief(format=AdFormat.STATIC, templates=("plain-scene",), sizes=(aspect,),
                        prompt=data.get("prompt") or None, model=_routed(model.engine),
                        extra={"price": {"kind": "image", "model": model.engine}})
        duration = None
    else:
        _refuse_unsupported(data, ("resolution",), what)
        duration = data.get("duration", variant.durations[-1])
        if duration not in variant.durations:
            raise _bad(f"duration must be one of {', '.join(map(str, variant.durations))} "
                       f"seconds for {what}.", field="duration")
        brief = AdBrief(format=AdFormat.FULL, sizes=(aspect,), duration=float(duration),
                        prompt=data.get("prompt") or None, model=_routed(model.engine),
                        extra={"renderer": variant.renderer,
                               "price": {"kind": "video", "model": model.engine,
                                         "duration_seconds": duration}})
    return brief, {"model_slug": model.slug, "variant_id": variant.id, "duration": duration}


def _routed(engine: str) -> str | None:
    """The brief's model when a provider serves the engine (the pipeline then calls it);
    None for the local engine, whose outputs are priced by ``extra["price"]`` alone."""
    return engine if providers.route(engine) is not None else None


def create_generations(*, workspace: Workspace, data: dict, api_key_id: int | None,
                       request_id: str | None) -> Batch:
    """``request_count`` generations of one validated videotok request, or an error having
    changed nothing (no job, no debit, no stored reference image)."""
    kind = data["type"]
    if kind == "ugc_ad":
        return _create_ugc(workspace=workspace, data=data, api_key_id=api_key_id,
                           request_id=request_id)
    _check_assets(data, workspace=workspace, what=kind)
    brand = _brand(workspace=workspace, brand_kit_id=data.get("brand_kit_id"))
    if kind == "ai_model":
        brief, chosen = _model_brief(data, brand=brand, workspace=workspace)
    else:
        brief, chosen = _template_brief(data, kind=kind, brand=brand)
    brief = replace(brief, brand_id=brand.pk if brand else None)
    validate_brief(brief)
    count = data.get("request_count", 1)
    batch_id = str(uuid.uuid4())
    common = {"type": kind, "batch_id": batch_id, "request_count": count,
              "aspect_ratio": brief.sizes[0], "brand_kit_id": brief.brand_id, **chosen}
    metadata = [{METADATA_KEY: {**common, "id": str(uuid.uuid4()), "batch_index": index}}
                for index in range(count)]
    submissions = _submit_with_references(
        workspace=workspace, brief=brief, count=count, metadata=metadata,
        urls=data.get("reference_image_urls") or [], field="reference_image_urls",
        api_key_id=api_key_id, request_id=request_id)
    return Batch(submissions=submissions, aspect_ratio=brief.sizes[0])


def _create_ugc(*, workspace: Workspace, data: dict, api_key_id: int | None,
                request_id: str | None) -> Batch:
    """``ugc_ad``: a presenter video per generation (``generations.ugc``). Everything that
    needs no fetch is checked first; then the voice track (``audio_url``) and the product
    photos are fetched, and all of it is stored with the jobs or not at all."""
    _refuse_unsupported(data, ("resolution", "source_video_url", "motion_video_url",
                               "model_slug", "variant_id"), "UGC ads")
    _check_inspiration(data)
    presenter = ugc.presenter_resolve(workspace=workspace, avatar_id=data.get("avatar_id"))
    brand = _brand(workspace=workspace, brand_kit_id=data.get("brand_kit_id"))
    slug = data.get("template_slug") or ugc.TEMPLATES[0].slug
    tier = data.get("quality_tier", ugc.DEFAULT_TIER)
    audio_url = (data.get("audio_url") or "").strip()
    if audio_url and data.get("generate_audio"):
        raise _bad("Send audio_url (your voice track) or generate_audio (a synthesised "
                   "voice), not both.", field="generate_audio", reason="conflicting_inputs")
    requested = data.get("duration")
    aspect = _aspect(data, brand=brand, fmt=AdFormat.FULL, default="9:16",
                     allowed=ugc.ASPECT_RATIOS)
    styles = _preset(data)
    ugc.ugc_validate(template=slug, tier=tier,
                     duration=None if audio_url else (requested or ugc.DEFAULT_DURATION),
                     aspect=aspect, generate_audio=bool(data.get("generate_audio")),
                     workspace=workspace)
    count = data.get("request_count", 1)
    audio: Upload | None = None
    try:
        with transaction.atomic():
            duration: float = requested or ugc.DEFAULT_DURATION
            if audio_url:
                audio, length = ugc.audio_upload_create_from_url(
                    workspace=workspace, url=audio_url, max_seconds=ugc.max_seconds(tier))
                if requested and length > requested + 0.5:
                    raise _bad(f"The voice track is {length:.1f} s, longer than duration "
                               f"({requested} s): send a longer duration or a shorter track.",
                               field="audio_url", reason="audio_too_long")
                duration = round(length, 3)
            brief = ugc.ugc_brief(
                presenter=presenter, template=slug, tier=tier, duration=duration,
                aspect=aspect, prompt=data.get("prompt") or None,
                brand_id=brand.pk if brand else None, style=styles[0] if styles else None,
                generate_audio=bool(data.get("generate_audio")),
                audio_upload=audio.public_id if audio else None, workspace=workspace)
            validate_brief(brief)
            batch_id = str(uuid.uuid4())
            common = {"type": "ugc_ad", "batch_id": batch_id, "request_count": count,
                      "aspect_ratio": aspect, "brand_kit_id": brief.brand_id,
                      "template_slug": slug, "quality_tier": tier, "duration": duration,
                      "avatar_id": presenter.id}
            metadata = [{METADATA_KEY: {**common, "id": str(uuid.uuid4()),
                                        "batch_index": index}} for index in range(count)]
            submissions = _submit_with_references(
                workspace=workspace, brief=brief, count=count, metadata=metadata,
                urls=data.get("reference_image_urls") or [], field="reference_image_urls",
                api_key_id=api_key_id, request_id=request_id)
    except Exception:
        if audio is not None:
            audio.file.delete(save=False)
        raise
    return Batch(submissions=submissions, aspect_ratio=aspect)


def _submit_with_references(*, workspace: Workspace, brief: AdBrief, count: int,
                            metadata: list[dict], urls: list[str], field: str,
                            api_key_id: int | None, request_id: str | None,
                            as_products: bool = False) -> list[Submission]:
    """Fetch the referenced images and submit the jobs, all in one transaction; the files of
    uploads stored before a refusal are deleted with it. The images are the brief's reference
    uploads, or (``as_products``) the product photos a slideshow shows."""
    stored: list[Upload] = []
    try:
        with transaction.atomic():
            for url in urls:
                stored.append(upload_create_from_url(workspace=workspace, url=url,
                                                     field=field))
            idents = [u.public_id for u in stored]
            with_refs = (replace(brief, extra={**brief.extra, "product_uploads": idents})
                         if as_products else replace(brief, reference_uploads=tuple(idents)))
            return submit_jobs(workspace=workspace, briefs=[with_refs] * count,
                               metadata=metadata, surface=Surface.VIDEOTOK,
                               api_key_id=api_key_id, request_id=request_id)
    except Exception:
        for upload in stored:
            upload.file.delete(save=False)
        raise


def create_slideshow(*, workspace: Workspace, data: dict, api_key_id: int | None,
                     request_id: str | None) -> Submission:
    """One slideshow job: ``slide_count`` statics joined by transitions into an MP4, priced
    per slide by ``billing.pricing``."""
    if data.get("avatar_image_url"):
        raise _bad("avatar_image_url is not supported: slides show the brand's products, no "
                   "presenter.", field="avatar_image_url", reason="unsupported_input")
    _check_assets(data, workspace=workspace, what="slideshows")
    brand = _brand(workspace=workspace, brand_kit_id=data.get("brand_kit_id"))
    language = (data.get("language") or "").strip()
    code = LANGUAGES.get(language.casefold(), language.casefold())
    if language and brand is not None and code.split("-")[0] != \
            (brand.language or "en").split("-")[0].casefold():
        raise _bad(f"language {language!r} differs from the brand kit's language "
                   f"({brand.language!r}); slide copy is written in the brand kit's language.",
                   field="language", reason="unsupported_language")
    slides = data["slide_count"]
    prompt = "\n\n".join(part for part in (data.get("prompt"), data.get("product_context"))
                         if part) or None
    brief = AdBrief(format=AdFormat.FULL, brand_id=brand.pk if brand else None,
                    templates=("product-hero",), sizes=(data.get("aspect_ratio", "9:16"),),
                    prompt=prompt,
                    extra={"renderer": "slideshow", "slide_count": slides,
                           "text_overlays": data.get("generate_text_overlays", False),
                           "price": {"kind": "slideshow", "count": slides}})
    validate_brief(brief)
    title = data.get("title") or f"Slide {date.today():%d/%m/%y}"
    metadata = [{METADATA_KEY: {"type": "slideshow", "slideshow_id": str(uuid.uuid4()),
                                "title": title, "slide_count": slides,
                                "aspect_ratio": brief.sizes[0],
                                "brand_kit_id": brief.brand_id}}]
    return _submit_with_references(
        workspace=workspace, brief=brief, count=1, metadata=metadata,
        urls=data.get("product_image_urls") or [], field="product_image_urls",
        api_key_id=api_key_id, request_id=request_id, as_products=True)[0]
