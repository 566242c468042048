"""submit_job: one transaction that charges and queues, or refuses having changed nothing."""

import pytest

from billing.exceptions import InsufficientCredits
from billing.models import LedgerEntry
from brands.models import Brand
from generations.briefs import AdBrief
from generations.errors import (
    BrandNotFound,
    BrandNotReady,
    InvalidRequest,
    OrchestrationFailed,
    ProductNotFound,
)
from generations.models import Job, JobStatus
from generations.services import submit_job


def _job_and_ledger_counts(workspace):
    return (Job.objects.filter(workspace=workspace).count(),
            LedgerEntry.objects.filter(account__workspace=workspace).count())


def test_submit_charges_and_queues_a_job(workspace, brand, product, credits, owner,
                                         django_capture_on_commit_callbacks, monkeypatch):
    published = []
    monkeypatch.setattr("generations.tasks.plan_job.delay", published.append)

    with django_capture_on_commit_callbacks(execute=True):
        submission = submit_job(workspace=workspace, created_by=owner,
                                brief=AdBrief(count=3, format="full"))

    job = submission.job
    assert job.status == JobStatus.QUEUED
    assert job.credits_charged == 45  # 3 full ads at 15 credits
    assert submission.credits_balance_after == 455
    assert job.brand == brand
    assert job.request["brand_id"] == brand.pk
    assert published == [job.pk]
    entry = LedgerEntry.objects.get(reference=f"job:{job.public_id}")
    assert entry.amount == -45
    assert entry.balance_after == 455
    assert job.public_id.startswith("rec") and len(job.public_id) == 17
    assert job.request_id.startswith("req_") and len(job.request_id) == 28


def test_static_ads_cost_five_credits_each(workspace, brand, product, credits, monkeypatch):
    monkeypatch.setattr("generations.tasks.plan_job.delay", lambda job_id: None)

    submission = submit_job(workspace=workspace, brief=AdBrief(count=2, format="static"))

    assert submission.job.credits_charged == 10
    assert submission.credits_balance_after == 490


@pytest.mark.parametrize(("brief", "code"), [
    (AdBrief(count=0), "invalid_count"),
    (AdBrief(count=11), "invalid_count"),
    (AdBrief(format="gif"), "invalid_format"),
    (AdBrief(copy_angle="fear"), "invalid_copy_angle"),
    (AdBrief(animation_prompts=("Nope",)), "invalid_animation_prompt"),
    (AdBrief(sizes=("3:2",)), "invalid_sizes"),
    (AdBrief(duration=30), "invalid_duration"),
])
def test_invalid_briefs_change_nothing(workspace, brand, product, credits, brief, code):
    before = _job_and_ledger_counts(workspace)

    with pytest.raises(InvalidRequest) as refused:
        submit_job(workspace=workspace, brief=brief)

    assert refused.value.code == code
    assert _job_and_ledger_counts(workspace) == before
    credits.refresh_from_db()
    assert credits.balance == 500


def test_brand_still_onboarding_is_refused_without_charge(workspace, brand, credits):
    brand.status = Brand.Status.ONBOARDING
    brand.save()
    before = _job_and_ledger_counts(workspace)

    with pytest.raises(BrandNotReady) as refused:
        submit_job(workspace=workspace, brief=AdBrief())

    assert refused.value.code == "brand_onboarding_in_progress"
    assert _job_and_ledger_counts(workspace) == before


def test_another_workspaces_brand_or_product_is_not_found(workspace, brand, product, credits,
                                                          other_workspace):
    other_brand = Brand.objects.create(workspace=other_workspace, name="Globex",
                                       status=Brand.Status.READY)
    before = _job_and_ledger_counts(workspace)

    with pytest.raises(BrandNotFound):
        submit_job(workspace=workspace, brief=AdBrief(brand_id=other_brand.pk))
    with pytest.raises(ProductNotFound):
        submit_job(workspace=workspace, brief=AdBrief(product_ids=(product.pk + 999,)))

    assert _job_and_ledger_counts(workspace) == before


def test_insufficient_credits_creates_no_job(workspace, brand, product):
    before = _job_and_ledger_counts(workspace)  # the 50-credit welcome bonus only

    with pytest.raises(InsufficientCredits) as refused:
        submit_job(workspace=workspace, brief=AdBrief(count=4, format="full"))

    assert str(refused.value) == "Balance 50 credits, need 60."
    assert _job_and_ledger_counts(workspace) == before


def test_broker_down_at_submit_charges_nothing_and_keeps_no_job(workspace, brand, product,
                                                                credits, monkeypatch):
    from studio.celery import app

    # Nothing listens on port 1.
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    monkeypatch.setattr(app.conf, "broker_write_url", "redis://127.0.0.1:1/0")
    before = _job_and_ledger_counts(workspace)

    with pytest.raises(OrchestrationFailed) as refused:
        submit_job(workspace=workspace, brief=AdBrief(count=2))

    assert refused.value.code == "orchestration_failed"
    assert _job_and_ledger_counts(workspace) == before
    credits.refresh_from_db()
    assert credits.balance == 500


def test_same_idempotency_key_returns_the_same_job(workspace, brand, product, credits,
                                                   monkeypatch):
    monkeypatch.setattr("generations.tasks.plan_job.delay", lambda job_id: None)
    first = submit_job(workspace=workspace, brief=AdBrief(count=1), idempotency_key="batch-1")

    second = submit_job(workspace=workspace, brief=AdBrief(count=1), idempotency_key="batch-1")

    assert second.replayed is True
    assert second.job.pk == first.job.pk
    credits.refresh_from_db()
    assert credits.balance == 485
