"""POST /api/platform/videos and GET /api/platform/videos/{id}: a video of a completed image
generation, priced per second of the video model; every documented limit at the boundary and
just past it; another workspace's generation or video is a 404; and the whole way through the
pipeline: generate → completed → video of the same ad."""

from __future__ import annotations

import av
import pytest

from billing import pricing
from generations import pipeline
from generations.models import Asset, Concept, Job, JobStatus
from tests.api.adcreator_helpers import completed_generation
from tests.api.conftest import state

URL = "/api/platform/videos"
PER_SECOND = pricing.VIDEO_MODEL_CREDITS_PER_SECOND["local-motion"]


def _body(source: Job, **changes) -> dict:
    return {"sourceGenerationId": source.public_id, "prompt": "Smooth camera orbit around the "
            "product", "modelId": "local-motion", "durationSeconds": 5, **changes}


@pytest.fixture
def source(workspace, ready_brand) -> Job:
    return completed_generation(workspace, ready_brand)


def test_the_curl_example_is_202_processing(api, workspace, source, funded):
    # The reference's body verbatim, with the id of a generation that exists here.
    response = api.post(URL, raw=f"""{{
    "sourceGenerationId": "{source.public_id}",
    "prompt": "Smooth camera orbit around the product",
    "modelId": "kling-v3-pro",
    "durationSeconds": 5
  }}""".encode())

    assert response.status_code == 202
    video = Job.objects.exclude(pk=source.pk).get(workspace=workspace)
    assert response.json() == {"id": video.public_id, "status": "processing"}
    assert video.format == "full"
    assert video.request["model"] == "local-motion"
    assert video.request["duration"] == 5
    assert video.credits_charged == 5 * PER_SECOND
    funded.refresh_from_db()
    assert funded.balance == 250 - 5 * PER_SECOND


def test_the_video_is_the_source_ad_copied_concept_for_concept(api, workspace, source, funded):
    response = api.post(URL, _body(source, generateAudio=True, negativePrompt="no blur",
                                   cfgScale=0.5, movementAmplitude="small",
                                   resolution="720p"))

    video = Job.objects.get(public_id=response.json()["id"])
    original = source.concepts.get()
    copy = video.concepts.get()
    assert (copy.headline, copy.body, copy.cta, copy.template_slug, copy.style_id,
            copy.copy_angle) == (original.headline, original.body, original.cta,
                                 original.template_slug, original.style_id,
                                 original.copy_angle)
    assert copy.credits == video.credits_charged
    assert video.request["sizes"] == ["1:1"]
    assert video.request["bgm"] is True
    assert video.request["negative_prompt"] == "no blur"
    assert video.request["extra"] == {"cfg_scale": 0.5, "movement_amplitude": "small",
                                      "resolution": "720p", "source_job": source.public_id,
                                      "source_concept": original.public_id}


def test_the_prompt_picks_the_animation_prompt_it_means(api, source, funded):
    orbit = api.post(URL, _body(source)).json()["id"]
    lotion = api.post(URL, _body(source, prompt="Lotion texture swirling slowly")).json()["id"]
    vague = api.post(URL, _body(source, prompt="qzx vvv kkj")).json()["id"]

    def motion(video_id: str) -> str:
        return Job.objects.get(public_id=video_id).concepts.get().animation_prompt

    assert motion(orbit) == "Orbit Reveal"
    assert motion(lotion) == "Lotion Texture"
    # A prompt that means nothing keeps the source concept's own motion.
    assert motion(vague) == "Serum Droplets"


@pytest.mark.parametrize("changes", [
    {"durationSeconds": 2}, {"durationSeconds": 15}, {"prompt": "abc"},
    {"prompt": "x" * 1000}, {"negativePrompt": "n" * 2500}, {"cfgScale": 0}, {"cfgScale": 1},
    {"movementAmplitude": "auto"}, {"movementAmplitude": "large"}, {"resolution": "1080p"},
    {"bgm": True},
], ids=["duration-2", "duration-15", "prompt-3", "prompt-1000", "negative-2500", "cfg-0",
        "cfg-1", "movement-auto", "movement-large", "resolution-1080p", "bgm"])
def test_limits_at_the_boundary_are_accepted(api, source, funded, changes):
    response = api.post(URL, _body(source, **changes))

    assert response.status_code == 202, response.json()


def test_a_15_second_video_costs_15_seconds(api, source, funded):
    video_id = api.post(URL, _body(source, durationSeconds=15)).json()["id"]

    assert Job.objects.get(public_id=video_id).credits_charged == 15 * PER_SECOND


@pytest.mark.parametrize("changes, field", [
    ({"durationSeconds": 1.9}, "durationSeconds"), ({"durationSeconds": 15.1}, "durationSeconds"),
    ({"durationSeconds": None}, "durationSeconds"), ({"prompt": "ab"}, "prompt"),
    ({"prompt": "x" * 1001}, "prompt"), ({"negativePrompt": "n" * 2501}, "negativePrompt"),
    ({"cfgScale": -0.1}, "cfgScale"), ({"cfgScale": 1.1}, "cfgScale"),
    ({"movementAmplitude": "huge"}, "movementAmplitude"),
    ({"resolution": "4k"}, "resolution"), ({"modelId": "local-image"}, "modelId"),
    ({"sourceGenerationId": None}, "sourceGenerationId"),
], ids=["duration-1.9", "duration-15.1", "no-duration", "prompt-2", "prompt-1001",
        "negative-2501", "cfg-below", "cfg-above", "movement", "resolution", "image-model",
        "no-source"])
