"""API fixtures: a workspace with a ready default brand, credits and an API key; a client that
sends the key as a bearer token."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import Client

from api.keys import api_key_create
from billing import services as ledger
from billing.services import account_for_workspace
from brands.models import Brand, Product
from generations.models import Job
from tests.studio.factories import WorkspaceFactory


class ApiClient:
    """Django's test client speaking JSON with ``Authorization: Bearer <key>``."""

    def __init__(self, key: str | None):
        self.client = Client()
        self.key = key

    def _headers(self, headers: dict | None) -> dict:
        base = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        return {**base, **(headers or {})}

    def get(self, path: str, params: dict | None = None, headers: dict | None = None):
        return self.client.get(path, params or {}, headers=self._headers(headers))

    def post(self, path: str, body=None, headers: dict | None = None, raw: bytes | None = None,
             content_type: str = "application/json"):
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.client.post(path, data, content_type=content_type,
                                headers=self._headers(headers))


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def ready_brand(workspace):
    brand = Brand.objects.create(workspace=workspace, name="Lumen Skin", status=Brand.Status.READY,
                                 is_default=True, color_primary="#C8553D")
    Product.objects.create(workspace=workspace, brand=brand, name="Glow Serum")
    return brand


@pytest.fixture
def funded(workspace):
    """The workspace's account at exactly 250 credits."""
    account = account_for_workspace(workspace)
    ledger.grant(account=account, credits=250 - account.balance, memo="test credits",
                 reference="test-credits")
    account.refresh_from_db()
    return account


@pytest.fixture
def api_key(workspace, owner):
    return api_key_create(workspace=workspace, name="CI", created_by=owner)


@pytest.fixture
def api(api_key):
    return ApiClient(api_key.plaintext)


@pytest.fixture
def other_api(db):
    other = WorkspaceFactory(name="Globex Coffee")
    return ApiClient(api_key_create(workspace=other, name="Globex").plaintext)


def state(workspace) -> dict:
    """What a refused request must leave unchanged."""
    account = account_for_workspace(workspace)
    return {"balance": account.balance, "jobs": Job.objects.filter(workspace=workspace).count(),
            "entries": account.entries.count()}


@pytest.fixture
def kit(workspace):
    """Brand kit 42, the id the reference's examples use."""
    return Brand.objects.create(pk=42, workspace=workspace, name="Lumen Skin",
                                status=Brand.Status.READY, is_default=True,
                                color_primary="#C8553D", color_background="#FFF8F0",
                                tagline="Skin that glows from within")


@pytest.fixture
def eager(settings):
    """Tasks run in-process when the submit commits: the whole pipeline per request."""
    from studio.celery import app

    # Read first: Celery loads its conf from the Django settings lazily, on first read, and
    # would take the eager setting below for the value to restore.
    was = app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = was
