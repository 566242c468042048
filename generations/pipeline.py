"""The worker side of a job: plan → render each concept → finish, plus the sweeper.

Every step claims its work with a conditional update, so a redelivered task (acks are late, a
killed worker's task comes back) never plans, renders or charges twice. Concepts that fail are
refunded their share; a job whose concepts all fail is refunded in full and marked failed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError, connections, transaction
from django.db.models import Count, F, Q, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from billing import services as ledger
from billing.services import account_for_workspace
from generations import catalogue, events
from generations.briefs import AdBrief, concept_credits
from generations.inputs import (
    brand_spec_for,
    product_spec_for,
    products_for_generation,
    reference_image_for,
    upload_bytes,
)
from generations.models import (
    Asset,
    Concept,
    ConceptStatus,
    Job,
    JobStatus,
)
from generations.planner import PlannedProduct, plan_concepts
from generations.providers import layers
from generations.providers import registry as providers
from generations.providers import speech as speech_providers
from generations.providers.base import CallContext, ProviderError, ProviderUnavailable
from generations.providers.layers import PROVIDER_FAILURES, Layered
from generations.render import (
    BrandSpec,
    ConceptSpec,
    Copy,
    ProductSpec,
    RenderedFile,
    RenderFailed,
    render_concept,
    render_transition,
    ugc,
    write_copy,
)
from generations.render.report import concept_report, refused_report
from generations.render.slideshow import render_slideshow
from generations.render.ugc import voice as ugc_voice
from studio.leases import Heartbeat, lease_expiry

logger = logging.getLogger(__name__)

PLANNED_PROGRESS = 10  # planning done; rendering fills the rest up to 100
MAX_CONCEPT_ATTEMPTS = 3
# A render reports progress and looks for a cancel at most this often (at step boundaries).
CHECKPOINT_SECONDS = 0.2

# Keys of ``AdBrief.extra`` the render honours (the inference surface sets them):
# ``scenes``: one concept per size, every concept the same ad (the first plan) in its own size;
# ``copy``: headline/body/cta/badge that replace the planned copy ("" leaves the block out);
# ``product_upload`` / ``logo_upload``: Upload public ids drawn as the product image / logo;
# ``background_color``: a hex colour painted as the brand's background colour.
COPY_OVERRIDES = ("headline", "body", "cta", "badge")


class RenderCancelled(Exception):
    """The job was cancelled while one of its concepts was rendering."""


def _now():
    return timezone.now()


# ---------------------------------------------------------------------------------------------
# Plan
# ---------------------------------------------------------------------------------------------
def _lease_seconds() -> float:
    return float(settings.STUDIO_RENDER_LEASE_SECONDS)


def _heartbeat_interval() -> float:
    """Several beats fit in one lease, so a slow beat or a short database outage is covered."""
    return max(_lease_seconds() / 5, 0.2)


def plan(*, job_id: int) -> list[int]:
    """Claim a queued job, write its concepts and return their ids to render.

    A planning job is held by ``updated_at``, kept fresh by a heartbeat; a redelivery finds
    it either fresh (a live worker plans it: do nothing) or stale (its worker died: take over).
    """
    now = _now()
    stale = now - timedelta(seconds=_lease_seconds())
    claimed = Job.objects.filter(
        Q(status=JobStatus.QUEUED) | Q(status=JobStatus.PROCESSING, updated_at__lt=stale),
        pk=job_id,
    ).update(status=JobStatus.PROCESSING, stage="writing copy", started_at=now,
             attempts=F("attempts") + 1, updated_at=now)
    if claimed != 1:
        return []  # cancelled, finished, or planned by a live worker

    def beat() -> bool:
        return Job.objects.filter(pk=job_id, status=JobStatus.PROCESSING).update(
            updated_at=_now()) == 1

    job = Job.objects.select_related("brand").get(pk=job_id)
    with Heartbeat(beat, interval=_heartbeat_interval(), name=f"plan-{job_id}"):
        if not job.concepts.exists():
            _write_concepts(job)
    Job.objects.filter(pk=job_id, status=JobStatus.PROCESSING).update(
        status=JobStatus.RENDERING, stage="rendering", progress=PLANNED_PROGRESS,
        updated_at=_now(),
    )
    return list(job.concepts.filter(status=ConceptStatus.PENDING).values_list("pk", flat=True))


def _write_concepts(job: Job) -> None:
    brief = AdBrief.from_json(job.request)
    brand_spec = brand_spec_for(job.brand, include_logo=False)
    products = [PlannedProduct(id=product.pk, spec=product_spec_for(product, include_image=False))
                for product in products_for_generation(job.brand, product_ids=brief.product_ids)]
    seed = int(hashlib.sha256(job.public_id.encode()).hexdigest()[:6], 16) % 1000
    writer = _copy_writer(job)
    if brief.extra.get("scenes"):
        first = plan_concepts(brief=dataclasses.replace(brief, count=1), brand=brand_spec,
                              products=products, seed=seed, copy_writer=writer)[0]
        planned = [dataclasses.replace(first, index=index) for index in range(brief.count)]
    else:
        planned = plan_concepts(brief=brief, brand=brand_spec, products=products, seed=seed,
                                copy_writer=writer)
    overrides = {key: value for key, value in (brief.extra.get("copy") or {}).items()
                 if key in COPY_OVERRIDES}
    share = concept_credits(brief)
    with transaction.atomic():
        Concept.objects.bulk_create([
            Concept(
                job=job, index=p.index, product_id=p.product.id, product_name=p.product.spec.name,
                copy_angle=p.copy_angle, headline=overrides.get("headline", p.headline),
                body=overrides.get("body", p.body), cta=overrides.get("cta", p.cta),
                badge=overrides.get("badge", ""),
                template_slug=p.template_slug, style_id=p.style_id,
                animation_prompt=p.animation_prompt, in_situ=brief.in_situ, seed=p.seed,
                credits=share, copy_source=p.copy_source, copy_fallback=p.copy_fallback,
            )
            for p in planned
        ])


def _copy_writer(job: Job):
    """The job's copy provider: the configured chat model when the workspace may use it, else
    None (the local copywriter). Calls are recorded against the job."""
    return providers.copy_writer(workspace=job.workspace,
                                 context=CallContext(job_id=job.pk,
                                                     workspace_id=job.workspace_id))


# ---------------------------------------------------------------------------------------------
# Render
# ---------------------------------------------------------------------------------------------
def render(*, concept_id: int) -> None:
    """Render one concept's files and store them; then finish the job if it was the last."""
    now = _now()
    # Pending, or rendering under a lease its holder stopped renewing (the worker died): a
    # redelivered or re-published task takes it over. Each claim is a new attempt, and only
    # the holder of the current attempt may store files.
    claimed = Concept.objects.filter(
        Q(status=ConceptStatus.PENDING)
        | Q(status=ConceptStatus.RENDERING, lease_until__lt=now,
            attempts__lt=MAX_CONCEPT_ATTEMPTS),
        pk=concept_id, job__status=JobStatus.RENDERING,
    ).update(status=ConceptStatus.RENDERING, attempts=F("attempts") + 1,
             lease_until=lease_expiry(_lease_seconds(), now=now), updated_at=now)
    if claimed != 1:
        return  # rendered, failed, or held by a live worker
    concept = Concept.objects.select_related("job", "job__brand", "product").get(pk=concept_id)
    attempt = concept.attempts
    _update_progress(concept.job_id)

    def beat() -> bool:
        return Concept.objects.filter(
            pk=concept_id, status=ConceptStatus.RENDERING, attempts=attempt,
        ).update(lease_until=lease_expiry(_lease_seconds())) == 1

    with Heartbeat(beat, interval=_heartbeat_interval(), name=f"concept-{concept_id}"):
        _render_and_store(concept=concept, attempt=attempt)


