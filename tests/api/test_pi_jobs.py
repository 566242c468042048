"""GET /api/v1/jobs/{id} (expand, fields, long-poll), the brand routes and brand extraction,
all scoped to the key's workspace."""

from __future__ import annotations

import base64
import re

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from brands.models import Brand, BrandScrape
from generations.models import Asset, AssetKind, Concept, ConceptStatus, Job, JobStatus, Surface
from tests.api.conftest import state
from tests.api.test_pi_references import product_photo


def completed_job(workspace, brand, **fields) -> Job:
    job = Job.objects.create(workspace=workspace, brand=brand, format="static", count=1,
                             credits_charged=5, status=JobStatus.COMPLETED, progress=100,
                             stage="completed", finished_at=timezone.now(),
                             surface=Surface.OPENAI, correlation_id="run-9",
                             metadata={"campaign": "q3"},
                             request={"sizes": ["4:5"], "prompt": "Serum ad"}, **fields)
    concept = Concept.objects.create(job=job, index=0, copy_angle="sensory",
                                     headline="Glow that lasts", body="Vitamin C serum.",
                                     cta="Shop now", template_slug="spotlight",
                                     style_id="soft-gradient", status=ConceptStatus.COMPLETED)
    asset = Asset(job=job, concept=concept, kind=AssetKind.STATIC, aspect="4:5", width=1080,
                  height=1350, mime_type="image/png", size_bytes=3, checksum="0" * 64)
    asset.file.save("4x5.png", ContentFile(product_photo()), save=False)
    asset.save()
    return job


def test_a_completed_job_with_expand_ad(api, workspace, ready_brand):
    job = completed_job(workspace, ready_brand)

    response = api.get(f"/api/v1/jobs/{job.public_id}", {"expand": "ad"})

    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "job" and body["status"] == "completed"
    assert re.match(r"^req_pi_[0-9a-f]{32}$", body["id"])
    data = body["data"]
    assert data["id"] == job.public_id
    assert data["ad"]["image_url"] == data["payload"]["image_url"] == data["result_url"]
    assert data["ad"]["image_url"].startswith("http://127.0.0.1:8000/")
    assert data["ad"]["headline"] == "Glow that lasts"
    assert (data["ad"]["width"], data["ad"]["height"]) == (1080, 1350)
    assert data["expanded"]["ad"] == data["ad"]
    assert data["client_reference_id"] == "run-9"
    assert data["metadata"] == {"campaign": "q3"}
    assert data["error_log"] is None


def test_include_is_an_alias_and_an_unknown_expansion_is_ignored(api, workspace, ready_brand):
    job = completed_job(workspace, ready_brand)

    data = api.get(f"/api/v1/jobs/{job.public_id}",
                   {"include": "brand,diagnostics", "expand": "avatar,nonsense"}).json()["data"]

    assert set(data["expanded"]) == {"brand", "diagnostics"}
    assert data["expanded"]["brand"]["id"] == str(ready_brand.pk)
    assert data["expanded"]["diagnostics"]["concepts"][0]["template"] == "spotlight"
    assert "ad" not in data


def test_fields_keeps_only_the_named_keys(api, workspace, ready_brand):
    job = completed_job(workspace, ready_brand)

    data = api.get(f"/api/v1/jobs/{job.public_id}",
                   {"fields": "id,status,result_url,no_such_field"}).json()["data"]

    assert set(data) == {"id", "status", "result_url"}


def test_a_queued_job_has_no_image_yet(api, workspace, ready_brand):
    job = Job.objects.create(workspace=workspace, brand=ready_brand, format="static", count=1,
                             surface=Surface.OPENAI, request={"sizes": ["1:1"]})

    body = api.get(f"/api/v1/jobs/{job.public_id}", {"expand": "ad"}).json()

    assert body["status"] == "queued"
    assert body["data"]["payload"]["image_url"] is None
    assert body["data"]["ad"] is None


