"""adcreator with providers: the models endpoints list what is served now, a model whose
provider is off is a clear 400 in adcreator's body with nothing charged, and POST /videos with
``kling-v3-pro`` is animated by the hosted video queue."""

from __future__ import annotations

import io

import av
import pytest

from billing.models import LedgerEntry
from generations import pipeline
from generations.models import Job, JobStatus, ProviderCall
from tests.api.adcreator_helpers import completed_generation

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_publish(monkeypatch):
    monkeypatch.setattr("generations.tasks.plan_job.delay", lambda job_id: None)
    monkeypatch.setattr("generations.tasks.render_concept.delay", lambda concept_id: None)


def _work(job: Job) -> Job:
    for concept_id in pipeline.plan(job_id=job.pk):
        pipeline.render(concept_id=concept_id)
    job.refresh_from_db()
    return job


def test_without_providers_only_the_local_models_are_listed(api):
    assert [m["id"] for m in api.get("/api/platform/models").json()["models"]] == [
        "local-image"]
    assert [m["id"] for m in api.get("/api/platform/video-models").json()["models"]] == [
        "local-motion"]


def test_configured_providers_add_their_models(api, openai_images, gemini, fal):
    models = api.get("/api/platform/models").json()["models"]
    assert [m["id"] for m in models] == ["local-image", "nano-banana-2",
                                         "gemini-2.5-flash-image", "gpt-image-1"]
    gpt = models[3]
    assert gpt == {"id": "gpt-image-1", "displayName": "GPT Image 1", "creditsCost": 4,
                   "estimatedSeconds": 10, "supportsImageInput": True, "maxWidth": 2048,
                   "maxHeight": 2048}
    videos = api.get("/api/platform/video-models").json()["models"]
    assert [m["id"] for m in videos] == ["local-motion", "kling-v3-pro", "hosted-video"]
    kling = videos[1]
    assert kling["durations"] == [5, 10]
    assert kling["credits"] == {"5": 30, "10": 60}


def test_the_workspace_switch_takes_paid_models_off_the_list(api, workspace, openai_images):
    workspace.allow_paid_providers = False
    workspace.save(update_fields=["allow_paid_providers"])
    assert [m["id"] for m in api.get("/api/platform/models").json()["models"]] == [
        "local-image"]


def test_an_unavailable_model_is_400_in_adcreator_body_and_charges_nothing(api, workspace,
                                                                           funded):
    response = api.post("/api/platform/generate", {"prompt": "Serum on marble",
                                                   "modelId": "gpt-image-1"})
    assert response.status_code == 400
    body = response.json()
    assert body == {"error": "The model 'gpt-image-1' is not available: its provider is not "
                             "configured on this server.", "code": "model_unavailable",
                    "field": "modelId", "requestId": response["X-Request-Id"]}
    funded.refresh_from_db()
    assert funded.balance == 250
    assert not Job.objects.filter(workspace=workspace).exists()
    assert not LedgerEntry.objects.filter(kind="debit").exists()


def test_a_forbidden_paid_model_is_refused_at_submit_and_charges_nothing(
        api, workspace, ready_brand, funded, openai_images):
    workspace.allow_paid_providers = False
    workspace.save(update_fields=["allow_paid_providers"])
    response = api.post("/api/platform/generate", {"prompt": "Serum on marble",
                                                   "modelId": "gpt-image-1"})
    assert response.status_code == 400
    assert response.json()["code"] == "model_unavailable"
    assert "does not allow paid model providers" in response.json()["error"]
    funded.refresh_from_db()
    assert funded.balance == 250 and not Job.objects.exists()


def test_a_reference_id_with_a_local_stand_in_keeps_working_without_its_provider(
        api, ready_brand, funded):
    response = api.post("/api/platform/generate", {"prompt": "Serum on marble",
                                                   "modelId": "nano-banana-2"})
    assert response.status_code == 202
    assert Job.objects.get().request["model"] == "local-image"


def test_generate_with_gpt_image_1_renders_on_the_providers_scene(
        api, workspace, ready_brand, funded, no_publish, openai_images,
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/platform/generate", {
            "prompt": "Glow serum on wet stone, morning light", "modelId": "gpt-image-1",
            "aspectRatio": "9:16"})
    assert response.status_code == 202
    job = _work(Job.objects.get(public_id=response.json()["id"]))
    assert job.status == JobStatus.COMPLETED, job.error_message
    assert job.credits_charged == 4
    generation = api.get(f"/api/platform/generations/{job.public_id}").json()["generation"]
    assert generation["status"] == "completed"
    assert openai_images.calls("/v1/images/generations")[0].json()["size"] == "1024x1536"


def test_kling_video_is_submitted_to_the_queue_and_stored(
        api, workspace, ready_brand, funded, no_publish, fal,
        django_capture_on_commit_callbacks):
    source = completed_generation(workspace, ready_brand)
    refused = api.post("/api/platform/videos", {
        "sourceGenerationId": source.public_id, "prompt": "Slow orbit around the serum",
        "modelId": "kling-v3-pro", "durationSeconds": 6})
    assert refused.status_code == 400
    assert (refused.json()["code"], refused.json()["field"]) == ("invalid_duration",
                                                                 "durationSeconds")
    assert refused.json()["error"] == "kling-v3-pro makes clips of 5, 10 seconds."
    with django_capture_on_commit_callbacks(execute=True):
        accepted = api.post("/api/platform/videos", {
            "sourceGenerationId": source.public_id, "prompt": "Slow orbit around the serum",
            "modelId": "kling-v3-pro", "durationSeconds": 5})
    assert accepted.status_code == 202
    video = Job.objects.get(public_id=accepted.json()["id"])
    assert video.request["model"] == "kling-v3-pro"
    assert video.credits_charged == 30
    video = _work(video)
    assert video.status == JobStatus.COMPLETED, video.error_message
    submit = fal.requests[0]
    assert submit.path == "/fal-ai/kling-video/v3/pro/image-to-video"
    assert submit.json()["prompt"] == "Slow orbit around the serum"
    mp4 = video.assets.get(kind="video")
    with av.open(io.BytesIO(mp4.file.read())) as container:
        stream = container.streams.video[0]
        assert float(stream.duration * stream.time_base) == 5.0
    assert (mp4.duration, mp4.width, mp4.height) == (5.0, 320, 568)
    assert mp4.poster.name  # the laid-out still is the poster
    report = video.concepts.get().render_report["providers"]["motion"]["1:1"]
    assert report == {"model": "kling-v3-pro", "provider": "video_queue", "duration": 5.0,
                      "size": [320, 568]}
    assert ProviderCall.objects.filter(job=video, ok=True).count() == 5
    body = api.get(f"/api/platform/videos/{video.public_id}").json()["video"]
    assert body["status"] == "completed" and body["video_url"]
