"""OpenAI moderation for the inference surface's ``content_moderation: true``, against a local
fake of ``POST /v1/moderations``: refused input is Bria's 422 (nothing charged), a refused
output is left out and its share refunded."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from billing.services import account_for_workspace
from generations.models import ConceptStatus, Job, ProviderCall
from generations.providers import registry
from generations.providers.base import ProviderError
from tests.api.conftest import state
from tests.api.inference_helpers import ImageHost, run_pipeline
from tests.providers.fakes import FakeProvider, Reply, provider_settings
from tests.providers.moderation_fake import ModerationModel

pytestmark = pytest.mark.django_db

SCENE_CREDITS = 5
TASK_CREDITS = 4 * SCENE_CREDITS


@pytest.fixture(autouse=True)
def no_publish(monkeypatch):
    monkeypatch.setattr("generations.tasks.plan_job.delay", lambda *args: None)
    monkeypatch.setattr("generations.tasks.render_concept.delay", lambda *args: None)
    monkeypatch.setattr("api.tasks.deliver_webhook.delay", lambda *args: None)


@pytest.fixture
def moderation_model():
    return ModerationModel()


@pytest.fixture
def moderation(settings, moderation_model, waits):
    with FakeProvider() as server:
        server.replies["/v1/moderations"] = moderation_model
        settings.PROVIDERS = {**settings.PROVIDERS, "moderation": provider_settings(
            server.base_url, name="moderation", model="omni-moderation-latest")}
        settings.STUDIO_OUTBOUND_ALLOW_LOOPBACK = True
        yield server


@pytest.fixture
def images():
    with ImageHost() as host:
        yield host


def _body(**input_fields) -> dict:
    return {"app": "bria/ads-generate", "input": {"content_moderation": True, **input_fields}}


def test_a_flagged_input_visual_is_bria_422_and_charges_nothing(
        api, workspace, ready_brand, funded, moderation, moderation_model, images):
    moderation_model.bad_sizes = {Image.open(io.BytesIO(images.photo)).size}
    before = state(workspace)

    response = api.post("/api/v1/run", _body(smart_image={
        "input_image_url": images.url + "/serum.png",
        "scene": {"operation": "lifestyle_shot_by_text", "input": "a marble bathroom"}}))

    assert response.status_code == 422, response.json()
    problem = response.json()
    assert problem["code"] == "content_moderation_failed"
    assert problem["detail"] == ("The visual in the 'smart_image' parameter did not pass "
                                 "content moderation.")
    assert state(workspace) == before
    [parts] = moderation_model.inputs
    assert [p["type"] for p in parts] == ["image_url"]
    assert parts[0]["image_url"]["url"].startswith("data:image/png;base64,")
    assert moderation_model.problems == []


def test_flagged_input_text_is_refused(api, workspace, ready_brand, funded, moderation):
    before = state(workspace)
    response = api.post("/api/v1/run", _body(elements=[
        {"layer_type": "text", "content_type": "Heading #1", "content": "Kill them all"}]))
    assert response.status_code == 422
    assert response.json()["detail"] == ("The text in the 'elements' parameter did not pass "
                                         "content moderation.")
    assert state(workspace) == before


def test_a_flagged_output_is_left_out_and_refunded(api, workspace, ready_brand, funded,
                                                   moderation, moderation_model):
    moderation_model.bad_sizes = {(1920, 1080)}  # scene 2 (16:9) fails
    response = api.post("/api/v1/run", _body(elements=[
        {"layer_type": "text", "content_type": "Heading #1", "content": "Glow every day"}]))
    assert response.status_code == 200, response.json()
    job = Job.objects.get(public_id=response.json()["id"].removeprefix("task_"))
    assert job.request["extra"]["content_moderation"] is True

    run_pipeline(job)
    task = api.get(f"/api/v1/tasks/task_{job.public_id}").json()

    assert task["status"] == 9
    assert [s["name"] for s in task["output"]["result"]] == ["scene_1", "scene_3", "scene_4"]
    refused = job.concepts.get(index=1)
    assert (refused.status, refused.error_code) == (ConceptStatus.FAILED,
                                                    "content_moderation_failed")
    assert refused.error_message == ("The generated ad did not pass content moderation "
                                     "(sexual).")
    assert not refused.assets.exists()
    job.refresh_from_db()
    assert (job.credits_charged, job.credits_refunded) == (TASK_CREDITS, SCENE_CREDITS)
    assert account_for_workspace(workspace).balance == 250 - TASK_CREDITS + SCENE_CREDITS
    assert sorted(moderation_model.image_sizes) == sorted(
        [(1080, 1080), (1920, 1080), (1080, 1920), (1080, 1350)])
    assert ProviderCall.objects.filter(job=job, capability="moderation").count() == 4


def test_moderation_down_at_submit_is_503_and_charges_nothing(
        api, workspace, ready_brand, funded, moderation, moderation_model, waits):
    moderation_model.mode = "down"
    before = state(workspace)
    response = api.post("/api/v1/run", _body(elements=[
        {"layer_type": "text", "content_type": "Heading #1", "content": "Glow every day"}]))
    assert response.status_code == 503
    assert response.json()["code"] == "provider_error"
    assert state(workspace) == before
    assert waits == [1.0, 1.0]  # Retry-After: 1, twice, then given up


def test_a_workspace_forbidding_paid_providers_keeps_the_400(api, workspace, ready_brand,
                                                             funded, moderation):
    workspace.allow_paid_providers = False
    workspace.save()
    response = api.post("/api/v1/run", _body())
    assert response.status_code == 400
    assert response.json()["code"] == "content_moderation_unavailable"
    assert moderation.seen == []


def test_malformed_moderation_answers_are_provider_errors(moderation):
    moderation.replies["/v1/moderations"] = [Reply(200, {"id": "modr-1", "results": []})]
    with pytest.raises(ProviderError) as caught:
        registry.moderator().moderate(text="hello")
    assert caught.value.code == "provider_bad_response"
    assert len(moderation.seen) == 3
