"""The sweeper's stages and the one claim it shares with the admin "retry" action."""

from datetime import timedelta

import pytest
from django.contrib.admin.sites import AdminSite
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory
from django.utils import timezone

from generations import pipeline
from generations.admin import JobAdmin
from generations.models import Job, JobStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(monkeypatch):
    sent = []
    monkeypatch.setattr("generations.tasks.plan_job.delay", sent.append)
    monkeypatch.setattr("generations.tasks.render_concept.delay", sent.append)
    return sent


def _job(workspace, *, status, idle_seconds=0, attempts=0):
    job = Job.objects.create(workspace=workspace, status=status, format="static", count=1,
                             credits_charged=0, attempts=attempts, request={})
    Job.objects.filter(pk=job.pk).update(
        updated_at=timezone.now() - timedelta(seconds=idle_seconds))
    return job


def test_the_claim_publishes_a_stale_job_once(workspace, published):
    job = _job(workspace, status=JobStatus.PROCESSING, idle_seconds=600)
    idle_before = timezone.now() - timedelta(seconds=120)

    first = pipeline.requeue_job(job_id=job.pk, idle_before=idle_before)
    second = pipeline.requeue_job(job_id=job.pk, idle_before=idle_before)

    assert (first, second) == (True, False)
    assert published == [job.pk]
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED


def test_the_claim_leaves_a_finished_job_alone(workspace, published):
    job = _job(workspace, status=JobStatus.COMPLETED, idle_seconds=600)

    assert pipeline.requeue_job(job_id=job.pk) is False
    assert published == []
    assert Job.objects.get(pk=job.pk).status == JobStatus.COMPLETED


def test_sweep_counts_each_stage(workspace, published):
    lost = _job(workspace, status=JobStatus.QUEUED, idle_seconds=600)
    fresh = _job(workspace, status=JobStatus.QUEUED, idle_seconds=0)
    dying = _job(workspace, status=JobStatus.PROCESSING, idle_seconds=600, attempts=3)

    counts = pipeline.sweep()

    assert counts == {"republished": 1, "requeued": 0, "failed": 1}
    assert published == [lost.pk]
    assert Job.objects.get(pk=fresh.pk).status == JobStatus.QUEUED
    assert Job.objects.get(pk=dying.pk).status == JobStatus.FAILED


def test_the_admin_retry_uses_the_same_claim(workspace, published, admin_user):
    planning = _job(workspace, status=JobStatus.PROCESSING)
    done = _job(workspace, status=JobStatus.COMPLETED)
    request = RequestFactory().post("/admin/")
    request.user = admin_user
    request.session = {}
    request._messages = FallbackStorage(request)

    JobAdmin(Job, AdminSite()).retry_jobs(request, Job.objects.all())

    assert published == [planning.pk]
    assert Job.objects.get(pk=planning.pk).status == JobStatus.QUEUED
    assert Job.objects.get(pk=done.pk).status == JobStatus.COMPLETED
    assert [str(m) for m in request._messages] == ["1 job(s) re-queued."]
