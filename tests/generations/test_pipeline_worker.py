"""The worker side, called directly: plan → render → finish, partial and total failure, the
sweeper, cancel and regenerate."""

from datetime import timedelta

import av
import pytest
from django.utils import timezone
from PIL import Image

from billing.models import LedgerEntry
from generations import pipeline
from generations.briefs import AdBrief
from generations.errors import JobNotCancellable
from generations.models import Asset, Concept, ConceptStatus, Job, JobStatus
from generations.services import cancel_job, submit_job


@pytest.fixture
def no_publish(monkeypatch):
    """Tasks are not published; the test drives the pipeline itself."""
    published = []
    monkeypatch.setattr("generations.tasks.plan_job.delay", published.append)
    monkeypatch.setattr("generations.tasks.render_concept.delay", published.append)
    return published


@pytest.fixture
def finished_events(monkeypatch):
    sent = []
    from generations import events

    def receiver(sender, *, job_id, **kwargs):
        sent.append(job_id)

    events.job_finished.connect(receiver, dispatch_uid="test-finished")
    yield sent
    events.job_finished.disconnect(dispatch_uid="test-finished")


def _run(job: Job) -> Job:
    for concept_id in pipeline.plan(job_id=job.pk):
        pipeline.render(concept_id=concept_id)
    job.refresh_from_db()
    return job


def _balance(workspace) -> int:
    from billing.services import account_for_workspace

    return account_for_workspace(workspace).balance


def test_static_job_renders_every_size_and_completes(workspace, brand, product, credits,
                                                     no_publish, finished_events,
                                                     django_capture_on_commit_callbacks):
    job = submit_job(workspace=workspace, brief=AdBrief(count=2, format="static")).job

    with django_capture_on_commit_callbacks(execute=True):
        job = _run(job)

    assert job.status == JobStatus.COMPLETED
    assert job.progress == 100
    assert job.credits_refunded == 0, [
        (c.error_code, c.error_message, c.render_report) for c in job.concepts.all()]
    concepts = list(job.concepts.order_by("index"))
    assert [c.status for c in concepts] == [ConceptStatus.COMPLETED] * 2
    assert concepts[0].headline != concepts[1].headline
    assert concepts[0].product == product
    pngs = Asset.objects.filter(job=job, mime_type="image/png")
    assert sorted((a.aspect, a.width, a.height) for a in pngs) == [
        ("4:5", 1080, 1350), ("4:5", 1080, 1350), ("9:16", 1080, 1920), ("9:16", 1080, 1920),
    ]
    for asset in pngs:
        with asset.file.open("rb") as fh, Image.open(fh) as image:
            assert image.size == (asset.width, asset.height)
    assert not Asset.objects.filter(job=job, kind="video").exists()
    assert finished_events == [job.pk]


def test_full_job_adds_h264_videos(workspace, brand, product, credits, no_publish):
    job = submit_job(workspace=workspace,
                     brief=AdBrief(count=1, format="full", sizes=("9:16",), duration=2)).job

    job = _run(job)

    assert job.status == JobStatus.COMPLETED
    video = Asset.objects.get(job=job, kind="video")
    assert (video.width, video.height, video.mime_type) == (1080, 1920, "video/mp4")
    with av.open(video.file.path) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.codec_context.pix_fmt == "yuv420p"
        assert stream.frames == 60


def test_one_failed_concept_is_refunded_exactly(workspace, brand, product, credits, no_publish,
                                                monkeypatch):
    real_render = pipeline.render_concept

    def render_failing_second(**kwargs):
        if kwargs["concept"].headline == Concept.objects.get(index=1).headline:
            raise RuntimeError("GPU on fire")
        return real_render(**kwargs)

    monkeypatch.setattr(pipeline, "render_concept", render_failing_second)
    job = submit_job(workspace=workspace, brief=AdBrief(count=3, format="static")).job

    job = _run(job)

    assert job.status == JobStatus.COMPLETED
    assert job.error_code == "partial_failure"
    assert job.credits_charged == 15
    assert job.credits_refunded == 5
    assert _balance(workspace) == 500 - 15 + 5
    failed = Concept.objects.get(job=job, index=1)
    assert failed.status == ConceptStatus.FAILED
    assert "GPU on fire" in failed.error_message
    assert not failed.assets.exists()
    refunds = LedgerEntry.objects.filter(kind="refund", job_id=job.public_id)
    assert [r.amount for r in refunds] == [5]


