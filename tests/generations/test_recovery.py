"""Recovery in seconds: a concept or planning job is held by a heartbeat lease and taken over
by attempt once its holder is gone; a stale attempt cannot store; storing errors fail the
concept at once with their real code and leave no file; duplicate sizes are refused."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from generations import pipeline
from generations.briefs import AdBrief, validate_brief
from generations.errors import InvalidRequest
from generations.models import Asset, Concept, ConceptStatus, Job, JobStatus
from generations.render import RenderedFile
from generations.services import submit_job
from studio.leases import Heartbeat


@pytest.fixture
def no_publish(monkeypatch):
    published = []
    monkeypatch.setattr("generations.tasks.plan_job.delay", published.append)
    monkeypatch.setattr("generations.tasks.render_concept.delay", published.append)
    return published


def _planned(workspace, **brief) -> Job:
    job = submit_job(workspace=workspace, brief=AdBrief(format="static", **brief)).job
    pipeline.plan(job_id=job.pk)
    job.refresh_from_db()
    return job


def _png_file(aspect: str) -> RenderedFile:
    return RenderedFile(kind="static", aspect=aspect, width=1080, height=1920, mime="image/png",
                        extension="png", content=b"\x89PNG-" + aspect.encode(), duration=None)


def test_duplicate_sizes_are_refused_before_anything_is_charged(workspace, brand, product,
                                                                credits, no_publish):
    with pytest.raises(InvalidRequest) as refused:
        submit_job(workspace=workspace,
                   brief=AdBrief(format="static", sizes=("9:16", "9:16")))

    assert refused.value.code == "invalid_sizes"
    assert refused.value.message == "sizes must not name the same size twice."
    assert Job.objects.count() == 0
    credits.refresh_from_db()
    assert credits.balance == 500
    assert validate_brief(AdBrief(sizes=("9:16", "1:1"))).sizes == ("9:16", "1:1")


def test_a_redelivered_render_takes_over_a_concept_whose_lease_ran_out(
        workspace, brand, product, credits, no_publish, monkeypatch):
    job = _planned(workspace, count=1, sizes=("9:16",))
    concept = job.concepts.get()
    # The first worker claimed it and died: its heartbeat stopped, the lease ran out.
    Concept.objects.filter(pk=concept.pk).update(
        status=ConceptStatus.RENDERING, attempts=1,
        lease_until=timezone.now() - timedelta(seconds=1))
    monkeypatch.setattr(pipeline, "render_concept", lambda **kw: [_png_file("9:16")])

    pipeline.render(concept_id=concept.pk)

    concept.refresh_from_db()
    job.refresh_from_db()
    assert (concept.status, concept.attempts) == (ConceptStatus.COMPLETED, 2)
    assert job.status == JobStatus.COMPLETED
    assert Asset.objects.filter(concept=concept).count() == 1


def test_a_render_leaves_a_concept_alone_while_its_holder_is_alive(
        workspace, brand, product, credits, no_publish, monkeypatch):
    job = _planned(workspace, count=1, sizes=("9:16",))
    concept = job.concepts.get()
    Concept.objects.filter(pk=concept.pk).update(
        status=ConceptStatus.RENDERING, attempts=1,
        lease_until=timezone.now() + timedelta(seconds=30))
    calls = []
    monkeypatch.setattr(pipeline, "render_concept", lambda **kw: calls.append(kw) or [])

    pipeline.render(concept_id=concept.pk)

    concept.refresh_from_db()
    assert calls == []
    assert (concept.status, concept.attempts) == (ConceptStatus.RENDERING, 1)


def test_an_attempt_that_lost_its_lease_cannot_store(workspace, brand, product, credits,
                                                     no_publish, monkeypatch):
    job = _planned(workspace, count=1, sizes=("9:16",))
    concept = job.concepts.get()

    def slow_render(**kwargs):
        # Meanwhile this worker was presumed dead and another attempt took the concept.
        Concept.objects.filter(pk=concept.pk).update(attempts=5)
        return [_png_file("9:16")]

    monkeypatch.setattr(pipeline, "render_concept", slow_render)

    pipeline.render(concept_id=concept.pk)

    concept.refresh_from_db()
    assert concept.status == ConceptStatus.RENDERING  # still the other attempt's
    assert Asset.objects.count() == 0


@pytest.mark.django_db(transaction=True)  # the heartbeat thread has its own connection
def test_a_heartbeat_keeps_the_lease_alive_while_rendering(settings, workspace, brand, product,
                                                           credits, no_publish, monkeypatch):
    settings.STUDIO_RENDER_LEASE_SECONDS = 1.0  # a beat every 0.2 s
    job = _planned(workspace, count=1, sizes=("9:16",))
    concept = job.concepts.get()
    leases = []

    def slow_render(**kwargs):
        for _ in range(3):
            time.sleep(0.5)
            leases.append(Concept.objects.get(pk=concept.pk).lease_until)
        return [_png_file("9:16")]

    monkeypatch.setattr(pipeline, "render_concept", slow_render)

    pipeline.render(concept_id=concept.pk)

    assert leases[0] < leases[1] < leases[2]
    concept.refresh_from_db()
    assert concept.status == ConceptStatus.COMPLETED


def test_heartbeat_reports_a_lost_lease_and_stops():
    beats = []
    with Heartbeat(lambda: beats.append(1) or len(beats) < 2, interval=0.05) as heartbeat:
        time.sleep(0.4)

    assert heartbeat.lost is True
    assert len(beats) == 2
    assert not any(t.name.startswith("heartbeat") for t in threading.enumerate())


def test_a_storing_error_fails_the_concept_at_once_and_removes_its_files(
        workspace, brand, product, credits, no_publish, monkeypatch, settings):
    job = _planned(workspace, count=1, sizes=("9:16", "4:5"))
    concept = job.concepts.get()
    # Two files for one (concept, kind, aspect, mime): the unique constraint fails on the 2nd.
    monkeypatch.setattr(pipeline, "render_concept",
                        lambda **kw: [_png_file("9:16"), _png_file("9:16")])

    pipeline.render(concept_id=concept.pk)

    concept.refresh_from_db()
    job.refresh_from_db()
    assert concept.status == ConceptStatus.FAILED
    assert concept.error_code == "storage_failed"
    assert IntegrityError.__name__ in concept.error_message
    assert job.status == JobStatus.FAILED
    assert job.error_code == "storage_failed"
    assert job.credits_refunded == job.credits_charged
    assert Asset.objects.count() == 0
    media = settings.MEDIA_ROOT / "jobs" / job.public_id
    assert not media.exists() or list(media.iterdir()) == []


def test_a_planning_job_whose_worker_died_is_taken_over(workspace, brand, product, credits,
                                                        no_publish):
    job = submit_job(workspace=workspace, brief=AdBrief(format="static", count=2)).job
    stale = timezone.now() - timedelta(seconds=60)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.PROCESSING, attempts=1)
    Job.objects.filter(pk=job.pk).update(updated_at=stale)

    concept_ids = pipeline.plan(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.RENDERING, 2)
    assert len(concept_ids) == 2


def test_a_planning_job_held_by_a_live_worker_is_left_alone(workspace, brand, product, credits,
                                                            no_publish):
    job = submit_job(workspace=workspace, brief=AdBrief(format="static", count=2)).job
    Job.objects.filter(pk=job.pk).update(status=JobStatus.PROCESSING, attempts=1)

    assert pipeline.plan(job_id=job.pk) == []
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.PROCESSING, 1)
    assert job.concepts.count() == 0


def test_the_sweeper_requeues_an_expired_lease_within_seconds(workspace, brand, product, credits,
                                                              no_publish):
    job = _planned(workspace, count=1, sizes=("9:16",))
    concept = job.concepts.get()
    Concept.objects.filter(pk=concept.pk).update(
        status=ConceptStatus.RENDERING, attempts=1,
        lease_until=timezone.now() - timedelta(seconds=1))
    no_publish.clear()

    counts = pipeline.sweep()

    concept.refresh_from_db()
    assert counts["requeued"] == 1
    assert concept.status == ConceptStatus.PENDING
    assert no_publish == [concept.pk]


def test_the_worker_sweeps_jobs_scrapes_and_webhooks_in_one_pass(monkeypatch):
    from api.webhooks import dispatch_due_deliveries
    from brands.services import scrape_sweep
    from generations.pipeline import sweep
    from studio import worker

    registered = {"jobs": sweep, "scrapes": scrape_sweep, "webhooks": dispatch_due_deliveries}
    assert dict(worker.SWEEPS) == registered

    def broken():
        raise ConnectionError("broker down")

    monkeypatch.setitem(worker.SWEEPS, "jobs", lambda: {"requeued": 1})
    monkeypatch.setitem(worker.SWEEPS, "scrapes", lambda: {"requeued": 2})
    monkeypatch.setitem(worker.SWEEPS, "webhooks", broken)

    assert worker.sweep_once() == {"jobs": {"requeued": 1}, "scrapes": {"requeued": 2},
                                   "webhooks": "ConnectionError: broker down"}
