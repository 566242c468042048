"""Idempotency-Key: replay, 409 on a changed body, 24 h expiry, concurrent duplicates."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from api.keys import api_key_create
from api.models import IdempotencyRecord
from billing import services as ledger
from billing.services import account_for_workspace
from brands.models import Brand
from generations.briefs import AdBrief
from generations.models import Job
from generations.services import submit_job
from studio.exceptions import Conflict
from tests.api.conftest import ApiClient, state
from tests.studio.factories import WorkspaceFactory


def test_same_key_with_a_changed_body_is_409_and_changes_nothing(api, workspace, ready_brand,
                                                                  funded):
    headers = {"Idempotency-Key": "batch-7"}
    assert api.post("/v1/ads/generate", {"count": 1}, headers=headers).status_code == 202
    before = state(workspace)

    response = api.post("/v1/ads/generate", {"count": 2}, headers=headers)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_mismatch"
    assert state(workspace) == before


def test_key_order_and_whitespace_do_not_change_the_fingerprint(api, workspace, ready_brand,
                                                                funded):
    headers = {"Idempotency-Key": "same"}
    api.post("/v1/ads/generate", raw=b'{"count": 1, "format": "static"}', headers=headers)

    again = api.post("/v1/ads/generate", raw=b'{"format":"static","count":1}', headers=headers)

    assert again.status_code == 202
    assert again.json()["replayed_from_idempotency_key"] is True
    assert Job.objects.filter(workspace=workspace).count() == 1


def test_records_expire_after_24_hours(api, workspace, ready_brand, funded):
    headers = {"Idempotency-Key": "daily"}
    first = api.post("/v1/ads/generate", {"format": "static"}, headers=headers).json()
    record = IdempotencyRecord.objects.get(key="daily")
    assert record.expires_at - record.created_at == timedelta(hours=24)
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1))

    second = api.post("/v1/ads/generate", {"format": "static"}, headers=headers)

    assert second.status_code == 202
    assert "replayed_from_idempotency_key" not in second.json()
    assert second.json()["delivery_id"] != first["delivery_id"]
    assert Job.objects.filter(workspace=workspace).count() == 2


def test_an_unusable_key_is_400(api, workspace, ready_brand, funded):
    before = state(workspace)

    response = api.post("/v1/ads/generate", {}, headers={"Idempotency-Key": "k" * 256})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_idempotency_key"
    assert state(workspace) == before


def test_keys_are_per_workspace(api, other_api, workspace, ready_brand, funded):
    headers = {"Idempotency-Key": "shared-name"}
    api.post("/v1/ads/generate", {"format": "static"}, headers=headers)

    response = other_api.post("/v1/ads/generate", {"count": 9}, headers=headers)

    assert response.json()["error"]["code"] == "no_brand_selected"


def test_submit_job_refuses_a_changed_brief_under_a_used_key(workspace, ready_brand, funded,
                                                             monkeypatch):
    monkeypatch.setattr("generations.services.enqueue_job", lambda job_id: None)
    submit_job(workspace=workspace, brief=AdBrief(count=1), idempotency_key="k1")
    before = state(workspace)

    with pytest.raises(Conflict) as refused:
        submit_job(workspace=workspace, brief=AdBrief(count=2), idempotency_key="k1")

    assert refused.value.code == "idempotency_key_mismatch"
    assert refused.value.status == 409
    assert state(workspace) == before


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_duplicates_make_one_job_and_one_debit(monkeypatch):
    monkeypatch.setattr("generations.services.enqueue_job", lambda job_id: None)
    workspace = WorkspaceFactory()
    Brand.objects.create(workspace=workspace, name="Lumen", status=Brand.Status.READY,
                         is_default=True)
    account = account_for_workspace(workspace)
    ledger.grant(account=account, credits=950, memo="test", reference="t")
    key = api_key_create(workspace=workspace, name="burst", rate_limit_per_minute=1000).plaintext
    barrier = threading.Barrier(50)
    results: list = [None] * 50

    def send(index: int) -> None:
        try:
            client = ApiClient(key)
            barrier.wait()
            response = client.post("/v1/ads/generate", {"count": 2, "format": "static"},
                                   headers={"Idempotency-Key": "burst-1"})
            results[index] = (response.status_code, response.json())
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [status for status, _ in results] == [202] * 50
    assert len({body["delivery_id"] for _, body in results}) == 1
    assert sum(bool(body.get("replayed_from_idempotency_key")) for _, body in results) == 49
    assert Job.objects.filter(workspace=workspace).count() == 1
    account.refresh_from_db()
    assert account.balance == 1000 - 10
    assert account.entries.filter(kind="debit").count() == 1


def test_the_periodic_purge_drops_only_expired_records(api, workspace, ready_brand, funded):
    from api.tasks import purge_idempotency_records

    api.post("/v1/ads/generate", {"format": "static"}, headers={"Idempotency-Key": "old"})
    api.post("/v1/ads/generate", {"format": "static"}, headers={"Idempotency-Key": "new"})
    IdempotencyRecord.objects.filter(key="old").update(
        expires_at=timezone.now() - timedelta(minutes=1))

    assert purge_idempotency_records() == 1

    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