def _render_and_store(*, concept: Concept, attempt: int) -> None:
    concept_id = concept.pk
    job = concept.job
    brief = AdBrief.from_json(job.request)
    started = time.perf_counter()
    layered = Layered()
    try:
        renderer = brief.extra.get("renderer")
        if renderer:
            files, layered = render_special(renderer, concept=concept, brief=brief)
        else:
            files, layered = _render_ad(concept=concept, brief=brief)
    except RenderCancelled:
        return  # cancel_job closed and refunded the concept; nothing is stored
    except PROVIDER_FAILURES as exc:
        # Only under PROVIDER_MEDIA_FAILURE=fail; the fallback policy rendered locally.
        fail_concept(concept_id=concept_id, code="provider_failed", attempt=attempt,
                     message=f"The model provider failed: {exc}")
        return
    except RenderFailed as exc:
        Concept.objects.filter(pk=concept_id).update(render_report=refused_report(
            concept=_concept_spec(concept), gate_report=exc.gate_report))
        fail_concept(concept_id=concept_id, code="render_quality_gate", attempt=attempt,
                     message=f"The render did not pass its quality gates: {exc}")
        return
    except Exception as exc:
        logger.exception("Concept %s failed to render", concept_id)
        fail_concept(concept_id=concept_id, code="render_failed", attempt=attempt,
                     message=f"{type(exc).__name__}: {exc}")
        return
    if brief.extra.get("content_moderation"):
        refusal = _output_refusal(job=job, files=files)
        if refusal is not None:
            code, message = refusal
            fail_concept(concept_id=concept_id, code=code, attempt=attempt, message=message)
            return
    if layered.fallback_model and brief.model:
        # Refunded before the files land, so the job's terminal event already counts it.
        _refund_stand_in(concept=concept, attempt=attempt, brief=brief, layered=layered)
    stored: list[str] = []
    try:
        _store_assets(concept=concept, attempt=attempt, files=files,
                      seconds=time.perf_counter() - started, stored=stored)
    except (OperationalError, InterfaceError):
        _delete_files(stored)
        raise  # the database went away: the task retries and this attempt's lease runs out
    except Exception as exc:
        # Not worth retrying (a constraint, a full disk, a storage error): fail the concept
        # now with what happened, and leave no file behind.
        logger.exception("Concept %s could not store its files", concept_id)
        _delete_files(stored)
        fail_concept(concept_id=concept_id, code="storage_failed", attempt=attempt,
                     message=f"The rendered files could not be stored: "
                     f"{type(exc).__name__}: {exc}")
        return
    if layered.report:
        _record_layers(concept=concept, attempt=attempt, layered=layered)
    finish_if_done(job_id=job.pk)