def test_limits_just_past_are_400_and_charge_nothing(api, workspace, source, funded, changes,
                                                     field):
    before = state(workspace)

    response = api.post(URL, {key: value for key, value in _body(source, **changes).items()
                              if value is not None})

    assert response.status_code == 400
    assert response.json()["field"] == field
    assert state(workspace) == before


def test_a_generation_still_processing_cannot_be_animated(api, workspace, source, funded):
    Job.objects.filter(pk=source.pk).update(status=JobStatus.RENDERING)
    before = state(workspace)

    response = api.post(URL, _body(source))

    assert response.status_code == 400
    assert response.json()["code"] == "source_not_completed"
    assert state(workspace) == before


def test_an_unknown_or_foreign_source_generation_is_404(api, other_api, workspace, source,
                                                        funded):
    before = state(workspace)

    foreign = other_api.post(URL, _body(source))
    unknown = api.post(URL, _body(source, sourceGenerationId="recDoesNotExist00"))

    assert foreign.status_code == unknown.status_code == 404
    assert unknown.json()["code"] == "generation_not_found"
    assert state(workspace) == before


def test_a_video_id_is_not_a_generation_and_another_workspace_gets_404(api, other_api, source,
                                                                       funded):
    video_id = api.post(URL, _body(source)).json()["id"]

    mine = api.get(f"/api/platform/videos/{video_id}")
    theirs = other_api.get(f"/api/platform/videos/{video_id}")
    as_generation = api.get(f"/api/platform/generations/{video_id}")
    generation_as_video = api.get(f"/api/platform/videos/{source.public_id}")

    assert mine.status_code == 200
    video = mine.json()["video"]
    assert (video["id"], video["status"], video["video_url"], video["model_id"],
            video["duration_seconds"]) == (video_id, "processing", None, "local-motion", 5)
    assert theirs.status_code == as_generation.status_code == generation_as_video.status_code
    assert theirs.status_code == 404
    assert theirs.json()["code"] == "video_not_found"


# End to end ---------------------------------------------------------------------------------
@pytest.fixture
def no_publish(monkeypatch):
    """Tasks are not published; the test drives the pipeline itself, as a worker would."""
    monkeypatch.setattr("generations.tasks.plan_job.delay", lambda job_id: None)
    monkeypatch.setattr("generations.tasks.render_concept.delay", lambda concept_id: None)


def _work(job: Job) -> Job:
    for concept_id in pipeline.plan(job_id=job.pk):
        pipeline.render(concept_id=concept_id)
    job.refresh_from_db()
    return job


def test_generate_then_animate_through_the_pipeline(api, workspace, ready_brand, funded,
                                                    no_publish,
                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        generation_id = api.post("/api/platform/generate", {
            "prompt": "Glow serum on wet stone, morning light", "modelId": "local-image",
            "aspectRatio": "9:16", "stylePreset": "marble-luxe"}).json()["id"]
    image_job = _work(Job.objects.get(public_id=generation_id))

    generation = api.get(f"/api/platform/generations/{generation_id}").json()["generation"]
    assert generation["status"] == "completed", image_job.error_message
    assert generation["image_url"] is not None
    assert not Asset.objects.filter(job=image_job, kind="video").exists()

    with django_capture_on_commit_callbacks(execute=True):
        accepted = api.post(URL, _body(image_job, durationSeconds=2, bgm=True))
    assert accepted.status_code == 202
    video_job = _work(Job.objects.get(public_id=accepted.json()["id"]))

    video = api.get(f"/api/platform/videos/{video_job.public_id}").json()["video"]
    assert video["status"] == "completed", video_job.error_message
    assert video["duration_seconds"] == 2
    mp4 = Asset.objects.get(job=video_job, kind="video")
    assert (mp4.aspect, mp4.width, mp4.height) == ("9:16", 1080, 1920)
    served = api.client.get(video["video_url"].split("127.0.0.1:8000", 1)[-1])
    assert served.status_code == 200
    assert served["Content-Type"] == "video/mp4"
    with mp4.file.open("rb") as fh, av.open(fh) as container:
        assert container.streams.video[0].codec_context.name == "h264"
        assert len(container.streams.audio) == 1
        assert 1.9 <= float(container.duration / av.time_base) <= 2.2
    # The same ad in motion: the video's one concept carries the image's copy and layout.
    still, moving = image_job.concepts.get(), video_job.concepts.get()
    assert (moving.headline, moving.template_slug, moving.style_id) == (
        still.headline, still.template_slug, "marble-luxe")
    assert Concept.objects.filter(job=video_job).count() == 1
    funded.refresh_from_db()
    assert funded.balance == 250 - pricing.IMAGE_MODEL_CREDITS["local-image"] - 2 * PER_SECOND
