"""POST /api/platform/generate and the generation reads: the reference's example verbatim,
every documented limit at the boundary and just past it (nothing charged past it), the brief
it becomes, and another workspace's generation or upload answering 404."""

from __future__ import annotations

import pytest

from billing import pricing
from billing import services as ledger
from brands.models import Brand
from generations.models import Asset, Job, Surface
from generations.services import upload_create
from tests.api.adcreator_helpers import completed_generation, image_bytes
from tests.api.conftest import state

URL = "/api/platform/generate"
# The reference's curl body, byte for byte.
CURL_BODY = b"""{
    "prompt": "Luxury perfume bottle on marble surface, soft studio lighting",
    "modelId": "nano-banana-2",
    "aspectRatio": "1:1",
    "stylePreset": "studio-product"
  }"""
IMAGE_CREDITS = pricing.IMAGE_MODEL_CREDITS["local-image"]


def _body(**changes) -> dict:
    return {"prompt": "A serum bottle on wet stone", "modelId": "local-image", **changes}


def test_the_curl_example_is_202_processing_and_charges_the_listed_price(api, workspace,
                                                                         ready_brand, funded):
    response = api.post(URL, raw=CURL_BODY)

    assert response.status_code == 202
    job = Job.objects.get(workspace=workspace)
    assert response.json() == {"id": job.public_id, "status": "processing"}
    assert job.surface == Surface.ADCREATOR
    assert job.format == "static"
    assert job.credits_charged == IMAGE_CREDITS
    brief = job.request
    assert brief["prompt"] == "Luxury perfume bottle on marble surface, soft studio lighting"
    assert brief["model"] == "local-image"  # the reference's id, rendered by the local model
    assert brief["sizes"] == ["1:1"]
    assert brief["style_preset"] == "studio-white"
    assert brief["count"] == 1
    funded.refresh_from_db()
    assert funded.balance == 250 - IMAGE_CREDITS


def test_every_field_maps_onto_the_brief(api, workspace, ready_brand, funded):
    upload = upload_create(workspace=workspace, content=image_bytes("PNG"))

    response = api.post(URL, _body(aspectRatio="9:16", stylePreset="marble-luxe",
                                   negativePrompt="no text", inputImagePath=upload.file.name,
                                   batchCount=3))

    assert response.status_code == 202
    job = Job.objects.get(workspace=workspace)
    assert job.count == 3
    assert job.credits_charged == 3 * IMAGE_CREDITS
    assert job.request["sizes"] == ["9:16"]
    assert job.request["style_preset"] == "marble-luxe"
    assert job.request["featured_styles"] == ["marble-luxe"]
    assert job.request["negative_prompt"] == "no text"
    assert job.request["reference_uploads"] == [upload.public_id]


def test_aspect_ratio_and_batch_count_default_to_1_1_and_one(api, workspace, ready_brand,
                                                             funded):
    response = api.post(URL, _body())

    assert response.status_code == 202
    job = Job.objects.get(workspace=workspace)
    assert (job.request["sizes"], job.count) == (["1:1"], 1)


@pytest.mark.parametrize("changes", [
    {"prompt": "abc"}, {"prompt": "x" * 1000}, {"negativePrompt": "n" * 500},
    {"batchCount": 1}, {"batchCount": 4},
], ids=["prompt-3", "prompt-1000", "negative-500", "batch-1", "batch-4"])
def test_limits_at_the_boundary_are_accepted(api, workspace, ready_brand, funded, changes):
    response = api.post(URL, _body(**changes))

    assert response.status_code == 202, response.json()