def _render_ad(*, concept: Concept, brief: AdBrief) -> tuple[list[RenderedFile], Layered]:
    """The local engine's ad, with a provider's scenes under it and a provider's motion on it
    when the brief's model is served by one (see ``generations.providers.layers``)."""
    job = concept.job
    brand = _brand_spec(job=job, brief=brief)
    sizes = _concept_sizes(concept=concept, brief=brief)
    checkpoint = _render_checkpoint(job_id=job.pk, concept_id=concept.pk)
    motion = layers.video_provider_for(job=job, brief=brief) if brief.video else None
    layered = layers.scene_layers(job=job, brief=brief, concept=concept, sizes=sizes,
                                  brand_colors=brand.colors)
    if isinstance(motion, Layered):
        layered = motion  # the hosted video model is off: the local motion engine stands in
        motion = None
    arguments = {"brand": brand, "product": _product_spec(concept=concept, brief=brief),
                 "concept": _concept_spec(concept), "sizes": sizes, "duration": brief.duration,
                 "bgm": brief.bgm, "checkpoint": checkpoint,
                 "backdrops": layered.backdrops or None}
    if motion is None:
        return render_concept(video=brief.video, **arguments), layered
    statics = render_concept(video=False, **arguments)
    try:
        videos = []
        for aspect in sizes:
            still = next(f for f in statics if f.aspect == aspect and f.mime == "image/png")
            poster = next((f.content for f in statics
                           if f.aspect == aspect and f.mime == "image/jpeg"), None)
            clip, report = layers.animate(
                motion=motion, job=job, first=still.content, duration=brief.duration,
                prompt=_motion_prompt(concept=concept, brief=brief), aspect=aspect)
            videos.append(RenderedFile(kind="video", aspect=aspect, width=clip.width,
                                       height=clip.height, duration=clip.duration,
                                       content=clip.content, mime="video/mp4",
                                       extension="mp4", gate_report=still.gate_report,
                                       poster=poster))
            layered.report.setdefault("motion", {})[aspect] = report
    except PROVIDER_FAILURES as exc:
        if layers.fail_on_provider_error():
            raise
        found = providers.route(motion.model)
        local = found.local if found is not None and found.local else "local-motion"
        layered.report["motion"] = {"model": motion.model, "provider": motion.provider,
                                    "served_by": local, "fallback": str(exc)}
        layered.fallback_model = local
        return render_concept(video=True, **arguments), layered
    return statics + videos, layered


def _motion_prompt(*, concept: Concept, brief: AdBrief) -> str:
    """The brief's own motion prompt, else the concept's animation prompt's words for AI video
    models."""
    if brief.prompt:
        return brief.prompt
    try:
        return str(catalogue.animation_prompt_by_name(concept.animation_prompt)["prompt"])
    except (catalogue.CatalogueError, KeyError):
        return f"A slow, smooth camera move around {concept.product_name}."


def _refund_stand_in(*, concept: Concept, attempt: int, brief: AdBrief,
                     layered: Layered) -> None:
    """The local engine stood in for a provider's model: refund the price difference and
    lower the concept's share by it, so a later failure refunds only what is left (once per
    attempt: the refund's reference names it)."""
    stand_in = concept_credits(layers.local_stand_in(brief=brief, model=layered.fallback_model))
    with transaction.atomic():
        locked = Concept.objects.select_for_update().get(pk=concept.pk)
        if locked.attempts != attempt or locked.status != ConceptStatus.RENDERING:
            return
        refund = max(locked.credits - stand_in, 0)
        if refund:
            refunded = refund_job_share(job=locked.job, credits=refund,
                                        reason=f"concept-{locked.public_id}-{attempt}-stand-in")
            Concept.objects.filter(pk=locked.pk).update(credits=F("credits") - refunded)
            layered.report["refunded_credits"] = refunded


def _record_layers(*, concept: Concept, attempt: int, layered: Layered) -> None:
    """Write what the providers did (and any stand-in refund) into the concept's report."""
    with transaction.atomic():
        locked = Concept.objects.select_for_update().get(pk=concept.pk)
        if locked.attempts != attempt:
            return
        report = dict(locked.render_report or {})
        report["providers"] = layered.report
        Concept.objects.filter(pk=locked.pk).update(render_report=report)


