"""Fault tests on real Celery workers, PostgreSQL and a Redis of the test's own (another port;
the machine's Redis is never stopped): a worker SIGKILLed mid-render and a broker stopped
while a job finishes. Nobody calls the sweeper by hand: the workers recover on their own."""

from __future__ import annotations

import os
import time

import kombu.pools
import pytest
from django.conf import settings

from api.models import WebhookDelivery
from billing.models import LedgerEntry
from billing.services import account_for_workspace
from generations.briefs import AdBrief
from generations.models import ConceptStatus, Job, JobStatus
from generations.services import submit_job
from studio.celery import app as celery_app
from tests.api.test_webhooks import Receiver
from tests.generations.conftest import Workers, wait_for
from tests.redis_server import RedisServer

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

def _use_broker(url: str) -> None:
    settings.CELERY_BROKER_URL = url
    # Celery reads CELERY_BROKER_URL from the environment before its own setting: without
    # this, this process would go on publishing to the machine's Redis, and only the workers'
    # own sweep would bring the work over.
    os.environ["CELERY_BROKER_URL"] = url
    celery_app.conf.broker_url = url
    # kombu keeps connection and producer pools in process-wide registries keyed by the
    # connection: closing the app's pool alone leaves a closed pool there for the next test
    # that publishes to the old URL. reset() closes every pool and empties the registries.
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def own_broker(tmp_path):
    server = RedisServer(tmp_path).start()
    previous = settings.CELERY_BROKER_URL
    _use_broker(server.url)
    yield server
    server.stop()
    _use_broker(previous)


@pytest.fixture
def fault_workers(tmp_path, own_broker):
    pool = Workers(tmp_path)
    yield pool
    pool.stop_all()


def _terminal(job: Job):
    job.refresh_from_db()
    return job if job.is_terminal else None


def _assert_ledger_balanced(workspace, job: Job) -> None:
    account = account_for_workspace(workspace)
    entries = LedgerEntry.objects.filter(account=account)
    assert account.balance == sum(e.amount for e in entries)
    assert account.balance == 500 - job.credits_charged + job.credits_refunded


def test_a_sigkilled_worker_is_recovered_without_anyone_sweeping(
        workspace, brand, product, credits, fault_workers, settings):
    first = fault_workers.start(concurrency=2)
    job = submit_job(workspace=workspace,
                     brief=AdBrief(count=2, format="full", sizes=("9:16",), duration=3)).job
    wait_for(lambda: job.concepts.filter(status=ConceptStatus.RENDERING).exists(), timeout=90,
             message="no concept started rendering")

    fault_workers.kill(first)
    fault_workers.start(concurrency=2)
    # How fast is bench/recovery.py's question (median 16 s); here: that it happens at all.
    job = wait_for(lambda: _terminal(job), timeout=120, interval=0.25,
                   message="job never reached a terminal state")

    assert job.status == JobStatus.COMPLETED, fault_workers.logs()
    assert sorted(job.concepts.values_list("status", flat=True)) == [ConceptStatus.COMPLETED] * 2
    assert max(job.concepts.values_list("attempts", flat=True)) == 2  # taken over, once
    _assert_ledger_balanced(workspace, job)


def test_a_webhook_survives_a_broker_outage_as_its_job_finishes(
        workspace, brand, product, credits, own_broker, fault_workers, settings):
    settings.STUDIO_OUTBOUND_ALLOW_LOOPBACK = True
    fault_workers.start(concurrency=1)
    with Receiver([200]) as receiver:
        job = submit_job(workspace=workspace,
                         brief=AdBrief(count=1, format="full", sizes=("9:16", "4:5", "1:1"),
                                       duration=4),
                         webhook_url=receiver.url).job
        wait_for(lambda: job.concepts.filter(status=ConceptStatus.RENDERING).exists(),
                 timeout=90, message="no concept started rendering")

        own_broker.stop()  # the broker is down while the job finishes
        job = wait_for(lambda: _terminal(job), timeout=120, interval=0.25,
                       message="job did not finish while the broker was down")
        delivery = WebhookDelivery.objects.get(job_public_id=job.public_id)
        assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.PENDING, 0)
        assert receiver.requests == []
        own_broker.start()  # same port, empty: every message published before is gone

        wait_for(lambda: receiver.requests, timeout=60, message="the webhook never arrived")
        time.sleep(8)  # several sweeps later: still one delivery

    assert job.status == JobStatus.COMPLETED, fault_workers.logs()
    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.DELIVERED, 1)
    assert WebhookDelivery.objects.filter(job_public_id=job.public_id).count() == 1
    _assert_ledger_balanced(workspace, job)
