"""Verbs of the generation pipeline: submit, cancel, regenerate, share, delete.

``submit_job`` is the one way work enters the system, for the studio pages, every API surface
and the CLI. It runs in one transaction (validate → brand state → price → debit → create job)
and hands the job to the queue after commit, so it answers in milliseconds.
"""

from __future__ import annotations

import hashlib
import io
import logging
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from billing import services as ledger
from billing.exceptions import InsufficientCredits
from billing.services import account_for_workspace
from brands.models import Brand, Product
from brands.scrape.http import FetchedResponse, FetchFailed, OutboundRefused, safe_get
from brands.selectors import default_brand_for
from generations import catalogue, events
from generations.briefs import AdBrief, brief_credits, check_model, validate_brief
from generations.errors import (
    BrandNotFound,
    BrandNotReady,
    InvalidRequest,
    JobNotCancellable,
    NoBrandSelected,
    OrchestrationFailed,
    ProductNotFound,
)
from generations.models import (
    AdFormat,
    Concept,
    ConceptStatus,
    Job,
    JobStatus,
    Surface,
    Upload,
)
from generations.pipeline import emit_finished, refund_job_share, regenerate
from generations.search import relevant_matches
from generations.storage import storage_call
from generations.thumbnails import thumbnails_delete
from studio.celery import app as celery_app
from studio.exceptions import Conflict, NotFound
from studio.images import ImageRefused, check_image
from studio.media import content_type_for
from studio.models import Membership, User, Workspace
from studio.permissions import Action, authorize

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Submission:
    job: Job
    credits_balance_after: int
    replayed: bool = False


def _resolve_brand(*, workspace: Workspace, brand_id: int | None) -> Brand:
    if brand_id is None:
        brand = default_brand_for(workspace)
        if brand is None:
            raise NoBrandSelected(
                "This workspace has no default brand and no brand_id was given. Create a brand "
                "first."
            )
        return brand
    brand = Brand.objects.filter(workspace=workspace, pk=brand_id).first()
    if brand is None:
        raise BrandNotFound(f"Brand {brand_id} does not exist in this workspace.")
    return brand


def _check_products(*, brand: Brand, product_ids: tuple[int, ...]) -> None:
    if not product_ids:
        return
    found = set(Product.objects.filter(brand=brand, pk__in=product_ids).values_list("pk",
                                                                                    flat=True))
    missing = [str(pk) for pk in product_ids if pk not in found]
    if missing:
        raise ProductNotFound(f"Product(s) {', '.join(missing)} do not belong to this brand.")


def _check_reference_uploads(*, workspace: Workspace, public_ids: tuple[str, ...]) -> None:
    if not public_ids:
        return
    found = set(Upload.objects.filter(workspace=workspace, public_id__in=public_ids)
                .values_list("public_id", flat=True))
    missing = [ident for ident in public_ids if ident not in found]
    if missing:
        raise InvalidRequest("invalid_reference_images",
                             f"Upload(s) {', '.join(missing)} do not exist in this workspace.",
                             field="reference_images")


def upload_create(*, workspace: Workspace, content: bytes, original_name: str = "",
                  created_by: User | None = None, max_bytes: int | None = None,
                  field: str | None = None, formats: tuple[str, ...] | None = None) -> Upload:
    """Store an image the workspace sent (checked by its content, never by its name).
    ``formats`` (Pillow names: "PNG", "JPEG", "WEBP") narrows what is accepted."""
    if formats is not None:
        _check_image_format(content, formats=formats, max_bytes=max_bytes, field=field)
    checked = check_image(content, label="The image", max_bytes=max_bytes, field=field)
    name = f"image.{checked.extension}"
    upload = Upload(workspace=workspace, created_by=created_by,
                    original_name=original_name[:255], mime_type=content_type_for(name),
                    width=checked.width, height=checked.height,
                    size_bytes=len(checked.content),
                    checksum=hashlib.sha256(checked.content).hexdigest())
    with storage_call(action="stored"):
        upload.file.save(name, ContentFile(checked.content), save=False)
    upload.save()
    return upload


_FORMAT_NAMES = {"PNG": "PNG", "JPEG": "JPEG", "WEBP": "WebP", "GIF": "GIF"}


def _check_image_format(content: bytes, *, formats: tuple[str, ...], max_bytes: int | None,
                        field: str | None) -> None:
    """Refuse an image whose content (its header, not its name or declared type) is none of
    ``formats``. The size is checked first so the refusal names the real problem."""

    limit = max_bytes or settings.STUDIO_IMAGE_MAX_UPLOAD_BYTES
    if len(content) > limit:
        return  # check_image refuses it with the size in its message
    names = [_FORMAT_NAMES.get(name, name) for name in formats]
    listed = ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]
    refused = ImageRefused(f"The image must be a {listed} image (judged by its content).",
                           field=field)
    try:
        with Image.open(io.BytesIO(content)) as image:  # the header only
            detected = (image.format or "").upper()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError,
            Image.DecompressionBombError) as exc:
        raise refused from exc
    if detected not in formats:
        raise refused