def _output_refusal(*, job: Job, files: list[RenderedFile]) -> tuple[str, str] | None:
    """(code, message) when a rendered image of a moderated job may not ship, else None. An
    output that fails is left out (its share refunded), as Bria documents; one that cannot be
    checked is not shipped either: the caller asked for moderated output only."""
    moderator = providers.moderator(workspace=job.workspace,
                                    context=CallContext(job_id=job.pk,
                                                        workspace_id=job.workspace_id))
    if moderator is None:
        return ("content_moderation_unavailable",
                "Content moderation is no longer configured; the output was not shipped.")
    seen: set[str] = set()
    for file in files:
        if file.kind != "static" or file.aspect in seen:
            continue  # one image per size: the other formats are the same picture
        seen.add(file.aspect)
        try:
            result = moderator.moderate(image=file.content)
        except (ProviderError, ProviderUnavailable) as exc:
            return ("content_moderation_unavailable",
                    f"The output could not be checked by content moderation: {exc.message}")
        if result.flagged:
            return ("content_moderation_failed",
                    "The generated ad did not pass content moderation "
                    f"({', '.join(result.categories) or 'flagged'}).")
    return None


RENDERERS = ("slideshow", "transition", "ugc")


def render_special(renderer: str, *, concept: Concept, brief: AdBrief
                   ) -> tuple[list[RenderedFile], Layered]:
    """A concept rendered by one of the engine's other outputs (``brief.extra["renderer"]``):

    - ``slideshow``: ``extra["slide_count"]`` statics in a row as one MP4
      (``extra["text_overlays"]``); ``extra["product_uploads"]``, when given, are the product
      photos the slides show in turn.
    - ``transition``: the first two reference uploads as the first and last frame of a clip
      (by a hosted first-frame/last-frame model when the brief's model is served by one).
    - ``ugc``: a presenter video (``extra["ugc"]``, see ``generations.ugc``), spoken by the
      speech provider when it asks for generated audio.

    Returns the files and what providers added to them.
    """
    job = concept.job
    if renderer == "ugc":
        return [_render_ugc(concept=concept, brief=brief)], Layered()
    if renderer == "transition":
        uploads = _uploads(job=job, public_ids=brief.reference_uploads[:2])
        motion = layers.video_provider_for(job=job, brief=brief)
        layered = motion if isinstance(motion, Layered) else Layered()
        if isinstance(motion, layers.Motion):
            try:
                clip, report = layers.animate(motion=motion, job=job, first=uploads[0],
                                              last=uploads[1], duration=brief.duration,
                                              prompt=brief.prompt or "A smooth transition "
                                              "from the first frame to the last.",
                                              aspect=brief.sizes[0])
                return [RenderedFile(kind="video", aspect=brief.sizes[0], width=clip.width,
                                     height=clip.height, duration=clip.duration,
                                     content=clip.content, mime="video/mp4",
                                     extension="mp4")], Layered(report=report)
            except PROVIDER_FAILURES as exc:
                if layers.fail_on_provider_error():
                    raise
                layered = Layered(report={"model": motion.model, "provider": motion.provider,
                                          "served_by": "local-transition",
                                          "fallback": str(exc)},
                                  fallback_model="local-transition")
        return [render_transition(first=uploads[0], last=uploads[1], size=brief.sizes[0],
                                  duration=brief.duration)], layered
    if renderer == "slideshow":
        products = [product_spec_for(product, include_image=True)
                    for product in products_for_generation(job.brand,
                                                           product_ids=brief.product_ids)]
        uploads = _uploads(job=job, public_ids=brief.extra.get("product_uploads", []))
        if uploads:
            named = products or [product_spec_for(None, include_image=False,
                                                  fallback_name=concept.product_name)]
            products = [replace(named[i % len(named)], image=image)
                        for i, image in enumerate(uploads)]
        return [render_slideshow(
            brand=brand_spec_for(job.brand, include_logo=True), products=products,
            first=_concept_spec(concept), slide_count=int(brief.extra["slide_count"]),
            aspect=brief.sizes[0], text_overlays=bool(brief.extra.get("text_overlays")))
        ], Layered()
    raise ValueError(f"unknown renderer {renderer!r}")


def _render_ugc(*, concept: Concept, brief: AdBrief) -> RenderedFile:
    job = concept.job
    options = brief.extra["ugc"]
    avatar = options["avatar"]
    photo = None
    if avatar.get("upload"):
        photo = _uploads(job=job, public_ids=[avatar["upload"]])[0]
    aspect = brief.sizes[0]
    face = tuple(avatar["face"]) if avatar.get("face") else None
    presenter = ugc.presenter_for(avatar_id=avatar.get("builtin"), photo=photo, aspect=aspect,
                                  scale=float(options.get("scale", 1.0)), face=face)
    voice = None
    if options.get("audio_upload"):
        track = _uploads(job=job, public_ids=[options["audio_upload"]])[0]
        voice = ugc_voice.decode_audio(track, max_seconds=ugc.MAX_SECONDS)
    brand = _brand_spec(job=job, brief=brief)
    product = _product_spec(concept=concept, brief=brief)
    writer = providers.script_writer(workspace=job.workspace,
                                     context=CallContext(job_id=job.pk,
                                                         workspace_id=job.workspace_id))
    script = ugc.write_script(brand=brand, product=product, prompt=brief.prompt or "",
                              duration=voice.duration if voice else brief.duration,
                              template=options["template"], seed=concept.seed, writer=writer)
    # The job page and every surface show a concept's headline and body: for a presenter
    # video those are the hook it opens on and what it says about the product; who wrote
    # them is who wrote the script.
    Concept.objects.filter(pk=concept.pk).update(
        headline=script.section("hook")[:200] or concept.headline,
        body=script.section("product")[:400] or concept.body,
        copy_source=script.source[:80], copy_fallback=script.fallback[:300])
    if voice is None and options.get("generate_audio"):
        params = catalogue.avatar_by_id(avatar["builtin"]) if avatar.get("builtin") else {}
        voice = _spoken_script(job=job, text=script.text, voice=params.get("voice", ""),
                               language=script.language)
    return ugc.render_ugc_video(
        brand=brand, product=product, concept=_concept_spec(concept), presenter=presenter,
        duration=brief.duration, aspect=aspect, voice=voice, script=script,
        scale=float(options.get("scale", 1.0)),
        step=_render_checkpoint(job_id=job.pk, concept_id=concept.pk))