def test_a_failed_job_carries_its_error(api, workspace, ready_brand):
    job = Job.objects.create(workspace=workspace, brand=ready_brand, format="static", count=1,
                             surface=Surface.OPENAI, status=JobStatus.FAILED,
                             error_code="render_failed", error_message="no encoder",
                             finished_at=timezone.now(), request={"sizes": ["1:1"]})

    body = api.get(f"/api/v1/jobs/{job.public_id}").json()

    assert body["status"] == "failed"
    assert body["error"] == body["data"]["error_log"] == {"code": "render_failed",
                                                          "message": "no encoder"}


def test_the_long_poll_answers_the_current_state_when_it_times_out(api, workspace,
                                                                   ready_brand):
    job = Job.objects.create(workspace=workspace, brand=ready_brand, format="static", count=1,
                             surface=Surface.OPENAI, request={"sizes": ["1:1"]})

    response = api.get(f"/api/v1/jobs/{job.public_id}",
                       {"wait_for_completion": "true", "timeout_seconds": "1"})

    assert response.status_code == 200
    assert response.json()["status"] == "queued"


@pytest.mark.parametrize("seconds", ["1", "30"])
def test_timeout_seconds_at_its_bounds_is_accepted(api, workspace, ready_brand, seconds):
    job = completed_job(workspace, ready_brand)

    response = api.get(f"/api/v1/jobs/{job.public_id}",
                       {"wait_for_completion": "true", "timeout_seconds": seconds})

    assert response.status_code == 200
    assert response.json()["status"] == "completed"


@pytest.mark.parametrize("seconds", ["0", "31", "-1"])
def test_timeout_seconds_past_its_bounds_is_422(api, workspace, ready_brand, seconds):
    job = completed_job(workspace, ready_brand)

    response = api.get(f"/api/v1/jobs/{job.public_id}",
                       {"wait_for_completion": "true", "timeout_seconds": seconds})

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_timeout_seconds"


def test_another_workspaces_job_and_brand_are_404(other_api, workspace, ready_brand):
    job = completed_job(workspace, ready_brand)
    scrape = BrandScrape.objects.create(workspace=workspace, brand=ready_brand,
                                        url="https://lumenskin.com/")

    responses = {
        "job": other_api.get(f"/api/v1/jobs/{job.public_id}"),
        "brand_job": other_api.get(f"/api/v1/jobs/bx_s{scrape.pk}"),
        "logo_job": other_api.get(f"/api/v1/jobs/bx_b{ready_brand.pk}"),
        "brand": other_api.get(f"/api/v1/brands/{ready_brand.pk}"),
    }

    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(
        responses, 404)
    assert responses["job"].json()["error"]["code"] == "job_not_found"
    assert responses["brand_job"].json()["error"]["code"] == "job_not_found"
    assert responses["brand"].json()["error"]["code"] == "brand_not_found"
    assert other_api.get("/api/v1/brands").json()["data"]["data"] == []