@pytest.mark.parametrize("changes, field", [
    ({"prompt": "ab"}, "prompt"), ({"prompt": "x" * 1001}, "prompt"),
    ({"negativePrompt": "n" * 501}, "negativePrompt"),
    ({"batchCount": 0}, "batchCount"), ({"batchCount": 5}, "batchCount"),
    ({"batchCount": 2.5}, "batchCount"), ({"aspectRatio": "3:2"}, "aspectRatio"),
    ({"modelId": "dall-e-9"}, "modelId"), ({"stylePreset": "no-such-style"}, "stylePreset"),
    ({"prompt": None}, "prompt"), ({"modelId": None}, "modelId"),
], ids=["prompt-2", "prompt-1001", "negative-501", "batch-0", "batch-5", "batch-fraction",
        "aspect", "model", "style", "no-prompt", "no-model"])
def test_limits_just_past_are_400_and_charge_nothing(api, workspace, ready_brand, funded,
                                                     changes, field):
    before = state(workspace)

    response = api.post(URL, {key: value for key, value in _body(**changes).items()
                              if value is not None})

    assert response.status_code == 400
    assert response.json()["field"] == field
    assert state(workspace) == before


def test_a_body_that_is_not_a_json_object_is_400(api, workspace, ready_brand, funded):
    before = state(workspace)

    assert api.post(URL, ["prompt"]).status_code == 400
    assert api.post(URL, raw=b"{not json").status_code == 400
    assert state(workspace) == before


def test_not_enough_credits_is_402_and_charges_nothing(api, workspace, ready_brand, funded):
    ledger.debit(account=funded, credits=250 - (4 * IMAGE_CREDITS - 1), reference="spend")
    before = state(workspace)

    response = api.post(URL, _body(batchCount=4))

    assert response.status_code == 402
    assert response.json()["code"] == "insufficient_credits"
    assert state(workspace) == before


@pytest.mark.parametrize("brand_status, code", [
    (None, "no_brand_selected"), (Brand.Status.ONBOARDING, "brand_onboarding_in_progress")])
def test_a_workspace_without_a_ready_brand_is_422_generation_failed(api, workspace, funded,
                                                                    brand_status, code):
    if brand_status is not None:
        Brand.objects.create(workspace=workspace, name="Lumen", status=brand_status,
                             is_default=True)
    before = state(workspace)

    response = api.post(URL, _body())

    assert response.status_code == 422
    assert response.json()["code"] == code
    assert state(workspace) == before


def test_generate_needs_the_write_scope(workspace, ready_brand, funded):
    from api.keys import api_key_create
    from tests.api.conftest import ApiClient

    reader = ApiClient(api_key_create(workspace=workspace, name="read",
                                      scopes=["generations:read"]).plaintext)
    before = state(workspace)

    response = reader.post(URL, _body())

    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    assert state(workspace) == before
    assert reader.get("/api/platform/generations").status_code == 200


def test_another_workspaces_upload_path_is_404_and_charges_nothing(api, other_api, workspace,
                                                                   ready_brand, funded):
    other_path = other_api.post("/api/platform/upload", raw=image_bytes("PNG"),
                                content_type="image/png").json()["path"]
    before = state(workspace)

    theirs = api.post(URL, _body(inputImagePath=other_path))
    missing = api.post(URL, _body(inputImagePath="uploads/0/recNope/image.png"))

    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["code"] == "upload_not_found"
    assert state(workspace) == before


def test_the_same_idempotency_key_replays_one_generation(api, workspace, ready_brand, funded):
    headers = {"Idempotency-Key": "gen-1"}

    first = api.post(URL, _body(), headers=headers)
    again = api.post(URL, _body(), headers=headers)
    changed = api.post(URL, _body(prompt="Something else entirely"), headers=headers)

    assert first.status_code == again.status_code == 202
    assert first.json() == again.json()
    assert changed.status_code == 409
    assert Job.objects.filter(workspace=workspace).count() == 1