def _spoken_script(*, job: Job, text: str, voice: str,
                   language: str) -> ugc_voice.Voiceover | None:
    """The script spoken by the speech provider. When it fails, the video is captioned and
    silent (``PROVIDER_MEDIA_FAILURE=fallback``; generated audio is priced like a silent
    video, so nothing is refunded) or the concept fails (``fail``)."""
    try:
        spoken = speech_providers.synthesize_speech(
            text=text, voice=voice, language=language, workspace=job.workspace,
            context=CallContext(job_id=job.pk, workspace_id=job.workspace_id))
        return ugc_voice.decode_audio(spoken.audio, max_seconds=ugc.MAX_SECONDS,
                                      source="synthesized")
    except (*PROVIDER_FAILURES, ugc_voice.AudioRefused):
        if layers.fail_on_provider_error():
            raise
        return None


def _uploads(*, job: Job, public_ids) -> list[bytes]:
    """The files of the job's workspace's uploads, in order (a missing one fails the render)."""
    files = [upload_bytes(workspace_id=job.workspace_id, public_id=ident)
             for ident in public_ids]
    if any(content is None for content in files):
        raise ValueError("a reference upload of this job no longer exists")
    return [content for content in files if content is not None]


def _concept_sizes(*, concept: Concept, brief: AdBrief) -> tuple[str, ...]:
    if brief.extra.get("scenes"):
        return (brief.sizes[concept.index],)
    return brief.sizes


def _brand_spec(*, job: Job, brief: AdBrief) -> BrandSpec:
    spec = brand_spec_for(job.brand, include_logo=True)
    logo = upload_bytes(workspace_id=job.workspace_id, public_id=brief.extra.get("logo_upload"))
    background = brief.extra.get("background_color")
    if logo is None and not background:
        return spec
    return dataclasses.replace(
        spec, logo=logo or spec.logo,
        colors={**spec.colors, **({"background": background} if background else {})})


def _product_spec(*, concept: Concept, brief: AdBrief) -> ProductSpec:
    spec = (product_spec_for(concept.product, include_image=True) if concept.product
            else product_spec_for(None, include_image=False, fallback_name=concept.product_name))
    image = upload_bytes(workspace_id=concept.job.workspace_id,
                         public_id=brief.extra.get("product_upload"))
    if image is None:
        # A reference image the caller sent is the product shot it wants in the ad.
        image = reference_image_for(workspace_id=concept.job.workspace_id,
                                    upload_ids=brief.reference_uploads, index=concept.index)
    return dataclasses.replace(spec, image=image) if image is not None else spec