BROKER_OK_SECONDS = 1.0
_broker_seen_ok: dict[str, float] = {}


def _broker_accepts_work() -> None:
    """Raise OrchestrationFailed unless the broker takes connections.

    Checked inside the submit transaction so a dead broker rolls back the debit and the job;
    the publish itself waits for commit (a worker must never see an uncommitted job). Should
    the publish still fail after commit, the job stays queued and the sweeper publishes it.
    """
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return
    # A fresh broker connection costs more than the rest of a submit, so a success is trusted
    # for a moment per process; a broker lost in that moment is the sweeper's case above.
    url = celery_app.conf.broker_write_url or celery_app.conf.broker_url
    if time.monotonic() - _broker_seen_ok.get(url, -BROKER_OK_SECONDS) < BROKER_OK_SECONDS:
        return
    try:
        with celery_app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0,
                                         timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT)
    except Exception as exc:
        _broker_seen_ok.pop(url, None)
        raise OrchestrationFailed(
            "The task queue is unreachable; nothing was charged. Retry with the same "
            "Idempotency-Key."
        ) from exc
    _broker_seen_ok[url] = time.monotonic()


def enqueue_job(job_id: int) -> None:
    """Publish the planning task; a failure leaves the job queued for the sweeper."""
    try:
        events.job_queued.send(sender=Job, job_id=job_id)
    except Exception:
        logger.exception("Could not publish job %s; the sweeper will retry", job_id)


def submit_job(
    *,
    workspace: Workspace,
    brief: AdBrief,
    surface: str = Surface.STUDIO,
    created_by: User | None = None,
    api_key_id: int | None = None,
    idempotency_key: str | None = None,
    correlation_id: str = "",
    metadata: dict | None = None,
    webhook_url: str = "",
    request_id: str | None = None,
) -> Submission:
    """Accept a brief: charge for it and queue it, or refuse it having changed nothing.

    Raises InvalidRequest, NoBrandSelected, BrandNotFound, ProductNotFound, BrandNotReady,
    billing's InsufficientCredits, OrchestrationFailed, or Conflict
    ``idempotency_key_mismatch`` when the key was used for a different brief.
    """
    validate_brief(brief)
    _check_webhook_url(webhook_url)
    brand = _resolve_brand(workspace=workspace, brand_id=brief.brand_id)
    if brand.status == Brand.Status.FAILED:
        raise BrandNotReady(
            f"Brand {brand.name!r} is not ready: its website scan failed. Fill in its Brand DNA "
            "by hand or scan another address, then try again.")
    if brand.status != Brand.Status.READY:
        raise BrandNotReady(
            f"Brand {brand.name!r} is still onboarding. Try again when its status is ready."
        )
    _check_products(brand=brand, product_ids=brief.product_ids)
    _check_reference_uploads(workspace=workspace, public_ids=brief.reference_uploads)
    if brief.model is not None:
        check_model(brief, workspace=workspace)  # this workspace may forbid paid providers
    credits = brief_credits(brief)
    brief = AdBrief.from_json({**brief.to_json(), "brand_id": brand.pk})

    try:
        with transaction.atomic():
            job = Job.objects.create(
                workspace=workspace, brand=brand, created_by=created_by, api_key_id=api_key_id,
                surface=surface, request=brief.to_json(), format=brief.format,
                count=brief.count, credits_charged=credits, idempotency_key=idempotency_key,
                correlation_id=correlation_id, metadata=metadata or {},
                webhook_url=webhook_url, **({"request_id": request_id} if request_id else {}),
            )
            entry = ledger.debit(
                account=account_for_workspace(workspace), credits=credits,
                reference=f"job:{job.public_id}", job_id=job.public_id,
                memo=f"{brief.count} × {brief.format} ad" + ("s" if brief.count > 1 else ""),
            )
            _broker_accepts_work()
            transaction.on_commit(lambda: enqueue_job(job.pk))
    except IntegrityError:
        if idempotency_key is None:
            raise
        # The same key raced us: answer with the job the other request created.
        job = Job.objects.get(workspace=workspace, surface=surface,
                              idempotency_key=idempotency_key)
        if job.request != brief.to_json() or job.webhook_url != webhook_url:
            raise Conflict(
                "This idempotency key was already used for a different request.",
                code="idempotency_key_mismatch", field="idempotency_key") from None
        return Submission(job=job, credits_balance_after=_balance(workspace), replayed=True)
    return Submission(job=job, credits_balance_after=entry.balance_after)