@pytest.mark.parametrize("job_id", ["recNOPE", "bx_sabc", "bx_b", "x" * 300])
def test_unknown_job_ids_are_404(api, db, job_id):
    response = api.get(f"/api/v1/jobs/{job_id}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "job_not_found"


# -- brands ------------------------------------------------------------------------------------
def test_a_brand_has_the_documented_record(api, workspace, ready_brand):
    ready_brand.website = "https://www.lumenskin.com/"
    ready_brand.tagline = "Skin that glows. From within."
    ready_brand.tone_of_voice = "warm. expert."
    ready_brand.save()

    response = api.get(f"/api/v1/brands/{ready_brand.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "brand" and body["status"] == "completed"
    brand = body["data"]
    assert {"id", "org_id", "domain", "name", "primary_hex", "secondary_hex", "logo_url",
            "font_file_url", "layout_rules", "brand_dna", "created_at",
            "updated_at"} <= set(brand)
    assert brand["domain"] == "lumenskin.com"
    assert brand["primary_hex"] == "#C8553D"
    dna = brand["brand_dna"]
    assert len(dna["color_palette"]) == 4 == len(set(dna["color_palette"]))
    assert all(re.match(r"^#[0-9A-F]{6}$", colour) for colour in dna["color_palette"])
    assert dna["imagen_style_conditioning"].count(".") == 2
    assert dna["core_slogan"] == brand["layout_rules"]["core_slogan"]


def test_the_brand_list_filters_pages_and_caps_limit(api, workspace, ready_brand):
    for name in ("Noir Roast", "Noir Tea", "Globex"):
        Brand.objects.create(workspace=workspace, name=name, status=Brand.Status.READY)

    found = api.get("/api/v1/brands", {"query": "noir", "limit": "1"}).json()
    second = api.get("/api/v1/brands", {"query": "noir", "limit": "1", "offset": "1"}).json()
    at_cap = api.get("/api/v1/brands", {"limit": "100"})
    past_cap = api.get("/api/v1/brands", {"limit": "101"})

    assert found["object"] == "list" and found["status"] == "completed"
    assert found["data"]["object"] == "list"
    assert [b["name"] for b in found["data"]["data"]] == ["Noir Roast"]
    assert found["data"]["has_more"] is True
    assert [b["name"] for b in second["data"]["data"]] == ["Noir Tea"]
    assert second["data"]["has_more"] is False
    assert at_cap.status_code == 200 and len(at_cap.json()["data"]["data"]) == 4
    assert past_cap.status_code == 422
    assert past_cap.json()["error"]["code"] == "invalid_limit"


def test_brand_list_fields_and_latest_job(api, workspace, ready_brand):
    scrape = BrandScrape.objects.create(workspace=workspace, brand=ready_brand,
                                        url="https://lumenskin.com/")

    [brand] = api.get("/api/v1/brands", {"fields": "id,name",
                                         "include": "latest_job"}).json()["data"]["data"]

    assert set(brand) == {"id", "name", "expanded"}
    assert brand["expanded"]["latest_job"]["id"] == f"bx_s{scrape.pk}"
    assert brand["expanded"]["latest_job"]["status"] == "queued"


def test_brand_extract_with_nothing_is_400_and_changes_nothing(api, workspace):
    before = state(workspace)

    response = api.post("/api/v1/brands/extract", {"location": {"country": "US"}})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parameter_missing"
    assert state(workspace) == before
    assert Brand.objects.filter(workspace=workspace).count() == 0


def test_brand_extract_from_a_website_is_a_job_that_shows_the_brand(
        api, workspace, django_capture_on_commit_callbacks, monkeypatch):
    queued = []
    monkeypatch.setattr("brands.tasks.scrape_brand.delay", queued.append)

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/brands/extract", {"url": "https://lumenskin.com"})

    assert response.status_code == 202
    body = response.json()
    scrape = BrandScrape.objects.get(workspace=workspace)
    assert queued == [scrape.pk]
    assert body["object"] == "job" and body["status"] == "queued"
    assert body["data"] == {"job_id": f"bx_s{scrape.pk}"}

    BrandScrape.objects.filter(pk=scrape.pk).update(status=BrandScrape.Status.SUCCEEDED,
                                                    finished_at=timezone.now())
    job = api.get(f"/api/v1/jobs/bx_s{scrape.pk}", {"expand": "brand"}).json()
    assert job["status"] == "completed"
    assert job["data"]["type"] == "brand_extraction"
    assert job["data"]["expanded"]["brand"]["id"] == str(scrape.brand_id)
    assert job["data"]["job_result"]["brand"]["id"] == str(scrape.brand_id)


def test_brand_extract_from_a_logo_makes_the_brand_at_once(api, workspace):
    logo = base64.b64encode(product_photo()).decode()

    response = api.post("/api/v1/brands/extract", {"logoBase64": logo})

    assert response.status_code == 202
    job_id = response.json()["data"]["job_id"]
    job = api.get(f"/api/v1/jobs/{job_id}", {"expand": "brand"}).json()
    assert job["status"] == "completed"
    brand = Brand.objects.get(workspace=workspace)
    assert brand.status == Brand.Status.READY
    assert brand.logo
    assert brand.color_primary.lower() == "#e600b4"
    assert job["data"]["expanded"]["brand"]["logo_url"]


def test_brand_extract_refuses_an_image_that_is_not_one(api, workspace):
    before = state(workspace)

    response = api.post("/api/v1/brands/extract", {
        "imagesBase64": [base64.b64encode(b"<html></html>").decode()]})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_reference_image"
    assert response.json()["error"]["param"] == "imagesBase64[0]"
    assert Brand.objects.filter(workspace=workspace).count() == 0
    assert state(workspace) == before
