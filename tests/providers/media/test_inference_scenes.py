"""The inference surface's Bria ``lifestyle_shot_by_text``: with an image provider configured
the lifestyle scene is the provider's, under the local layout; a hex colour stays a plain
background painted locally."""

from __future__ import annotations

import pytest

from generations.models import ConceptStatus, Job, JobStatus
from tests.api.inference_helpers import ImageHost, run_pipeline

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_publish(monkeypatch):
    monkeypatch.setattr("generations.tasks.plan_job.delay", lambda *args: None)
    monkeypatch.setattr("generations.tasks.render_concept.delay", lambda *args: None)
    monkeypatch.setattr("api.tasks.deliver_webhook.delay", lambda *args: None)


def _run(api, scene_input: str) -> Job:
    with ImageHost() as host:
        response = api.post("/api/v1/run", {"app": "bria/ads-generate", "input": {
            "template_id": "1061",
            "smart_image": {"input_image_url": f"{host.url}/serum.png",
                            "scene": {"operation": "lifestyle_shot_by_text",
                                      "input": scene_input}}}})
    assert response.status_code == 200, response.json()
    job = Job.objects.get(public_id=response.json()["id"].removeprefix("task_"))
    return run_pipeline(job)


def test_a_lifestyle_prompt_is_painted_by_the_in_situ_model(api, ready_brand, funded, gemini,
                                                            settings):
    settings.PROVIDER_IN_SITU_MODEL = "nano-banana-2"
    job = _run(api, "on a marble bathroom shelf")
    assert job.status == JobStatus.COMPLETED, job.error_message
    concepts = list(job.concepts.all())
    assert all(c.status == ConceptStatus.COMPLETED for c in concepts)
    texts = [r.json()["contents"][0]["parts"][0]["text"] for r in gemini.requests]
    assert len(texts) == len(concepts)
    assert all("lifestyle scene where" in t and "on a marble bathroom shelf" in t
               for t in texts)
    assert {c.render_report["providers"]["provider"] for c in concepts} == {"gemini"}


def test_a_hex_colour_stays_a_plain_local_background(api, ready_brand, funded, gemini):
    job = _run(api, "#1E3A5F")
    assert job.status == JobStatus.COMPLETED
    assert gemini.requests == []
