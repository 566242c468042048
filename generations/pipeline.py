"""The worker side of a job: plan → render each concept → finish, plus the sweeper.

Every step claims its work with a conditional update, so a redelivered task (acks are late, a
killed worker's task comes back) never plans, renders or charges twice. Concepts that fail are
refunded their share; a job whose concepts all fail is refunded in full and marked failed.
"""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from billing import services as ledger
from billing.selectors import account_for_workspace
from generations import events
from generations.briefs import AdBrief, brief_credits
from generations.inputs import brand_spec_for, product_spec_for, products_for_generation
from generations.models import (
    Asset,
    Concept,
    ConceptStatus,
    Job,
    JobStatus,
)
from generations.planner import PlannedProduct, plan_concepts
from generations.render import ConceptSpec, RenderFailed, render_concept

logger = logging.getLogger(__name__)

PLANNED_PROGRESS = 10  # planning done; rendering fills the rest up to 100
MAX_CONCEPT_ATTEMPTS = 3


def _now():
    return timezone.now()


# ---------------------------------------------------------------------------------------------
# Plan
# ---------------------------------------------------------------------------------------------
def plan(*, job_id: int) -> list[int]:
    """Claim a queued job, write its concepts and return their ids to render."""
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.PROCESSING, stage="writing copy", started_at=_now(),
        attempts=F("attempts") + 1, updated_at=_now(),
    )
    if claimed != 1:
        job = Job.objects.filter(pk=job_id).only("status").first()
        if job is None or job.status != JobStatus.PROCESSING:
            return []  # cancelled, finished or already planned by another delivery
        # A redelivery of a plan whose worker died: carry on from what is in the database.
    job = Job.objects.select_related("brand").get(pk=job_id)
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
    planned = plan_concepts(brief=brief, brand=brand_spec, products=products,
                            seed=int(hashlib.sha256(job.public_id.encode()).hexdigest()[:6], 16)
                            % 1000)
    share = job.credits_charged // job.count
    remainder = job.credits_charged - share * job.count
    with transaction.atomic():
        Concept.objects.bulk_create([
            Concept(
                job=job, index=p.index, product_id=p.product.id, product_name=p.product.spec.name,
                copy_angle=p.copy_angle, headline=p.headline, body=p.body, cta=p.cta,
                template_slug=p.template_slug, style_id=p.style_id,
                animation_prompt=p.animation_prompt, in_situ=brief.in_situ, seed=p.seed,
                credits=share + (remainder if p.index == 0 else 0),
            )
            for p in planned
        ])


# ---------------------------------------------------------------------------------------------
# Render
# ---------------------------------------------------------------------------------------------
def render(*, concept_id: int) -> None:
    """Render one concept's files and store them; then finish the job if it was the last."""
    lease = timedelta(seconds=settings.STUDIO_RENDER_LEASE_SECONDS)
    claimed = Concept.objects.filter(pk=concept_id, status=ConceptStatus.PENDING,
                                     job__status=JobStatus.RENDERING).update(
        status=ConceptStatus.RENDERING, attempts=F("attempts") + 1,
        lease_until=_now() + lease, updated_at=_now(),
    )
    if claimed != 1:
        return  # rendered, failed, or held by a live worker
    concept = Concept.objects.select_related("job", "job__brand", "product").get(pk=concept_id)
    job = concept.job
    brief = AdBrief.from_json(job.request)
    started = time.perf_counter()
    try:
        files = render_concept(
            brand=brand_spec_for(job.brand, include_logo=True),
            product=(product_spec_for(concept.product, include_image=True) if concept.product
                     else product_spec_for(None, include_image=False,
                                           fallback_name=concept.product_name)),
            concept=ConceptSpec(
                template_slug=concept.template_slug, style_id=concept.style_id,
                animation_prompt=concept.animation_prompt, copy_angle=concept.copy_angle,
                headline=concept.headline, body=concept.body, cta=concept.cta,
                badge=concept.badge or None, in_situ=concept.in_situ, seed=concept.seed,
            ),
            sizes=brief.sizes, video=brief.video, duration=brief.duration, bgm=brief.bgm,
        )
    except RenderFailed as exc:
        fail_concept(concept_id=concept_id, code="render_quality_gate",
                     message=f"The render did not pass its quality gates: {exc}")
        return
    except Exception as exc:
        logger.exception("Concept %s failed to render", concept_id)
        fail_concept(concept_id=concept_id, code="render_failed",
                     message=f"{type(exc).__name__}: {exc}")
        return
    _store_assets(concept=concept, files=files, seconds=time.perf_counter() - started)
    finish_if_done(job_id=job.pk)


def _store_assets(*, concept: Concept, files, seconds: float) -> None:
    with transaction.atomic():
        locked = Concept.objects.select_for_update().get(pk=concept.pk)
        if locked.status != ConceptStatus.RENDERING:
            return  # the sweeper gave up on this attempt meanwhile
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
            asset.save()
        locked.status = ConceptStatus.COMPLETED
        locked.lease_until = None
        locked.render_seconds = round(seconds, 3)
        locked.save(update_fields=["status", "lease_until", "render_seconds", "updated_at"])
        _update_progress(concept.job_id)


def _update_progress(job_id: int) -> None:
    concepts = list(Concept.objects.filter(job_id=job_id).values_list("status", flat=True))
    done = sum(status in (ConceptStatus.COMPLETED, ConceptStatus.FAILED) for status in concepts)
    progress = PLANNED_PROGRESS + (100 - PLANNED_PROGRESS) * done // max(len(concepts), 1)
    Job.objects.filter(pk=job_id, status=JobStatus.RENDERING).update(
        progress=min(progress, 99), stage=f"rendered {done} of {len(concepts)}",
        updated_at=_now(),
    )