# Reads ------------------------------------------------------------------------------------
def test_a_processing_generation_has_a_null_image_url(api, workspace, ready_brand, funded):
    generation_id = api.post(URL, _body()).json()["id"]

    response = api.get(f"/api/platform/generations/{generation_id}")

    assert response.status_code == 200
    generation = response.json()["generation"]
    assert generation["id"] == generation_id
    assert generation["status"] == "processing"
    assert generation["image_url"] is None
    assert generation["prompt"] == "A serum bottle on wet stone"
    assert generation["model_id"] == "local-image"
    assert generation["created_at"].endswith("Z")


def test_a_completed_generation_has_its_image_url(api, workspace, ready_brand):
    job = completed_generation(workspace, ready_brand)

    generation = api.get(f"/api/platform/generations/{job.public_id}").json()["generation"]

    assert generation["status"] == "completed"
    asset = Asset.objects.get(job=job)
    assert generation["image_url"].startswith("http://")
    assert generation["images"] == [generation["image_url"]]
    image = api.client.get(generation["image_url"].split("127.0.0.1:8000", 1)[-1])
    assert image.status_code == 200
    assert b"".join(image.streaming_content) == asset.file.open("rb").read()


def test_the_list_is_newest_first_with_limit_and_offset(api, workspace, ready_brand, funded):
    ids = [api.post(URL, _body(prompt=f"Prompt number {n}")).json()["id"] for n in range(3)]
    # A Dessert delivery is not an adcreator generation.
    api.post("/v1/ads/generate", {"format": "static"})

    everything = api.get("/api/platform/generations").json()
    page = api.get("/api/platform/generations", {"limit": 1, "offset": 1}).json()

    assert [g["id"] for g in everything["generations"]] == ids[::-1]
    assert (everything["limit"], everything["offset"], everything["total"]) == (50, 0, 3)
    assert [g["id"] for g in page["generations"]] == [ids[1]]


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"limit": "x"},
                                    {"offset": -1}, {"offset": 1_000_000_001},
                                    {"offset": 16770133339475606037856256}])
def test_bad_list_parameters_are_400(api, db, params):
    assert api.get("/api/platform/generations", params).status_code == 400


def test_the_largest_offset_is_an_empty_page(api, db):
    response = api.get("/api/platform/generations", {"limit": 100, "offset": 1_000_000_000})

    assert response.status_code == 200
    assert response.json()["generations"] == []


def test_delete_removes_the_generation_and_its_files(api, workspace, ready_brand):
    job = completed_generation(workspace, ready_brand)
    asset = Asset.objects.get(job=job)
    storage, name = asset.file.storage, asset.file.name
    assert storage.exists(name)

    response = api.client.delete(f"/api/platform/generations/{job.public_id}",
                                 headers={"Authorization": f"Bearer {api.key}"})

    assert response.status_code == 200
    assert response.json() == {"deleted": True}
    assert not Job.objects.filter(pk=job.pk).exists()
    assert not storage.exists(name)
    assert api.get(f"/api/platform/generations/{job.public_id}").status_code == 404


def test_a_processing_generation_cannot_be_deleted(api, workspace, ready_brand, funded):
    generation_id = api.post(URL, _body()).json()["id"]

    response = api.client.delete(f"/api/platform/generations/{generation_id}",
                                 headers={"Authorization": f"Bearer {api.key}"})

    assert response.status_code == 409
    assert Job.objects.filter(public_id=generation_id).exists()


def test_another_workspace_gets_404_on_a_generation_and_cannot_delete_it(other_api, workspace,
                                                                         ready_brand):
    job = completed_generation(workspace, ready_brand)
    headers = {"Authorization": f"Bearer {other_api.key}"}

    read = other_api.get(f"/api/platform/generations/{job.public_id}")
    delete = other_api.client.delete(f"/api/platform/generations/{job.public_id}",
                                     headers=headers)
    listed = other_api.get("/api/platform/generations").json()["generations"]

    assert read.status_code == delete.status_code == 404
    assert read.json()["code"] == "generation_not_found"
    assert listed == []
    assert Job.objects.filter(pk=job.pk).exists()