def _render_checkpoint(*, job_id: int, concept_id: int) -> Callable[[int, int], None]:
    """Called at every frame/encode boundary of a render: reports the concept's share of the
    job's progress and stops the render (RenderCancelled) once the job was cancelled.

    Video frames arrive from encoder threads; each has its own database connection, closed
    after use. The cancel test is positive (the job row says cancelled), so a thread that
    cannot see the row never stops a render by mistake.
    """
    owner = threading.current_thread()
    lock = threading.Lock()
    last_check = [0.0]

    def checkpoint(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last_check[0] < CHECKPOINT_SECONDS or not lock.acquire(blocking=False):
            return
        try:
            last_check[0] = now
            if Job.objects.filter(pk=job_id, status=JobStatus.CANCELLED).exists():
                raise RenderCancelled()
            _report_progress(job_id=job_id, concept_id=concept_id,
                             fraction=done / max(total, 1))
        finally:
            lock.release()
            if threading.current_thread() is not owner:
                connections.close_all()  # this thread's connections only

    return checkpoint


def _report_progress(*, job_id: int, concept_id: int, fraction: float) -> None:
    counts = Concept.objects.filter(job_id=job_id).aggregate(
        total=Count("pk"), done=Count("pk", filter=Q(
            status__in=[ConceptStatus.COMPLETED, ConceptStatus.FAILED]) & ~Q(pk=concept_id)))
    share = (counts["done"] + min(fraction, 1.0)) / max(counts["total"], 1)
    progress = min(PLANNED_PROGRESS + int((100 - PLANNED_PROGRESS) * share), 99)
    Job.objects.filter(pk=job_id, status=JobStatus.RENDERING).update(
        progress=Greatest(F("progress"), Value(progress)), updated_at=_now())


def _concept_spec(concept: Concept) -> ConceptSpec:
    return ConceptSpec(
        template_slug=concept.template_slug, style_id=concept.style_id,
        animation_prompt=concept.animation_prompt, copy_angle=concept.copy_angle,
        headline=concept.headline, body=concept.body, cta=concept.cta,
        badge=concept.badge or None, in_situ=concept.in_situ, seed=concept.seed,
    )


def _delete_files(names: list[str]) -> None:
    storage = Asset._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except Exception:
            logger.warning("Could not delete %s", name, exc_info=True)


def _store_assets(*, concept: Concept, attempt: int, files, seconds: float,
                  stored: list[str]) -> None:
    """Save the files and their rows; ``stored`` collects every file written, so a caller can
    remove them when the transaction does not commit."""
    with transaction.atomic():
        locked = Concept.objects.select_for_update().get(pk=concept.pk)
        if locked.status != ConceptStatus.RENDERING or locked.attempts != attempt:
            return  # this attempt lost its lease; another one owns the concept now
        for rendered in files:
            name = (f"{concept.index + 1:02d}-{concept.public_id}-"
                    f"{rendered.aspect.replace(':', 'x')}.{rendered.extension}")
            asset = Asset(
                job=concept.job, concept=concept, kind=rendered.kind, aspect=rendered.aspect,
                width=rendered.width, height=rendered.height, duration=rendered.duration,
                mime_type=rendered.mime, size_bytes=len(rendered.content),
                checksum=hashlib.sha256(rendered.content).hexdigest(),
            )
            asset.file.save(name, ContentFile(rendered.content), save=False)
            stored.append(asset.file.name)
            if rendered.poster:
                asset.poster.save(name.rsplit(".", 1)[0] + "-poster.jpg",
                                  ContentFile(rendered.poster), save=False)
                stored.append(asset.poster.name)
            asset.save()
        locked.status = ConceptStatus.COMPLETED
        locked.lease_until = None
        locked.render_seconds = round(seconds, 3)
        locked.render_report = concept_report(concept=_concept_spec(locked), files=files)
        locked.save(update_fields=["status", "lease_until", "render_seconds", "render_report",
                                   "updated_at"])
        _update_progress(concept.job_id)


def _update_progress(job_id: int) -> None:
    concepts = list(Concept.objects.filter(job_id=job_id).values_list("status", flat=True))
    done = sum(status in (ConceptStatus.COMPLETED, ConceptStatus.FAILED) for status in concepts)
    # A concept a worker has started counts as a third done, so the bar moves when rendering
    # starts instead of standing still until the first concept lands.
    started = sum(status == ConceptStatus.RENDERING for status in concepts)
    share = (done + started / 3) / max(len(concepts), 1)
    progress = PLANNED_PROGRESS + int((100 - PLANNED_PROGRESS) * share)
    # Never backwards: a render's own checkpoints may have reported more already.
    Job.objects.filter(pk=job_id, status=JobStatus.RENDERING).update(
        progress=Greatest(F("progress"), Value(min(progress, 99))),
        stage=f"rendered {done} of {len(concepts)}",
        updated_at=_now(),
    )


def fail_concept(*, concept_id: int, code: str, message: str, attempt: int | None = None) -> None:
    """Fail an open concept (only ``attempt``'s, when given) and finish its job if it was the
    last one open."""
    open_concept = Concept.objects.filter(
        pk=concept_id, status__in=[ConceptStatus.PENDING, ConceptStatus.RENDERING])
    if attempt is not None:
        open_concept = open_concept.filter(attempts=attempt)
    with transaction.atomic():
        updated = open_concept.update(status=ConceptStatus.FAILED, error_code=code,
                                      error_message=message[:2000], lease_until=None,
                                      updated_at=_now())
        if updated:
            concept = Concept.objects.get(pk=concept_id)
            _update_progress(concept.job_id)
    if updated:
        finish_if_done(job_id=concept.job_id)


# ---------------------------------------------------------------------------------------------
# Finish
# ---------------------------------------------------------------------------------------------
def emit_finished(job_id: int) -> None:
    """Inside the transaction that made the job terminal: ``job_terminal`` receivers write
    their rows (the webhook outbox) atomically with it; ``job_finished`` follows the commit."""
    events.job_terminal.send(sender=Job, job_id=job_id)
    transaction.on_commit(lambda: events.job_finished.send(sender=Job, job_id=job_id))


def refund_job_share(*, job: Job, credits: int, reason: str) -> int:
    """Refund up to ``credits`` of the job's charge (never more than it paid in all)."""
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        credits = min(credits, locked.credits_charged - locked.credits_refunded)
        if credits <= 0:
            return 0
        ledger.refund(
            account=account_for_workspace(locked.workspace), credits=credits,
            reference=f"job:{locked.public_id}:refund:{reason}", job_id=locked.public_id,
            memo=f"Refund for {reason}",
        )
        Job.objects.filter(pk=locked.pk).update(
            credits_refunded=F("credits_refunded") + credits, updated_at=_now()
        )
    return credits


def finish_if_done(*, job_id: int) -> None:
    """Close the job once every concept is terminal: refund failures and emit the event."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.status != JobStatus.RENDERING:
            return
        concepts = list(job.concepts.all())
        if any(c.status in (ConceptStatus.PENDING, ConceptStatus.RENDERING) for c in concepts):
            return
        failed = [c for c in concepts if c.status == ConceptStatus.FAILED]
        for concept in failed:
            if not concept.refunded:
                refund_job_share(job=job, credits=concept.credits,
                                 reason=f"concept-{concept.public_id}-{concept.attempts}")
                Concept.objects.filter(pk=concept.pk).update(refunded=True)
        job.refresh_from_db()
        if len(failed) == len(concepts):
            job.status = JobStatus.FAILED
            job.stage = "failed"
            job.error_code = failed[0].error_code or "render_failed"
            job.error_message = failed[0].error_message
        else:
            job.status = JobStatus.COMPLETED
            job.stage = "completed" if not failed else f"completed, {len(failed)} failed"
            if failed:
                job.error_code = "partial_failure"
                job.error_message = (f"{len(failed)} of {len(concepts)} concepts failed and "
                                     "were refunded.")
        job.progress = 100
        job.finished_at = _now()
        job.save(update_fields=["status", "stage", "error_code", "error_message", "progress",
                                "finished_at", "updated_at"])
        emit_finished(job_id)


def fail_job(*, job_id: int, code: str, message: str) -> None:
    """Give up on a job that is not finished: its open concepts fail and it is refunded."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.is_terminal:
            return
        Concept.objects.filter(
            job=job, status__in=[ConceptStatus.PENDING, ConceptStatus.RENDERING]
        ).update(status=ConceptStatus.FAILED, error_code=code, error_message=message,
                 lease_until=None, updated_at=_now())
        if not job.concepts.exists() or job.status in (JobStatus.QUEUED, JobStatus.PROCESSING):
            refund_job_share(job=job, credits=job.credits_charged, reason="failed")
            Job.objects.filter(pk=job_id).update(
                status=JobStatus.FAILED, stage="failed", error_code=code, error_message=message,
                progress=100, finished_at=_now(), updated_at=_now(),
            )
            emit_finished(job_id)
            return
    finish_if_done(job_id=job_id)


# ---------------------------------------------------------------------------------------------
# Regenerate one concept
# ---------------------------------------------------------------------------------------------
def regenerate(*, concept: Concept) -> Concept:
    """Queue a fresh render of one finished concept (new copy, same template and style), charged
    at the concept's price. The job goes back to rendering until it lands."""
    job = concept.job
    # The copy is written before the transaction: a chat provider may take seconds, and no
    # row lock is held across an HTTP call.
    copy = _regenerated_copy(job=job, concept=Concept.objects.get(pk=concept.pk))
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk)
        concept = Concept.objects.select_for_update().get(pk=concept.pk)
        price = concept_credits(AdBrief.from_json(job.request))
        attempt = concept.attempts + 1
        ledger.debit(account=account_for_workspace(job.workspace), credits=price,
                     reference=f"job:{job.public_id}:regenerate:{concept.index}:{attempt}",
                     job_id=job.public_id, memo=f"Regenerate concept {concept.index + 1}")
        old_files = [name for asset in concept.assets.all()
                     for name in (asset.file.name, asset.poster.name) if name]
        concept.assets.all().delete()
        concept.headline, concept.body, concept.cta = copy.headline, copy.body, copy.cta
        concept.copy_source, concept.copy_fallback = copy.source, copy.fallback
        concept.status = ConceptStatus.PENDING
        concept.credits = price
        concept.refunded = False
        concept.seed = concept.seed + 7919 * attempt
        concept.error_code = concept.error_message = ""
        concept.save()
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.RENDERING, stage=f"regenerating concept {concept.index + 1}",
            credits_charged=F("credits_charged") + price, finished_at=None, updated_at=_now(),
        )
        storage = Asset._meta.get_field("file").storage
        transaction.on_commit(lambda: [storage.delete(name) for name in old_files])
        concept_id = concept.pk
        transaction.on_commit(lambda: events.concept_queued.send(sender=Concept,
                                                                 concept_id=concept_id))
    return concept


