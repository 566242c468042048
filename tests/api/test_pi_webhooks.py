"""Registered webhooks: /api/v1/webhooks (HTTPS only, secret 8-500 characters never shown
again), job.completed / job.failed through the shared outbox, and X-Pi-Signature checked by an
independent HMAC over the raw body."""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx
import pytest
from django.db import transaction
from django.utils import timezone

from api import webhooks
from api.models import WebhookDelivery, WebhookEndpoint
from generations import events
from generations.models import Job, JobStatus, Surface
from tests.api.test_pi_jobs import completed_job
from tests.brands.test_http import PUBLIC_IP, Recorder, client_with

HOOK = "https://hooks.example.com/pi"
SECRET = "pi-webhook-secret-0123456789"


def register(api, url: str = HOOK, secret: str = SECRET):
    return api.post("/api/v1/webhooks", {"endpoint_url": url, "secret": secret})


def test_register_list_and_pause_without_ever_showing_the_secret(api, workspace):
    created = register(api)

    assert created.status_code == 201
    body = created.json()
    assert body["object"] == "webhook"
    webhook = body["data"]
    assert set(webhook) == {"object", "id", "endpoint_url", "is_active", "created_at",
                            "updated_at"}
    assert webhook["endpoint_url"] == HOOK and webhook["is_active"] is True
    listed = api.get("/api/v1/webhooks").json()
    assert listed["object"] == "list"
    assert [w["id"] for w in listed["data"]["data"]] == [webhook["id"]]
    assert SECRET not in json.dumps(listed) and SECRET not in json.dumps(body)

    paused = api.client.patch(f"/api/v1/webhooks/{webhook['id']}",
                              json.dumps({"is_active": False}),
                              content_type="application/json",
                              headers={"Authorization": f"Bearer {api.key}"})

    assert paused.status_code == 200
    assert paused.json()["data"]["is_active"] is False
    assert WebhookEndpoint.objects.get().is_active is False


@pytest.mark.parametrize(("secret", "accepted"), [
    ("s" * 7, False), ("s" * 8, True), ("s" * 500, True), ("s" * 501, False)])
def test_the_secret_length_boundaries(api, workspace, secret, accepted):
    response = register(api, secret=secret)

    if accepted:
        assert response.status_code == 201
        assert WebhookEndpoint.objects.get().secret == secret
    else:
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "invalid_secret"
        assert WebhookEndpoint.objects.count() == 0


@pytest.mark.parametrize("url", ["http://hooks.example.com/pi", "ftp://hooks.example.com/",
                                 "not a url"])
def test_only_https_endpoints_are_registered(api, workspace, settings, url):
    settings.STUDIO_OUTBOUND_ALLOW_LOOPBACK = True  # even where loopback http is allowed

    response = register(api, url=url)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_endpoint_url"
    assert WebhookEndpoint.objects.count() == 0


def test_another_workspaces_webhook_is_404(api, other_api, workspace):
    webhook_id = register(api).json()["data"]["id"]

    response = other_api.client.patch(f"/api/v1/webhooks/{webhook_id}",
                                      json.dumps({"is_active": False}),
                                      content_type="application/json",
                                      headers={"Authorization": f"Bearer {other_api.key}"})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "webhook_not_found"
    assert WebhookEndpoint.objects.get().is_active is True
    assert other_api.get("/api/v1/webhooks").json()["data"]["data"] == []


def _finish(job: Job, django_capture_on_commit_callbacks, published: list) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        events.job_terminal.send(sender=Job, job_id=job.pk)
    assert published  # the delivery was handed to the queue after commit


def test_a_completed_job_is_delivered_signed_with_x_pi_signature(
        api, workspace, ready_brand, django_capture_on_commit_callbacks, monkeypatch):
    published: list[int] = []
    monkeypatch.setattr("api.tasks.deliver_webhook.delay", published.append)
    register(api)
    register(api, url="https://paused.example.com/pi")
    paused = WebhookEndpoint.objects.get(endpoint_url="https://paused.example.com/pi")
    paused.is_active = False
    paused.save()
    job = completed_job(workspace, ready_brand)
    _finish(job, django_capture_on_commit_callbacks, published)
    [delivery] = WebhookDelivery.objects.filter(job_public_id=job.public_id)
    recorder = Recorder()

    delivered = webhooks.deliver(delivery_id=delivery.pk, client=client_with(
        {"hooks.example.com": [PUBLIC_IP]}, recorder))

    assert delivered.status == WebhookDelivery.Status.DELIVERED
    [sent] = recorder.requests
    raw = sent.content
    expected = hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    assert sent.headers["X-Pi-Signature"] == f"sha256={expected}"
    assert sent.headers["X-Pi-Event"] == "job.completed"
    assert "X-Dessert-Signature" not in sent.headers
    payload = json.loads(raw)
    assert payload["id"].startswith("evt_pi_")
    assert payload["object"] == "event" and payload["type"] == "job.completed"
    assert payload["job_id"] == job.public_id
    assert payload["result_url"].startswith("http://127.0.0.1:8000/")
    assert payload["error"] is None
    assert payload["metadata"] == {"campaign": "q3"}
    assert payload["client_reference_id"] == "run-9"


def test_a_failed_job_sends_job_failed_and_a_retry_keeps_the_event_id(
        api, workspace, ready_brand, django_capture_on_commit_callbacks, monkeypatch):
    published: list[int] = []
    monkeypatch.setattr("api.tasks.deliver_webhook.delay", published.append)
    register(api)
    job = Job.objects.create(workspace=workspace, brand=ready_brand, format="static", count=1,
                             surface=Surface.OPENAI, status=JobStatus.FAILED,
                             error_code="render_failed", error_message="no encoder",
                             finished_at=timezone.now(), request={"sizes": ["1:1"]})
    _finish(job, django_capture_on_commit_callbacks, published)
    delivery = WebhookDelivery.objects.get(job_public_id=job.public_id)
    failing = Recorder(lambda request: httpx.Response(503, text="busy"))

    first = webhooks.deliver(delivery_id=delivery.pk, client=client_with(
        {"hooks.example.com": [PUBLIC_IP]}, failing))
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    ok = Recorder()
    second = webhooks.deliver(delivery_id=delivery.pk, client=client_with(
        {"hooks.example.com": [PUBLIC_IP]}, ok))

    assert first.status == WebhookDelivery.Status.PENDING and first.last_status_code == 503
    assert second.status == WebhookDelivery.Status.DELIVERED and second.attempts == 2
    ids = {json.loads(r.content)["id"] for r in (*failing.requests, *ok.requests)}
    assert len(ids) == 1
    assert ok.requests[0].headers["X-Pi-Event"] == "job.failed"
    assert json.loads(ok.requests[0].content)["error"] == {"code": "render_failed",
                                                           "message": "no encoder"}


def test_jobs_of_other_surfaces_do_not_go_to_registered_webhooks(
        api, workspace, ready_brand, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr("api.tasks.deliver_webhook.delay", lambda pk: None)
    register(api)
    job = completed_job(workspace, ready_brand)
    Job.objects.filter(pk=job.pk).update(surface=Surface.DESSERT)

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        events.job_terminal.send(sender=Job, job_id=job.pk)

    assert not WebhookDelivery.objects.filter(job_public_id=job.public_id).exists()
