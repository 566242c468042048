"""POST /api/v1/run and /tasks, GET /tasks/{id}, POST /tasks/{id}/cancel and the task webhook:
the reference's bodies verbatim through the eager pipeline, and every refusal leaving the
balance, the jobs and the uploads as they were."""

from __future__ import annotations

import io
import json
import threading
from urllib.parse import urlsplit

import pytest
from PIL import Image
from standardwebhooks.webhooks import Webhook

from api import webhooks
from api.keys import api_key_create
from api.models import Scope, WebhookDelivery
from billing import services as ledger
from billing.models import LedgerEntry
from billing.services import account_for_workspace
from brands.models import Brand
from generations import pipeline
from generations.models import Asset, ConceptStatus, Job, JobStatus, Surface, Upload
from tests.api.conftest import ApiClient, state
from tests.api.inference_helpers import (
    APP_PAGE_BODY,
    FILES_BODY,
    RUN_BODY,
    SCENE_RESOLUTIONS,
    WEBHOOK_BODY,
    ImageHost,
    run_pipeline,
)

SCENE_CREDITS = 5  # one static ad per scene
TASK_CREDITS = 4 * SCENE_CREDITS


@pytest.fixture(autouse=True)
def no_publish(monkeypatch):
    """The test is the worker: nothing is published to the broker."""
    monkeypatch.setattr("generations.tasks.plan_job.delay", lambda *args: None)
    monkeypatch.setattr("generations.tasks.render_concept.delay", lambda *args: None)
    monkeypatch.setattr("api.tasks.deliver_webhook.delay", lambda *args: None)


@pytest.fixture
def broke(workspace):
    """The workspace's account at 0 credits."""
    account = account_for_workspace(workspace)
    ledger.adjust(account=account, credits=-account.balance, memo="test: no credits")
    return account


@pytest.fixture
def loopback(settings):
    settings.STUDIO_OUTBOUND_ALLOW_LOOPBACK = True
    return settings


def _task(response) -> Job:
    return Job.objects.get(public_id=response.json()["id"].removeprefix("task_"))


def _file(client, url: str) -> bytes:
    response = client.get(urlsplit(url).path)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_the_reference_run_body_renders_one_png_scene_per_size(api, workspace, ready_brand,
                                                               funded, client):
    response = api.post("/api/v1/run", RUN_BODY)

    assert response.status_code == 200
    job = _task(response)
    assert response.json() == {
        "id": f"task_{job.public_id}", "status": 2, "input": {}, "output": None, "error": "",
        "session_id": None, "created_at": response.json()["created_at"],
        "updated_at": response.json()["updated_at"]}
    assert job.surface == Surface.INFERENCE
    assert job.request["templates"] == ["plain-scene"]  # no template_id: 1061
    funded.refresh_from_db()
    assert funded.balance == 250 - TASK_CREDITS

    run_pipeline(job)
    task = api.get(f"/api/v1/tasks/task_{job.public_id}").json()

    assert task["status"] == 9
    assert task["error"] == ""
    scenes = task["output"]["result"]
    assert [s["name"] for s in scenes] == ["scene_1", "scene_2", "scene_3", "scene_4"]
    assert [(s["resolution"]["width"], s["resolution"]["height"]) for s in scenes] == \
        SCENE_RESOLUTIONS
    for scene in scenes:
        content = _file(client, scene["url"])
        image = Image.open(io.BytesIO(content))
        assert image.format == "PNG"
        assert image.size == (scene["resolution"]["width"], scene["resolution"]["height"])
        asset = Asset.objects.get(public_id=scene["id"])
        assert asset.size_bytes == len(content) > 10_000
        assert scene["editor_iframe"].endswith(f"/jobs/{job.public_id}/#concept-"
                                               f"{asset.concept.public_id}")