def _regenerated_copy(*, job: Job, concept: Concept) -> Copy:
    brand = brand_spec_for(job.brand, include_logo=False)
    product = (product_spec_for(concept.product, include_image=False) if concept.product
               else product_spec_for(None, include_image=False,
                                     fallback_name=concept.product_name))
    taken = set(job.concepts.values_list("headline", flat=True))
    return write_copy(brand=brand, product=product, angle=concept.copy_angle,
                      template_slug=concept.template_slug, avoid_headlines=taken,
                      seed=concept.seed + 7919 * (concept.attempts + 1),
                      provider=_copy_writer(job))


# ---------------------------------------------------------------------------------------------
# Sweeper
# ---------------------------------------------------------------------------------------------
def requeue_job(*, job_id: int, now=None, idle_before=None) -> bool:
    """Claim a queued or planning job and publish it again; False when someone else moved it.

    The one claim the sweeper and the admin "retry" action share: the conditional update means
    two of them racing publish the job once. ``idle_before`` limits the claim to a job left
    untouched since then (the sweeper's staleness rule); the operator retries at once.
    """
    now = now or _now()
    claim = Job.objects.filter(pk=job_id, status__in=[JobStatus.QUEUED, JobStatus.PROCESSING])
    if idle_before is not None:
        claim = claim.filter(updated_at__lt=idle_before)
    if not claim.update(status=JobStatus.QUEUED, updated_at=now):
        return False
    events.job_queued.send(sender=Job, job_id=job_id)
    return True


