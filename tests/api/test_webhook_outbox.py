"""The webhook outbox: the delivery row is written in the transaction that finishes the job,
so a broker that is down at that moment loses nothing; the sweeper sends it later."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from api import webhooks
from api.models import WebhookDelivery
from generations import pipeline
from generations.models import Concept, ConceptStatus, Job, JobStatus
from tests.studio.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rendering_job(db):
    workspace = WorkspaceFactory()
    from billing.services import account_for_workspace, debit, grant

    account = account_for_workspace(workspace)
    grant(account=account, credits=100, memo="test")
    job = Job.objects.create(workspace=workspace, status=JobStatus.RENDERING, format="static",
                             count=1, credits_charged=5, request={"sizes": ["9:16"]},
                             webhook_url="https://hooks.example.com/studio")
    debit(account=account, credits=5, reference=f"job:{job.public_id}", job_id=job.public_id,
          memo="1 × static ad")
    Concept.objects.create(job=job, index=0, copy_angle="sensory", headline="Glow",
                           template_slug="product-hero", style_id="soft-gradient",
                           status=ConceptStatus.RENDERING, credits=5)
    return job


def _broker_down(*args, **kwargs):
    raise ConnectionError("Error 111 connecting to 127.0.0.1:6399. Connection refused.")


def test_the_delivery_row_commits_with_the_finished_job_even_if_the_broker_is_down(
        rendering_job, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr("api.tasks.deliver_webhook.delay", _broker_down)
    concept = rendering_job.concepts.get()

    with django_capture_on_commit_callbacks(execute=True):
        pipeline.fail_concept(concept_id=concept.pk, code="render_failed", message="boom")

    rendering_job.refresh_from_db()
    assert rendering_job.status == JobStatus.FAILED
    delivery = WebhookDelivery.objects.get()
    assert (delivery.event, delivery.status, delivery.attempts) == (
        "delivery.failed", WebhookDelivery.Status.PENDING, 0)
    assert delivery.payload["delivery_id"] == rendering_job.public_id


def test_no_delivery_row_when_the_finishing_transaction_rolls_back(rendering_job):
    concept = rendering_job.concepts.get()

    with pytest.raises(RuntimeError), transaction.atomic():
        pipeline.fail_concept(concept_id=concept.pk, code="render_failed", message="boom")
        raise RuntimeError("the finishing transaction fails")

    rendering_job.refresh_from_db()
    assert rendering_job.status == JobStatus.RENDERING
    assert WebhookDelivery.objects.count() == 0


def test_the_sweeper_publishes_what_the_outage_left_behind(rendering_job, monkeypatch):
    concept = rendering_job.concepts.get()
    pipeline.fail_concept(concept_id=concept.pk, code="render_failed", message="boom")
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=10))
    sent = []
    monkeypatch.setattr("api.tasks.deliver_webhook.delay", sent.append)

    assert webhooks.dispatch_due_deliveries() == 1
    assert sent == [delivery.pk]


def test_the_sweeper_leaves_fresh_and_in_flight_deliveries_to_their_sender(rendering_job,
                                                                           monkeypatch):
    concept = rendering_job.concepts.get()
    pipeline.fail_concept(concept_id=concept.pk, code="render_failed", message="boom")
    sent = []
    monkeypatch.setattr("api.tasks.deliver_webhook.delay", sent.append)

    assert webhooks.dispatch_due_deliveries() == 0  # written just now: its publish is on way
    WebhookDelivery.objects.update(next_attempt_at=timezone.now() + timedelta(seconds=30))
    assert webhooks.dispatch_due_deliveries() == 0  # claimed by a sender
    assert sent == []


def test_a_job_without_a_webhook_url_writes_no_row(rendering_job):
    Job.objects.filter(pk=rendering_job.pk).update(webhook_url="")
    concept = rendering_job.concepts.get()

    pipeline.fail_concept(concept_id=concept.pk, code="render_failed", message="boom")

    assert WebhookDelivery.objects.count() == 0
