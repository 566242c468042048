"""Outbound webhooks: signed so stock verifiers accept them, retried until a 2xx."""

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from api import webhooks
from api.models import WebhookDelivery
from generations.models import Job, JobStatus
from tests.studio.factories import WorkspaceFactory


class Receiver:
    """A webhook endpoint on 127.0.0.1 answering with the scripted status codes in turn."""

    def __init__(self, statuses: list[int]):
        self.statuses = list(statuses)
        self.requests: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"nope")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/studio"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def finished_job(db, settings):
    settings.STUDIO_OUTBOUND_ALLOW_LOOPBACK = True
    workspace = WorkspaceFactory()
    return Job.objects.create(
        workspace=workspace, status=JobStatus.FAILED, format="static", count=1,
        credits_charged=5, credits_refunded=5, error_code="render_failed",
        error_message="encoder missing", finished_at=timezone.now(),
        request={"sizes": ["9:16", "4:5"]},
    )


def test_delivery_is_signed_for_dessert_and_standard_webhooks(finished_job,
                                                              django_capture_on_commit_callbacks,
                                                              monkeypatch):
    monkeypatch.setattr("api.tasks.deliver_webhook.delay", lambda pk: None)
    with Receiver([200]) as receiver:
        finished_job.webhook_url = receiver.url
        finished_job.save()
        delivery = webhooks.webhook_enqueue_for_job(job_id=finished_job.pk)

        delivery = webhooks.deliver(delivery_id=delivery.pk)

    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert delivery.attempts == 1
    headers, body = receiver.requests[0]
    secret = finished_job.workspace.webhook_secret
    assert headers["x-dessert-signature"] == hmac.new(secret.encode(), body,
                                                      hashlib.sha256).hexdigest()
    verified = Webhook(webhooks.standard_webhooks_secret(finished_job.workspace)).verify(
        body, headers)
    assert verified["event"] == "delivery.failed"
    assert verified["delivery_id"] == finished_job.public_id
    assert verified["credits_refunded"] == 5
    assert verified["error"] == {"code": "render_failed", "message": "encoder missing"}
    assert json.loads(body)["request_id"] == finished_job.request_id


def test_a_500_is_retried_with_backoff_and_delivered(finished_job, monkeypatch):
    monkeypatch.setattr("api.tasks.deliver_webhook.delay", lambda pk: None)
    with Receiver([500, 200]) as receiver:
        finished_job.webhook_url = receiver.url
        finished_job.save()
        delivery = webhooks.webhook_enqueue_for_job(job_id=finished_job.pk)

        first = webhooks.deliver(delivery_id=delivery.pk)
        assert first.status == WebhookDelivery.Status.PENDING
        assert first.last_status_code == 500
        assert first.next_attempt_at > timezone.now() + timedelta(seconds=20)
        assert webhooks.due_deliveries() == []

        later = timezone.now() + timedelta(seconds=31)
        assert webhooks.due_deliveries(now=later) == [delivery.pk]
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        second = webhooks.deliver(delivery_id=delivery.pk)

    assert second.status == WebhookDelivery.Status.DELIVERED
    assert second.attempts == 2
    assert len(receiver.requests) == 2
    assert receiver.requests[0][0]["webhook-id"] == receiver.requests[1][0]["webhook-id"]


def test_private_targets_are_refused_without_retry(finished_job, settings, monkeypatch):
    monkeypatch.setattr("api.tasks.deliver_webhook.delay", lambda pk: None)
    settings.STUDIO_OUTBOUND_ALLOW_LOOPBACK = False
    finished_job.webhook_url = "http://127.0.0.1:9/hook"
    finished_job.save()
    delivery = webhooks.webhook_enqueue_for_job(job_id=finished_job.pk)

    delivery = webhooks.deliver(delivery_id=delivery.pk)

    assert delivery.status == WebhookDelivery.Status.FAILED
    assert "refused" in delivery.last_error


def test_a_terminal_event_is_recorded_once(finished_job, monkeypatch):
    monkeypatch.setattr("api.tasks.deliver_webhook.delay", lambda pk: None)
    finished_job.webhook_url = "https://hooks.example.com/studio"
    finished_job.save()

    webhooks.webhook_enqueue_for_job(job_id=finished_job.pk)
    webhooks.webhook_enqueue_for_job(job_id=finished_job.pk)

    assert WebhookDelivery.objects.count() == 1


def test_delivery_log_is_scoped_and_redeliver_is_404_elsewhere(finished_job, client,
                                                               outsider, monkeypatch):
    monkeypatch.setattr("api.tasks.deliver_webhook.delay", lambda pk: None)
    finished_job.webhook_url = "https://hooks.example.com/studio"
    finished_job.save()
    delivery = webhooks.webhook_enqueue_for_job(job_id=finished_job.pk)
    client.force_login(outsider)

    page = client.get("/settings/webhooks/")
    response = client.post(f"/settings/webhooks/{delivery.pk}/redeliver/")

    assert finished_job.public_id not in page.content.decode()
    assert response.status_code == 404