def fail_concept(*, concept_id: int, code: str, message: str) -> None:
    with transaction.atomic():
        updated = Concept.objects.filter(
            pk=concept_id, status__in=[ConceptStatus.PENDING, ConceptStatus.RENDERING]
        ).update(status=ConceptStatus.FAILED, error_code=code, error_message=message[:2000],
                 lease_until=None, updated_at=_now())
        if updated:
            concept = Concept.objects.get(pk=concept_id)
            _update_progress(concept.job_id)
    if updated:
        finish_if_done(job_id=concept.job_id)


# ---------------------------------------------------------------------------------------------
# Finish
# ---------------------------------------------------------------------------------------------
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
        transaction.on_commit(lambda: events.job_finished.send(sender=Job, job_id=job_id))


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
            transaction.on_commit(lambda: events.job_finished.send(sender=Job, job_id=job_id))
            return
    finish_if_done(job_id=job_id)


# ---------------------------------------------------------------------------------------------
# Regenerate one concept
# ---------------------------------------------------------------------------------------------
def regenerate(*, concept: Concept) -> Concept:
    """Queue a fresh render of one finished concept (new copy, same template and style), charged
    at the concept's price. The job goes back to rendering until it lands."""
    from generations.render import write_copy

    job = concept.job
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk)
        concept = Concept.objects.select_for_update().get(pk=concept.pk)
        price = brief_credits(AdBrief.from_json(job.request)) // job.count
        attempt = concept.attempts + 1
        ledger.debit(account=account_for_workspace(job.workspace), credits=price,
                     reference=f"job:{job.public_id}:regenerate:{concept.index}:{attempt}",
                     job_id=job.public_id, memo=f"Regenerate concept {concept.index + 1}")
        brand = brand_spec_for(job.brand, include_logo=False)
        product = (product_spec_for(concept.product, include_image=False) if concept.product
                   else product_spec_for(None, include_image=False,
                                         fallback_name=concept.product_name))
        taken = set(job.concepts.values_list("headline", flat=True))
        copy = write_copy(brand=brand, product=product, angle=concept.copy_angle,
                          template_slug=concept.template_slug, avoid_headlines=taken,
                          seed=concept.seed + 7919 * attempt)
        old_files = [asset.file.name for asset in concept.assets.all()]
        concept.assets.all().delete()
        concept.headline, concept.body, concept.cta = copy.headline, copy.body, copy.cta
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
        from generations import tasks

        transaction.on_commit(lambda: tasks.render_concept.delay(concept.pk))
    return concept


# ---------------------------------------------------------------------------------------------
# Sweeper
# ---------------------------------------------------------------------------------------------
def sweep(*, now=None) -> dict[str, int]:
    """Find jobs a worker lost and move them on: re-publish, hand to another worker, or fail
    and refund. Run periodically (celery beat; runstudio runs beat inside its worker)."""
    from generations import tasks

    now = now or _now()
    counts = {"republished": 0, "requeued": 0, "failed": 0}
    queued_stale = now - timedelta(seconds=settings.STUDIO_QUEUED_STALE_SECONDS)
    for job_id in Job.objects.filter(status=JobStatus.QUEUED,
                                     updated_at__lt=queued_stale).values_list("pk", flat=True):
        Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(updated_at=now)
        tasks.plan_job.delay(job_id)
        counts["republished"] += 1

    # A planning worker that died: planning is quick, so a job stuck in it is lost.
    for job_id in Job.objects.filter(status=JobStatus.PROCESSING,
                                     updated_at__lt=queued_stale).values_list("pk", flat=True):
        job = Job.objects.get(pk=job_id)
        if job.attempts >= MAX_CONCEPT_ATTEMPTS:
            fail_job(job_id=job_id, code="orchestration_failed",
                     message="Planning failed repeatedly; the job was refunded.")
            counts["failed"] += 1
        else:
            Job.objects.filter(pk=job_id, status=JobStatus.PROCESSING).update(
                status=JobStatus.QUEUED, updated_at=now)
            tasks.plan_job.delay(job_id)
            counts["republished"] += 1

    expired = Concept.objects.filter(status=ConceptStatus.RENDERING, lease_until__lt=now)
    for concept in expired.select_related("job"):
        if concept.attempts >= MAX_CONCEPT_ATTEMPTS:
            fail_concept(concept_id=concept.pk, code="render_timeout",
                         message="The render did not finish after several attempts.")
            counts["failed"] += 1
            continue
        if Concept.objects.filter(pk=concept.pk, status=ConceptStatus.RENDERING,
                                  lease_until__lt=now).update(
                status=ConceptStatus.PENDING, lease_until=None, updated_at=now):
            tasks.render_concept.delay(concept.pk)
            counts["requeued"] += 1

    # Pending concepts whose render task was lost (published before a broker restart).
    pending_stale = Concept.objects.filter(
        status=ConceptStatus.PENDING, job__status=JobStatus.RENDERING,
        updated_at__lt=queued_stale,
    )
    for concept_id in pending_stale.values_list("pk", flat=True):
        Concept.objects.filter(pk=concept_id).update(updated_at=now)
        tasks.render_concept.delay(concept_id)
        counts["requeued"] += 1

    hard_deadline = now - timedelta(seconds=settings.STUDIO_JOB_DEADLINE_SECONDS)
    for job_id in Job.objects.filter(
        status__in=[JobStatus.QUEUED, JobStatus.PROCESSING, JobStatus.RENDERING],
        created_at__lt=hard_deadline,
    ).values_list("pk", flat=True):
        fail_job(job_id=job_id, code="job_timeout",
                 message="The job did not finish within its time limit and was refunded.")
        counts["failed"] += 1
    return counts