def test_post_tasks_is_the_same_as_run(api, workspace, ready_brand, funded):
    response = api.post("/api/v1/tasks", APP_PAGE_BODY)

    assert response.status_code == 200
    assert response.json()["status"] == 2
    assert response.json()["input"] == {"template_id": "1061"}
    assert _task(response).request["templates"] == ["plain-scene"]


def test_the_files_example_runs_with_its_unknown_inputs_ignored(api, workspace, ready_brand,
                                                                funded):
    response = api.post("/api/v1/run", FILES_BODY)

    assert response.status_code == 200
    job = run_pipeline(_task(response))
    assert job.status == JobStatus.COMPLETED
    assert response.json()["input"] == FILES_BODY["input"]
    assert Upload.objects.count() == 0  # a path is not fetched


def test_the_webhook_example_gets_the_signed_task_result(api, workspace, ready_brand, funded,
                                                         django_capture_on_commit_callbacks):
    response = api.post("/api/v1/run", WEBHOOK_BODY)
    job = _task(response)

    with django_capture_on_commit_callbacks(execute=True):
        run_pipeline(job)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.event, delivery.target_url) == ("task.completed",
                                                     "https://your-server.com/webhook")
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    headers = webhooks.signed_headers(workspace=workspace, message_id=delivery.message_id,
                                      body=body, sent_at=delivery.created_at)
    verified = Webhook(webhooks.standard_webhooks_secret(workspace)).verify(body, headers)
    assert set(verified) == {"id", "status", "output", "error", "session_id", "created_at",
                             "updated_at"}
    assert verified["id"] == f"task_{job.public_id}"
    assert verified["status"] == 9
    assert verified["error"] == ""
    assert verified["session_id"] is None
    assert len(verified["output"]["result"]) == 4


def test_the_branded_template_uses_the_named_brand_and_fills_elements(api, workspace,
                                                                      ready_brand, funded):
    other = Brand.objects.create(workspace=workspace, name="Noir Roast",
                                 status=Brand.Status.READY, color_primary="#C8A165")
    body = {"app": "bria/ads-generate", "input": {
        "template_id": "1062", "brand_id": str(other.pk),
        "elements": [
            {"layer_type": "text", "content_type": "Heading #1", "content": "Slow roast"},
            {"layer_type": "text", "content_type": "Body #1", "content": ""},
            {"layer_type": "text", "content_type": "Body #2", "content": "Order now"},
            {"layer_type": "text", "content_type": "Heading #4", "content": "no slot"},
        ]}}

    response = api.post("/api/v1/run", body)

    assert response.status_code == 200
    job = run_pipeline(_task(response))
    assert job.brand == other
    assert job.status == JobStatus.COMPLETED
    concepts = list(job.concepts.order_by("index"))
    assert {(c.template_slug, c.headline, c.cta) for c in concepts} == {
        ("product-hero", "Slow roast", "Order now")}
    # An empty element is ignored (Bria): the body stays whatever the copywriter wrote.
    assert job.request["extra"]["copy"] == {"headline": "Slow roast", "cta": "Order now"}
    assert len({c.style_id for c in concepts}) == 1  # one ad, in every size


def test_template_ids_map_onto_the_catalogue(api, workspace, ready_brand, funded):
    response = api.post("/api/v1/run", {"app": "bria/ads-generate", "input": {
        "template_id": "1069", "brand_id": str(ready_brand.pk)}})

    assert response.status_code == 200
    assert _task(response).request["templates"] == ["minimal-luxury"]


def test_a_plain_template_ignores_brand_id(api, workspace, ready_brand, funded):
    response = api.post("/api/v1/run", {"app": "bria/ads-generate", "input": {
        "template_id": "1061", "brand_id": "999999"}})

    assert response.status_code == 200
    assert _task(response).brand == ready_brand