def sweep(*, now=None) -> dict[str, int]:
    """Find jobs a worker lost and move them on: re-publish, hand to another worker, or fail
    and refund. Every worker runs it every few seconds (``studio.worker``), and beat too.
    Each move is a conditional update, so sweepers running at once do not double up."""
    now = now or _now()
    idle_before = now - timedelta(seconds=settings.STUDIO_QUEUED_STALE_SECONDS)
    counts = {"republished": 0, "requeued": 0, "failed": 0}
    for found in (_sweep_unplanned_jobs(now=now, idle_before=idle_before),
                  _sweep_expired_leases(now=now),
                  _sweep_lost_renders(now=now, idle_before=idle_before),
                  _sweep_overdue_jobs(now=now)):
        for key, count in found.items():
            counts[key] += count
    return counts


def _sweep_unplanned_jobs(*, now, idle_before) -> dict[str, int]:
    """Queued jobs whose task was lost, and jobs whose planning worker died (its heartbeat
    stopped refreshing ``updated_at`` for a lease): publish again, or fail after attempts."""
    counts = {"republished": 0, "failed": 0}
    plan_stale = now - timedelta(seconds=_lease_seconds())
    idle = Job.objects.filter(
        Q(status=JobStatus.QUEUED, updated_at__lt=idle_before)
        | Q(status=JobStatus.PROCESSING, updated_at__lt=plan_stale))
    for job_id, status, attempts in idle.values_list("pk", "status", "attempts"):
        stale_before = plan_stale if status == JobStatus.PROCESSING else idle_before
        if status == JobStatus.PROCESSING and attempts >= MAX_CONCEPT_ATTEMPTS:
            fail_job(job_id=job_id, code="orchestration_failed",
                     message="Planning failed repeatedly; the job was refunded.")
            counts["failed"] += 1
        elif requeue_job(job_id=job_id, now=now, idle_before=stale_before):
            counts["republished"] += 1
    return counts


def _sweep_expired_leases(*, now) -> dict[str, int]:
    """Renders whose worker lease ran out: hand to another worker, or fail after attempts."""
    counts = {"requeued": 0, "failed": 0}
    expired = Concept.objects.filter(status=ConceptStatus.RENDERING, lease_until__lt=now)
    for concept_id, attempts in expired.values_list("pk", "attempts"):
        if attempts >= MAX_CONCEPT_ATTEMPTS:
            fail_concept(concept_id=concept_id, code="render_timeout",
                         message="The render did not finish after several attempts.")
            counts["failed"] += 1
        elif Concept.objects.filter(pk=concept_id, status=ConceptStatus.RENDERING,
                                    lease_until__lt=now).update(
                status=ConceptStatus.PENDING, lease_until=None, updated_at=now):
            events.concept_queued.send(sender=Concept, concept_id=concept_id)
            counts["requeued"] += 1
    return counts


def _sweep_lost_renders(*, now, idle_before) -> dict[str, int]:
    """Pending concepts whose render task was lost (published before a broker restart)."""
    requeued = 0
    lost = Concept.objects.filter(status=ConceptStatus.PENDING,
                                  job__status=JobStatus.RENDERING, updated_at__lt=idle_before)
    for concept_id in lost.values_list("pk", flat=True):
        if Concept.objects.filter(pk=concept_id, status=ConceptStatus.PENDING,
                                  updated_at__lt=idle_before).update(updated_at=now):
            events.concept_queued.send(sender=Concept, concept_id=concept_id)
            requeued += 1
    return {"requeued": requeued}


def _sweep_overdue_jobs(*, now) -> dict[str, int]:
    """Jobs past their hard deadline, whatever they are doing: failed and refunded."""
    deadline = now - timedelta(seconds=settings.STUDIO_JOB_DEADLINE_SECONDS)
    overdue = Job.objects.filter(
        status__in=[JobStatus.QUEUED, JobStatus.PROCESSING, JobStatus.RENDERING],
        created_at__lt=deadline,
    )
    failed = 0
    for job_id in overdue.values_list("pk", flat=True):
        fail_job(job_id=job_id, code="job_timeout",
                 message="The job did not finish within its time limit and was refunded.")
        failed += 1
    return {"failed": failed}