def test_all_concepts_failing_fails_the_job_with_a_full_refund(
        workspace, brand, product, credits, no_publish, finished_events, monkeypatch,
        django_capture_on_commit_callbacks):
    def broken(**kwargs):
        raise RuntimeError("encoder missing")

    monkeypatch.setattr(pipeline, "render_concept", broken)
    job = submit_job(workspace=workspace, brief=AdBrief(count=2, format="full")).job

    with django_capture_on_commit_callbacks(execute=True):
        job = _run(job)

    assert job.status == JobStatus.FAILED
    assert job.error_code == "render_failed"
    assert job.credits_refunded == job.credits_charged == 30
    assert _balance(workspace) == 500
    assert finished_events == [job.pk]


def test_a_redelivered_render_never_renders_or_refunds_twice(workspace, brand, product, credits,
                                                             no_publish):
    job = submit_job(workspace=workspace, brief=AdBrief(count=1, format="static",
                                                        sizes=("1:1",))).job
    job = _run(job)
    concept = job.concepts.get()
    assets_before = list(Asset.objects.filter(job=job).values_list("pk", flat=True))

    pipeline.render(concept_id=concept.pk)  # the broker hands the same task out again
    pipeline.plan(job_id=job.pk)

    assert list(Asset.objects.filter(job=job).values_list("pk", flat=True)) == assets_before
    assert LedgerEntry.objects.filter(job_id=job.public_id).count() == 1


def test_sweeper_hands_an_abandoned_render_to_another_worker(workspace, brand, product, credits,
                                                             no_publish):
    job = submit_job(workspace=workspace, brief=AdBrief(count=1, format="static",
                                                        sizes=("1:1",))).job
    (concept_id,) = pipeline.plan(job_id=job.pk)
    # A worker claimed the concept and died.
    Concept.objects.filter(pk=concept_id).update(
        status=ConceptStatus.RENDERING, attempts=1, lease_until=timezone.now() - timedelta(1))
    no_publish.clear()

    counts = pipeline.sweep()

    assert counts["requeued"] == 1
    assert no_publish == [concept_id]
    pipeline.render(concept_id=concept_id)
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED


def test_sweeper_fails_and_refunds_a_job_past_its_deadline(workspace, brand, product, credits,
                                                           no_publish, settings):
    job = submit_job(workspace=workspace, brief=AdBrief(count=2, format="static")).job
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=2))

    pipeline.sweep()

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error_code == "job_timeout"
    assert job.credits_refunded == 10
    assert _balance(workspace) == 500


def test_cancel_refunds_a_queued_job_in_full(workspace, brand, product, credits, no_publish):
    queued = submit_job(workspace=workspace, brief=AdBrief(count=1, format="static")).job

    cancel_job(job=queued)

    queued.refresh_from_db()
    assert queued.status == JobStatus.CANCELLED
    assert queued.credits_refunded == 5
    assert _balance(workspace) == 500
    assert pipeline.plan(job_id=queued.pk) == []  # a late plan task does nothing


def test_cancel_stops_a_started_job_keeping_rendered_ads_and_refunding_the_rest(
        workspace, brand, product, credits, no_publish):
    started = submit_job(workspace=workspace, brief=AdBrief(count=2, format="static",
                                                           sizes=("1:1",))).job
    first, second = pipeline.plan(job_id=started.pk)
    pipeline.render(concept_id=first)

    cancel_job(job=started)
    pipeline.render(concept_id=second)  # a worker that picks it up late renders nothing

    started.refresh_from_db()
    rendered, cancelled = started.concepts.order_by("index")
    assert started.status == JobStatus.CANCELLED
    assert started.credits_refunded == 5
    assert _balance(workspace) == 500 - 5
    assert rendered.status == "completed"
    assert rendered.assets.count() == 2
    assert (cancelled.status, cancelled.error_code, cancelled.refunded) == (
        "failed", "cancelled", True)
    assert cancelled.assets.count() == 0


def test_a_finished_job_cannot_be_cancelled(workspace, brand, product, credits, no_publish):
    job = _run(submit_job(workspace=workspace, brief=AdBrief(count=1, format="static",
                                                             sizes=("1:1",))).job)

    with pytest.raises(JobNotCancellable):
        cancel_job(job=job)

    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED
    assert job.credits_refunded == 0


def test_regenerate_renders_fresh_copy_and_charges_one_concept(workspace, brand, product,
                                                               credits, no_publish):
    job = _run(submit_job(workspace=workspace, brief=AdBrief(count=2, format="static",
                                                             sizes=("1:1",))).job)
    concept = job.concepts.get(index=0)
    old_headline = concept.headline
    old_files = [a.file.name for a in concept.assets.all()]

    pipeline.regenerate(concept=concept)
    pipeline.render(concept_id=concept.pk)

    concept.refresh_from_db()
    job.refresh_from_db()
    assert concept.headline not in (old_headline, job.concepts.get(index=1).headline)
    assert job.status == JobStatus.COMPLETED
    assert job.credits_charged == 15
    assert _balance(workspace) == 500 - 15
    assert concept.assets.count() == len(old_files)