def test_smart_image_is_fetched_stored_and_drawn_as_the_product(api, workspace, ready_brand,
                                                                funded, loopback):
    with ImageHost() as host:
        body = {"app": "bria/ads-generate", "input": {
            "template_id": "1061",
            "smart_image": {"input_image_url": f"{host.url}/serum.png",
                            "scene": {"operation": "lifestyle_shot_by_text",
                                      "input": "#1E3A5F"}}}}
        response = api.post("/api/v1/run", body)

    assert response.status_code == 200
    job = _task(response)
    upload = Upload.objects.get(workspace=workspace)
    assert upload.file.read() == host.photo
    assert job.request["extra"]["product_upload"] == upload.public_id
    assert job.request["extra"]["background_color"] == "#1E3A5F"
    assert job.request["in_situ"] is True
    # Each scene is a static ad plus the in-situ scene.
    assert job.credits_charged == 4 * (SCENE_CREDITS + 8)
    job = run_pipeline(job)
    assert job.status == JobStatus.COMPLETED
    assert job.concepts.filter(status=ConceptStatus.COMPLETED).count() == 4


def test_a_lifestyle_prompt_steers_the_style(api, workspace, ready_brand, funded, loopback):
    with ImageHost() as host:
        response = api.post("/api/v1/run", {"app": "bria/ads-generate", "input": {
            "smart_image": {"input_image_url": f"{host.url}/serum.png",
                            "scene": {"operation": "lifestyle_shot_by_text",
                                      "input": "on a marble bathroom shelf"}}}})

    job = _task(response)
    assert job.request["style_search"] == "on a marble bathroom shelf"
    assert job.request["prompt"] == "on a marble bathroom shelf"


@pytest.mark.parametrize("path", ["/missing.png", "/notes.txt"])
def test_an_unusable_image_url_is_brias_422_and_changes_nothing(api, workspace, ready_brand,
                                                                funded, loopback, path):
    before = state(workspace)
    with ImageHost() as host:
        response = api.post("/api/v1/run", {"app": "bria/ads-generate", "input": {
            "smart_image": {"input_image_url": host.url + path,
                            "scene": {"operation": "expand_image"}}}})

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == ("URL does not point to a valid image or is "
                                         "inaccessible")
    assert state(workspace) == before
    assert Upload.objects.count() == 0


def test_a_private_address_is_refused_through_the_safe_client(api, workspace, ready_brand,
                                                              funded, settings):
    settings.STUDIO_OUTBOUND_ALLOW_LOOPBACK = False
    before = state(workspace)

    response = api.post("/api/v1/run", {"app": "bria/ads-generate", "input": {
        "smart_image": {"input_image_url": "http://127.0.0.1:9/serum.png"}}})

    assert response.status_code == 422
    assert state(workspace) == before