def submit_jobs(*, workspace: Workspace, briefs: list[AdBrief], metadata: list[dict],
                **options) -> list[Submission]:
    """Accept a batch of briefs as one job each, all or none: each job is debited on its own
    (so a failed one refunds only itself), and a refusal of any of them leaves nothing
    behind. Short of credits, the error names what the whole batch needs against the balance
    before it. ``options`` are ``submit_job``'s (without ``idempotency_key``: a batch is
    replayed by the surface's idempotency record, not per job)."""
    try:
        with transaction.atomic():
            return [submit_job(workspace=workspace, brief=brief, metadata=meta, **options)
                    for brief, meta in zip(briefs, metadata, strict=True)]
    except InsufficientCredits as short:
        raise InsufficientCredits(
            needed=sum(brief_credits(brief) for brief in briefs),
            balance=_balance(workspace), auto_recharge_error=short.auto_recharge_error,
        ) from short


REFERENCE_FETCH_SECONDS = 10.0


def fetch_request_url(*, url: str, code: str, field: str | None, max_bytes: int,
                      timeout: float) -> FetchedResponse:
    """A file a request points at, fetched through the SSRF-safe client; a URL that is not
    http(s), unreachable, refused or not a 200 is InvalidRequest ``code`` naming ``field``."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname or len(url) > 2000:
        raise InvalidRequest(code, f"{url!r} is not an http(s) URL of at most 2000 characters.",
                             field=field)
    try:
        response = safe_get(url, max_bytes=max_bytes, timeout=timeout)
    except (OutboundRefused, FetchFailed) as exc:
        raise InvalidRequest(code, f"Could not fetch {url}: {exc}.", field=field) from exc
    if response.status != 200:
        raise InvalidRequest(code, f"Fetching {url} answered HTTP {response.status}.",
                             field=field)
    return response


def upload_create_from_url(*, workspace: Workspace, url: str, field: str | None = None,
                           created_by: User | None = None) -> Upload:
    """Fetch an image the request points at (through the SSRF-safe client) and store it as an
    Upload; an unreachable, refused or non-image URL is InvalidRequest naming ``field``."""
    max_bytes = settings.STUDIO_IMAGE_MAX_UPLOAD_BYTES
    response = fetch_request_url(url=url, code="invalid_reference_images", field=field,
                                 max_bytes=max_bytes, timeout=REFERENCE_FETCH_SECONDS)
    return upload_create(workspace=workspace, content=response.content, created_by=created_by,
                         original_name=urlsplit(url).path.rsplit("/", 1)[-1],
                         max_bytes=max_bytes, field=field)


def submit_video_from_job(
    *,
    workspace: Workspace,
    source: Job,
    model: str,
    duration: float,
    prompt: str | None = None,
    negative_prompt: str | None = None,
    bgm: bool = False,
    surface: str = Surface.STUDIO,
    api_key_id: int | None = None,
    idempotency_key: str | None = None,
    request_id: str | None = None,
    extra: dict | None = None,
) -> Submission:
    """Animate the first rendered concept of a completed job: a new video job whose one concept
    is a copy of it (product, copy, template, style), so the MP4 is the same ad in motion,
    priced at the video model's rate. The motion is the animation prompt that best matches
    ``prompt``, else the concept's own. Raises InvalidRequest ``source_not_completed`` unless
    the source completed, and whatever ``submit_job`` raises.
    """
    if source.workspace_id != workspace.pk:
        raise NotFound("The source generation does not exist.", code="generation_not_found")
    concept = (source.concepts.filter(status=ConceptStatus.COMPLETED).order_by("index").first()
               if source.status == JobStatus.COMPLETED else None)
    if concept is None:
        raise InvalidRequest("source_not_completed",
                             "The source generation has not completed, so there is no image "
                             "to animate yet.", field="sourceGenerationId")
    source_brief = AdBrief.from_json(source.request)
    brief = AdBrief(
        count=1, format=AdFormat.FULL, brand_id=source.brand_id,
        product_ids=(concept.product_id,) if concept.product_id else (),
        copy_angle=concept.copy_angle, templates=(concept.template_slug,),
        featured_styles=(concept.style_id,), style_preset=concept.style_id,
        animation_prompts=(_animation_prompt_for(prompt, fallback=concept.animation_prompt or (
            catalogue.style_by_id(concept.style_id)["animation_prompt"])),),
        sizes=source_brief.sizes, duration=duration, bgm=bgm, prompt=prompt,
        negative_prompt=negative_prompt, model=model,
        extra={**(extra or {}), "source_job": source.public_id,
               "source_concept": concept.public_id},
    )
    with transaction.atomic():
        submission = submit_job(workspace=workspace, brief=brief, surface=surface,
                                api_key_id=api_key_id, idempotency_key=idempotency_key,
                                request_id=request_id)
        if not submission.replayed:
            # Written before the job is published (that waits for this commit), so planning
            # finds the concept and renders it instead of writing new copy.
            Concept.objects.create(
                job=submission.job, index=0, product_id=concept.product_id,
                product_name=concept.product_name, copy_angle=concept.copy_angle,
                headline=concept.headline, body=concept.body, cta=concept.cta,
                badge=concept.badge, template_slug=concept.template_slug,
                style_id=concept.style_id, animation_prompt=brief.animation_prompts[0],
                in_situ=concept.in_situ, seed=concept.seed,
                credits=submission.job.credits_charged)
    return submission


def _animation_prompt_for(prompt: str | None, *, fallback: str) -> str:
    """The animation prompt a free-text video prompt means, or ``fallback`` when it names
    none (the search refuses gibberish and weak matches)."""
    for match in relevant_matches(prompt or "", limit=8):
        if match.kind == "animation_prompt":
            return match.name
    return fallback


def _check_webhook_url(url: str) -> None:
    """Webhooks go to HTTPS endpoints (plain http only where loopback targets are allowed,
    i.e. development and tests)."""
    if not url:
        return
    parts = urlsplit(url)
    schemes = ("https", "http") if settings.STUDIO_OUTBOUND_ALLOW_LOOPBACK else ("https",)
    if parts.scheme not in schemes or not parts.hostname or len(url) > 2000:
        raise InvalidRequest("invalid_webhook_url",
                             "webhook_url must be an https:// URL of at most 2000 characters.",
                             field="webhook_url")


def job_release_idempotency_key(*, workspace: Workspace, surface: str, key: str) -> int:
    """Free an expired idempotency key so a new request may use it (the job keeps its row)."""
    return Job.objects.filter(workspace=workspace, surface=surface,
                              idempotency_key=key).update(idempotency_key=None)


def _balance(workspace: Workspace) -> int:
    return account_for_workspace(workspace).balance


@transaction.atomic
def cancel_job(*, job: Job, cancelled_by: User | None = None) -> Job:
    """Stop a job that has not finished. A queued job is refunded in full; a started one keeps
    the ads already rendered and is refunded the share of every ad not yet rendered (a worker
    still rendering one stops at its next frame boundary and stores nothing). The job's
    terminal event (its webhook) fires like any other ending."""
    # Concepts before the job: the order a rendering worker takes its locks in.
    open_concepts = list(Concept.objects.select_for_update().filter(
        job_id=job.pk, status__in=[ConceptStatus.PENDING, ConceptStatus.RENDERING]))
    locked = Job.objects.select_for_update().get(pk=job.pk)
    if locked.is_terminal:
        raise JobNotCancellable("This job has already finished, so there is nothing to cancel.")
    has_concepts = Concept.objects.filter(job_id=job.pk).exists()
    refund = (locked.credits_charged if not has_concepts
              else sum(concept.credits for concept in open_concepts if not concept.refunded))
    Concept.objects.filter(pk__in=[concept.pk for concept in open_concepts]).update(
        status=ConceptStatus.FAILED, error_code="cancelled", refunded=True, lease_until=None,
        error_message="Cancelled before it was rendered; its credits were refunded.",
        updated_at=timezone.now(),
    )
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.CANCELLED, stage="cancelled", finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
    locked.refresh_from_db()
    refund_job_share(job=locked, credits=refund, reason="cancelled")
    locked.refresh_from_db()
    emit_finished(locked.pk)
    return locked


@transaction.atomic
def regenerate_concept(*, concept: Concept) -> Concept:
    """Render one concept of a finished job again with fresh copy, charged at one concept's
    price (refunded like any concept if the new render fails)."""
    return regenerate(concept=concept)


def share_link_create(*, job: Job) -> str:
    if not job.share_token:
        job.share_token = secrets.token_urlsafe(24)
        job.save(update_fields=["share_token", "updated_at"])
    return job.share_token


def share_link_revoke(*, job: Job) -> None:
    job.share_token = None
    job.save(update_fields=["share_token", "updated_at"])


@transaction.atomic
def job_delete(*, job: Job, by: Membership | None) -> None:
    """Delete a finished job and its files.

    Files first: when the storage is down the delete is refused (StorageUnavailable) and the
    job stays. Deleting a missing object succeeds, so a retry after a partial failure
    finishes the work.
    """
    authorize(membership=by, workspace=job.workspace_id, action=Action.JOB_DELETE)
    if not job.is_terminal:
        raise JobNotCancellable("A job can be deleted once it has finished.")
    names = [field.name for asset in job.assets.all() for field in (asset.file, asset.poster)
             if field.name]
    storage = job.assets.model._meta.get_field("file").storage
    with storage_call(action="deleted"):
        for name in names:
            storage.delete(name)
        thumbnails_delete(job_public_id=job.public_id)
    job.delete()
