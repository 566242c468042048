"""End to end through real Celery workers on Redis (not eager mode): submit → workers → files,
a worker SIGKILLed mid-job, and the webhook a finished job sends."""

import json

import pytest
from PIL import Image
from standardwebhooks.webhooks import Webhook

from api import webhooks
from billing.models import LedgerEntry
from billing.services import account_for_workspace
from generations import pipeline
from generations.briefs import AdBrief
from generations.models import Asset, ConceptStatus, Job, JobStatus
from generations.services import submit_job
from tests.api.test_webhooks import Receiver
from tests.generations.conftest import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _terminal(job: Job):
    job.refresh_from_db()
    return job if job.is_terminal else None


def test_submitted_job_is_rendered_by_workers_and_webhook_is_signed(
        workspace, brand, product, credits, workers, settings):
    settings.STUDIO_OUTBOUND_ALLOW_LOOPBACK = True
    workers.start(concurrency=2)
    with Receiver([200]) as receiver:
        submission = submit_job(workspace=workspace, brief=AdBrief(count=2, format="static"),
                                webhook_url=receiver.url)

        job = wait_for(lambda: _terminal(submission.job), timeout=90,
                       message="job did not finish")
        wait_for(lambda: receiver.requests, timeout=30, message="no webhook arrived")

    assert job.status == JobStatus.COMPLETED, workers.logs()
    assets = Asset.objects.filter(job=job, mime_type="image/png")
    assert sorted((a.aspect, a.width, a.height) for a in assets) == [
        ("4:5", 1080, 1350), ("4:5", 1080, 1350), ("9:16", 1080, 1920), ("9:16", 1080, 1920)]
    for asset in assets:
        with Image.open(asset.file.path) as image:
            assert image.size == (asset.width, asset.height)
    headers, body = receiver.requests[0]
    payload = Webhook(webhooks.standard_webhooks_secret(workspace)).verify(body, headers)
    assert payload["event"] == "delivery.completed"
    assert payload["ad_count"] == 4
    assert {ad["orientation"] for ad in payload["ads"]} == {"vertical", "square"}
    assert json.loads(body)["delivery_id"] == job.public_id


def test_a_worker_killed_mid_job_still_ends_in_a_terminal_state(
        workspace, brand, product, credits, workers, settings):
    settings.STUDIO_QUEUED_STALE_SECONDS = 2
    first = workers.start(concurrency=1, extra_env={"STUDIO_RENDER_LEASE_SECONDS": "3"})
    submission = submit_job(workspace=workspace,
                            brief=AdBrief(count=2, format="full", duration=4))
    job = submission.job

    wait_for(lambda: job.concepts.filter(status=ConceptStatus.RENDERING).exists(), timeout=60,
             message="no concept started rendering")
    workers.kill(first)
    workers.start(concurrency=2)

    def swept_to_the_end():
        pipeline.sweep()
        return _terminal(job)

    job = wait_for(swept_to_the_end, timeout=150, interval=2,
                   message="job never reached a terminal state")

    assert job.status in (JobStatus.COMPLETED, JobStatus.FAILED), workers.logs()
    account = account_for_workspace(workspace)
    entries = LedgerEntry.objects.filter(account=account)
    assert account.balance == sum(e.amount for e in entries)
    assert account.balance == 500 - job.credits_charged + job.credits_refunded
    if job.status == JobStatus.COMPLETED:
        assert job.concepts.filter(status=ConceptStatus.COMPLETED).count() + \
            job.concepts.filter(status=ConceptStatus.FAILED).count() == 2
