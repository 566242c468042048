"""Each job concept keeps its render report (shown on the job page) and each MP4 its poster."""

import io

import av
import numpy as np
import pytest
from django.urls import reverse
from PIL import Image

from generations import pipeline
from generations.briefs import AdBrief
from generations.models import Asset, Concept, ConceptStatus
from generations.render import engine
from generations.services import submit_job


@pytest.fixture
def no_publish(monkeypatch):
    monkeypatch.setattr("generations.tasks.plan_job.delay", lambda *a: None)
    monkeypatch.setattr("generations.tasks.render_concept.delay", lambda *a: None)


def _run(job):
    for concept_id in pipeline.plan(job_id=job.pk):
        pipeline.render(concept_id=concept_id)
    job.refresh_from_db()
    return job


def test_each_concept_keeps_its_render_report(workspace, brand, product, credits, no_publish):
    job = _run(submit_job(workspace=workspace, brief=AdBrief(count=2, format="static")).job)
    for concept in job.concepts.all():
        report = concept.render_report
        assert concept.status == ConceptStatus.COMPLETED
        assert (report["template"], report["angle"], report["headline"]) == (
            concept.template_slug, concept.copy_angle, concept.headline)
        assert report["refused"] is False
        assert sorted(report["sizes"]) == ["4:5", "9:16"]
        for size in report["sizes"].values():
            assert size["ok"] is True
            assert size["attempts"][0] == "as designed"
            assert sorted(size["gates"]) == ["contrast", "logo", "primary_colour",
                                             "safe_zones", "text_fits"]
            assert size["seconds"]["static_png_layout_s"] > 0
    assert not Asset.objects.filter(job=job).exclude(poster="").exists()


def test_a_refused_concept_keeps_the_report_of_what_failed(workspace, brand, product, credits,
                                                           no_publish, monkeypatch):
    def failing(scene, *, brand_has_logo):
        return {"ok": False, "gates": {"contrast": {"ok": False, "failures": ["forced"]},
                                       "text_fits": {"ok": True, "failures": []}}}

    monkeypatch.setattr(engine, "run_gates", failing)
    job = _run(submit_job(workspace=workspace, brief=AdBrief(count=1, format="static")).job)
    concept = job.concepts.get()
    assert concept.status == ConceptStatus.FAILED
    assert concept.error_code == "render_quality_gate"
    assert concept.render_report["refused"] is True
    assert concept.render_report["gates"]["contrast"] == {"ok": False, "failures": ["forced"]}
    assert not concept.assets.exists()
    assert job.credits_refunded == job.credits_charged


@pytest.mark.slow
def test_every_mp4_is_stored_with_its_first_frame_as_poster(workspace, brand, product, credits,
                                                            no_publish, owner_client):
    brief = AdBrief(count=1, format="full", sizes=("9:16",), duration=2.0)
    job = _run(submit_job(workspace=workspace, brief=brief).job)
    video = Asset.objects.get(job=job, kind="video")
    assert video.poster.name.endswith("-poster.jpg")
    with video.poster.open("rb") as fh:
        poster = np.asarray(Image.open(io.BytesIO(fh.read())).convert("RGB"), np.float32)
    with av.open(video.file.path) as container:
        first = next(container.decode(video=0)).to_ndarray(format="rgb24").astype(np.float32)
    assert poster.shape == first.shape
    assert float(np.abs(poster - first).mean()) < 4.0

    page = owner_client.get(reverse("generations:job", args=[job.public_id]))
    html = page.content.decode()
    assert 'poster="' in html
    assert "Render report" in html
    concept = Concept.objects.get(job=job)
    assert concept.render_report["sizes"]["9:16"]["seconds"]["video_mp4_video_s"] > 0
