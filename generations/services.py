"""Verbs of the generation pipeline: submit, cancel, regenerate, share, delete.

``submit_job`` is the one way work enters the system, for the studio pages, every API surface
and the CLI. It runs in one transaction (validate → brand state → price → debit → create job)
and hands the job to the queue after commit, so it answers in milliseconds.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from billing import services as ledger
from billing.services import account_for_workspace
from brands.models import Brand, Product
from brands.selectors import default_brand_for
from generations import events
from generations.briefs import AdBrief, brief_credits, validate_brief
from generations.errors import (
    BrandNotFound,
    BrandNotReady,
    InvalidRequest,
    JobNotCancellable,
    NoBrandSelected,
    OrchestrationFailed,
    ProductNotFound,
)
from generations.models import Concept, ConceptStatus, Job, JobStatus, Surface, Upload
from generations.pipeline import emit_finished, refund_job_share, regenerate
from generations.storage import storage_call
from generations.thumbnails import thumbnails_delete
from studio.celery import app as celery_app
from studio.exceptions import Conflict
from studio.images import check_image
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
                  field: str | None = None) -> Upload:
    """Store an image the workspace sent (checked by its content, never by its name)."""
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