def test_a_refused_submit_keeps_no_fetched_image(api, workspace, ready_brand, broke,
                                                 loopback):
    before = state(workspace)
    with ImageHost() as host:
        response = api.post("/api/v1/run", {"app": "bria/ads-generate", "input": {
            "smart_image": {"input_image_url": f"{host.url}/serum.png"}}})

    assert response.status_code == 402
    assert response.json()["code"] == "insufficient_credits"
    assert state(workspace) == before
    assert Upload.objects.count() == 0


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"app": "acme/other-app", "input": {}}, 404, "app_not_found"),
    ({"app": "bria/ads-generate@nope123", "input": {}}, 404, "app_not_found"),
    ({"input": {}}, 400, "invalid_app"),
    ({"app": "bria/ads-generate"}, 400, "invalid_input"),
    ({"app": "bria/ads-generate", "input": {"template_id": "1062"}}, 400, "brand_id_required"),
    ({"app": "bria/ads-generate", "input": {"template_id": "1062", "brand_id": "999999"}},
     404, "brand_not_found"),
    ({"app": "bria/ads-generate", "input": {"template_id": "9999"}}, 400,
     "invalid_template_id"),
    ({"app": "bria/ads-generate", "input": {"elements": [
        {"layer_type": "image", "content_type": "Heading #1", "content": "x"}]}}, 400,
     "invalid_elements"),
    ({"app": "bria/ads-generate", "input": {"elements": [
        {"layer_type": "text", "content_type": "Heading #6", "content": "x"}]}}, 400,
     "invalid_elements"),
    ({"app": "bria/ads-generate", "input": {"elements": [
        {"layer_type": "text", "content_type": "Heading #1", "content": "x" * 201}]}}, 400,
     "invalid_elements"),
    ({"app": "bria/ads-generate", "input": {"smart_image": {
        "input_image_url": "https://example.com/a.png", "scene": {"operation": "zoom"}}}},
     400, "invalid_smart_image"),
    ({"app": "bria/ads-generate", "input": {"content_moderation": True}}, 400,
     "content_moderation_unavailable"),
    ({"app": "bria/ads-generate", "input": {}, "session": "new"}, 400, "invalid_session"),
    ({"app": "bria/ads-generate", "input": {}, "session_timeout": 60}, 400,
     "invalid_session_timeout"),
    ({"app": "bria/ads-generate", "input": {}, "infra": "moon"}, 400, "invalid_infra"),
    ({"app": "bria/ads-generate", "input": {}, "webhook": "ftp://example.com/x"}, 400,
     "invalid_webhook_url"),
])
def test_refusals_answer_in_the_problem_shape_and_change_nothing(api, workspace, ready_brand,
                                                                 funded, body, status, code):
    before = state(workspace)

    response = api.post("/api/v1/run", body)

    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == code
    assert problem["status"] == status
    assert problem["detail"]
    assert problem["request_id"] == response["X-Request-Id"]
    assert state(workspace) == before


def test_without_credits_nothing_is_queued(api, workspace, ready_brand, broke):
    before = state(workspace)

    response = api.post("/api/v1/run", RUN_BODY)

    assert response.status_code == 402
    assert state(workspace) == before


def test_idempotency_key_replays_the_same_task(api, workspace, ready_brand, funded):
    headers = {"Idempotency-Key": "ads-2024-01"}
    first = api.post("/api/v1/run", RUN_BODY, headers=headers)
    again = api.post("/api/v1/run", RUN_BODY, headers=headers)

    assert first.json()["id"] == again.json()["id"]
    assert Job.objects.count() == 1


def test_tasks_of_another_workspace_are_404(api, other_api, workspace, ready_brand, funded):
    task_id = api.post("/api/v1/run", RUN_BODY).json()["id"]
    before = state(workspace)

    for response in (other_api.get(f"/api/v1/tasks/{task_id}"),
                     other_api.post(f"/api/v1/tasks/{task_id}/cancel")):
        assert response.status_code == 404
        assert response.json()["code"] == "task_not_found"
    assert state(workspace) == before
    assert Job.objects.get().status == JobStatus.QUEUED


def test_a_job_of_another_surface_is_not_a_task(api, workspace, ready_brand, funded):
    delivery = api.post("/v1/ads/generate", {"format": "static"}).json()["delivery_id"]

    assert api.get(f"/api/v1/tasks/task_{delivery}").status_code == 404
    assert api.get("/api/v1/tasks/nonsense").status_code == 404


def test_a_read_only_key_can_poll_but_not_run_or_cancel(workspace, ready_brand, funded, api):
    task_id = api.post("/api/v1/run", RUN_BODY).json()["id"]
    reader = ApiClient(api_key_create(workspace=workspace, name="reader",
                                      scopes=[Scope.GENERATIONS_READ]).plaintext)

    assert reader.get(f"/api/v1/tasks/{task_id}").status_code == 200
    assert reader.post("/api/v1/run", RUN_BODY).status_code == 403
    assert reader.post(f"/api/v1/tasks/{task_id}/cancel").status_code == 403
    assert Job.objects.get().status == JobStatus.QUEUED


