"""Provider scenes under the local layout, and jobs with an image provider failing half the
time: completed by retry, or by the local engine standing in (with the exact refund), the
breaker opening and closing."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from billing.models import LedgerEntry
from billing.services import account_for_workspace
from generations import pipeline
from generations.briefs import AdBrief
from generations.models import ConceptStatus, Job, JobStatus, ProviderBreaker, ProviderCall
from generations.providers import breaker
from generations.services import submit_job
from tests.providers.media_fakes.media import SCENE_WALL, scene_png

pytestmark = pytest.mark.django_db



@pytest.fixture
def no_publish(monkeypatch):
    monkeypatch.setattr("generations.tasks.plan_job.delay", lambda *a, **k: None)
    monkeypatch.setattr("generations.tasks.render_concept.delay", lambda *a, **k: None)


def _run(job: Job) -> Job:
    for concept_id in pipeline.plan(job_id=job.pk):
        pipeline.render(concept_id=concept_id)
    job.refresh_from_db()
    return job


def _balance(workspace) -> int:
    return account_for_workspace(workspace).balance


def _wall_share(content: bytes) -> float:
    """How much of the ad shows the fake scene's wall colour (no painted style has it)."""
    with Image.open(io.BytesIO(content)) as image:
        pixels = image.convert("RGB").reduce(4).getdata()
        near = [px for px in pixels
                if all(abs(a - b) < 14 for a, b in zip(px, SCENE_WALL, strict=True))]
        return len(near) / len(pixels)


def _image_brief(count: int, model: str = "gpt-image-1") -> AdBrief:
    # One template, so how much of the scene shows does not depend on the job's random id.
    return AdBrief(count=count, format="static", sizes=("1:1",), model=model,
                   templates=("product-hero",),
                   prompt="A sunlit bathroom shelf with eucalyptus")