def test_cancelling_a_queued_task_refunds_it_in_full(api, workspace, ready_brand, funded,
                                                     django_capture_on_commit_callbacks):
    body = {**RUN_BODY, "webhook": "https://your-server.com/webhook"}
    task_id = api.post("/api/v1/run", body).json()["id"]

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/tasks/{task_id}/cancel")

    assert response.status_code == 200
    assert response.json() == {"id": task_id, "status": 11, "cancelled": True}
    funded.refresh_from_db()
    assert funded.balance == 250
    assert api.get(f"/api/v1/tasks/{task_id}").json()["status"] == 11
    assert WebhookDelivery.objects.get().event == "task.cancelled"
    again = api.post(f"/api/v1/tasks/{task_id}/cancel")
    assert again.status_code == 409
    assert again.json()["code"] == "job_not_cancellable"


def test_cancel_mid_render_stops_at_a_frame_boundary_and_refunds_the_rest_exactly(
        api, workspace, ready_brand, funded, monkeypatch):
    """Scene 1 is stored; scene 2 is cancelled while it renders (laid out, not yet encoded);
    scenes 2-4 are refunded, scene 1 is kept and paid for."""
    monkeypatch.setattr(pipeline, "CHECKPOINT_SECONDS", 0)
    task_id = api.post("/api/v1/run", RUN_BODY).json()["id"]
    job = Job.objects.get()
    concept_ids = pipeline.plan(job_id=job.pk)
    pipeline.render(concept_id=concept_ids[0])

    main = threading.current_thread()
    steps: list[tuple[bool, float]] = []
    report = pipeline._report_progress

    def cancel_at_the_layouts_end(*, job_id, concept_id, fraction):
        report(job_id=job_id, concept_id=concept_id, fraction=fraction)
        in_main = threading.current_thread() is main
        steps.append((in_main, fraction))
        if in_main and sum(s[0] for s in steps) == 1:
            assert api.post(f"/api/v1/tasks/{task_id}/cancel").status_code == 200

    monkeypatch.setattr(pipeline, "_report_progress", cancel_at_the_layouts_end)
    pipeline.render(concept_id=concept_ids[1])
    for concept_id in concept_ids[2:]:
        pipeline.render(concept_id=concept_id)

    # Three layout stages, the laid-out scene (4 of 6 steps), then the cancel: the two encodes
    # after it never reported, and nothing of scene 2 was stored.
    assert steps[-1] == (True, pytest.approx(4 / 6))
    assert len(steps) == 4
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert (job.credits_charged, job.credits_refunded) == (TASK_CREDITS, 3 * SCENE_CREDITS)
    funded.refresh_from_db()
    assert funded.balance == 250 - SCENE_CREDITS
    refunds = LedgerEntry.objects.filter(job_id=job.public_id, kind=LedgerEntry.Kind.REFUND)
    assert [entry.amount for entry in refunds] == [3 * SCENE_CREDITS]
    assert set(Asset.objects.filter(job=job).values_list("concept_id", flat=True)) == {
        concept_ids[0]}
    task = api.get(f"/api/v1/tasks/{task_id}").json()
    assert task["status"] == 11
    assert [scene["name"] for scene in task["output"]["result"]] == ["scene_1"]


def test_the_editor_iframe_opens_the_tasks_job_page_for_a_member(api, workspace, ready_brand,
                                                                 funded, client, owner,
                                                                 outsider):
    job = run_pipeline(_task(api.post("/api/v1/run", RUN_BODY)))
    scene = api.get(f"/api/v1/tasks/task_{job.public_id}").json()["output"]["result"][0]
    path = urlsplit(scene["editor_iframe"]).path

    client.force_login(owner)
    page = client.get(path)
    client.force_login(outsider)
    refused = client.get(path)

    assert page.status_code == 200
    assert job.concepts.get(index=0).public_id in page.content.decode()
    assert refused.status_code == 404