def test_a_gpt_image_scene_is_the_background_of_the_laid_out_ad(
        workspace, brand, product, credits, no_publish, openai_images,
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = submit_job(workspace=workspace, brief=_image_brief(1)).job
        job = _run(job)
    assert job.status == JobStatus.COMPLETED
    assert job.credits_charged == 4 and job.credits_refunded == 0
    concept = job.concepts.get()
    png = concept.assets.get(mime_type="image/png")
    assert (png.width, png.height) == (1080, 1080)
    assert _wall_share(png.file.read()) > 0.2  # the provider's scene, not a painted style
    # The local layout still ran and every gate passed on the provider's scene.
    assert concept.render_report["providers"]["provider"] == "openai_images"
    assert concept.render_report["providers"]["sizes"] == {"1:1": [1024, 1024]}
    assert "fallback" not in concept.render_report["providers"]
    prompt = openai_images.calls("/v1/images/generations")[0].json()["prompt"]
    assert prompt.startswith("A photographic advertising background: A sunlit bathroom shelf")
    assert "No text, letters, logos, people or products" in prompt
    call = ProviderCall.objects.get()
    assert (call.job_id, call.ok, call.capability) == (job.pk, True, "image_generate")


def test_in_situ_without_a_model_uses_the_in_situ_model(
        workspace, brand, product, credits, no_publish, gemini, settings,
        django_capture_on_commit_callbacks):
    settings.PROVIDER_IN_SITU_MODEL = "nano-banana-2"
    with django_capture_on_commit_callbacks(execute=True):
        job = submit_job(workspace=workspace, brief=AdBrief(
            count=1, format="static", sizes=("4:5",), in_situ=True,
            templates=("product-hero",))).job
        job = _run(job)
    assert job.status == JobStatus.COMPLETED
    sent = gemini.requests[0].json()
    assert sent["generationConfig"]["imageConfig"] == {"aspectRatio": "4:5"}
    assert "lifestyle scene where Glow Serum is used" in sent["contents"][0]["parts"][0]["text"]
    asset = job.concepts.get().assets.get(mime_type="image/png")
    assert (asset.width, asset.height) == (1080, 1350)
    assert _wall_share(asset.file.read()) > 0.2


def test_half_the_calls_failing_are_retried_and_every_job_completes(
        workspace, brand, product, credits, no_publish, openai_images, waits,
        django_capture_on_commit_callbacks):
    openai_images.fail_every_other()
    with django_capture_on_commit_callbacks(execute=True):
        job = submit_job(workspace=workspace, brief=_image_brief(4)).job
        job = _run(job)
    assert job.status == JobStatus.COMPLETED
    assert (job.credits_charged, job.credits_refunded) == (16, 0)
    assert len(openai_images.calls("/v1/images/generations")) == 8
    assert list(ProviderCall.objects.values_list("ok", "attempts")) == [(True, 2)] * 4
    assert len(waits) == 4
    assert breaker.state("openai_images") == "closed"


def test_a_provider_down_falls_back_to_the_local_engine_with_the_exact_refund_and_the_breaker(
        workspace, brand, product, credits, no_publish, openai_images, waits, settings,
        django_capture_on_commit_callbacks):
    settings.PROVIDER_BREAKER_FAILURES = 2
    settings.PROVIDERS["openai_images"]["max_retries"] = 1
    openai_images.fail_ratio = (1, 1)  # every call answers 503
    before = _balance(workspace)
    with django_capture_on_commit_callbacks(execute=True):
        job = submit_job(workspace=workspace, brief=_image_brief(3)).job
        job = _run(job)
    # Every concept completed on the local engine; each is refunded gpt-image-1's 4 credits
    # less local-image's 2.
    assert job.status == JobStatus.COMPLETED
    assert (job.credits_charged, job.credits_refunded) == (12, 6)
    assert _balance(workspace) == before - 6
    refunds = LedgerEntry.objects.filter(job_id=job.public_id, kind="refund")
    assert sorted(refunds.values_list("amount", flat=True)) == [2, 2, 2]
    concepts = list(job.concepts.order_by("index"))
    assert [c.status for c in concepts] == [ConceptStatus.COMPLETED] * 3
    assert [c.credits for c in concepts] == [2, 2, 2]
    reports = [c.render_report["providers"] for c in concepts]
    assert [r["served_by"] for r in reports] == ["local-image"] * 3
    assert [r["refunded_credits"] for r in reports] == [2, 2, 2]
    assert "answered 503" in reports[0]["fallback"]
    # Two failed calls opened the breaker: the third concept sent nothing.
    assert reports[2]["fallback"] == ("The openai_images provider failed repeatedly; it is "
                                      "paused for a moment.")
    assert len(openai_images.calls("/v1/images/generations")) == 4
    assert breaker.state("openai_images") == "open"
    for concept in concepts:
        png = concept.assets.get(mime_type="image/png")
        assert _wall_share(png.file.read()) < 0.01  # the painted style

    # The cool-down passes and the provider is back: one probe closes the breaker.
    ProviderBreaker.objects.filter(provider="openai_images").update(
        opened_at=timezone.now() - timedelta(seconds=settings.PROVIDER_BREAKER_COOLDOWN_SECONDS
                                             + 1))
    openai_images.fail_ratio = None
    with django_capture_on_commit_callbacks(execute=True):
        again = _run(submit_job(workspace=workspace, brief=_image_brief(1)).job)
    assert again.status == JobStatus.COMPLETED and again.credits_refunded == 0
    assert "fallback" not in again.concepts.get().render_report["providers"]
    assert breaker.state("openai_images") == "closed"


def test_under_the_fail_policy_the_failed_concepts_are_refunded_in_full(
        workspace, brand, product, credits, no_publish, openai_images, waits, settings,
        django_capture_on_commit_callbacks):
    settings.PROVIDER_MEDIA_FAILURE = "fail"
    settings.PROVIDERS["openai_images"]["max_retries"] = 0
    openai_images.fail_every_other()  # concepts 1 and 3 fail, 2 and 4 succeed
    before = _balance(workspace)
    with django_capture_on_commit_callbacks(execute=True):
        job = _run(submit_job(workspace=workspace, brief=_image_brief(4)).job)
    assert job.status == JobStatus.COMPLETED
    assert job.error_code == "partial_failure"
    assert (job.credits_charged, job.credits_refunded) == (16, 8)
    assert _balance(workspace) == before - 8
    statuses = list(job.concepts.order_by("index").values_list("status", "error_code"))
    assert statuses == [(ConceptStatus.FAILED, "provider_failed"), (ConceptStatus.COMPLETED, ""),
                        (ConceptStatus.FAILED, "provider_failed"), (ConceptStatus.COMPLETED, "")]


def test_a_provider_image_of_the_wrong_shape_never_reaches_the_ad(
        workspace, brand, product, credits, no_publish, openai_images, waits,
        django_capture_on_commit_callbacks):
    openai_images.answer_bytes = scene_png(1536, 512)  # 3:1 where 1:1 was asked
    with django_capture_on_commit_callbacks(execute=True):
        job = _run(submit_job(workspace=workspace, brief=_image_brief(1)).job)
    concept = job.concepts.get()
    assert job.status == JobStatus.COMPLETED and job.credits_refunded == 2
    assert "not the 1024 × 1024 proportions" in concept.render_report["providers"]["fallback"]
    assert len(openai_images.calls("/v1/images/generations")) == 1
