"""Fixtures for pipeline tests: a ready brand with a product photo, credits, and real Celery
workers started as subprocesses against the test database and Redis."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection

from billing import services as ledger
from billing.services import account_for_workspace
from brands.models import Brand, Product, ProductImage
from generations.render.samples import dropper_bottle

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def brand(workspace):
    brand = Brand.objects.create(
        workspace=workspace, name="Lumen Skin", status=Brand.Status.READY, is_default=True,
        color_primary="#C8553D", color_secondary="#F2D0A4", color_accent="#588B8B",
        color_background="#FFF8F0", color_text="#2D1E2F", heading_font="Inter",
        body_font="Inter", tagline="Skin that glows from within",
        tone_of_voice="warm, expert, reassuring",
        value_props=["Dermatologist tested", "Vegan formula", "Visible glow in 7 days"],
        language="en",
    )
    return brand


@pytest.fixture
def product(brand):
    product = Product.objects.create(workspace=brand.workspace, brand=brand,
                                     name="Glow Serum", description="Vitamin C brightening serum",
                                     price="34.00", currency="USD")
    image = ProductImage(product=product)
    image.image.save("glow-serum.png", ContentFile(dropper_bottle()), save=True)
    return product


@pytest.fixture
def credits(workspace):
    """The workspace's account topped up to 500 credits."""
    account = account_for_workspace(workspace)
    ledger.grant(account=account, credits=500 - account.balance, memo="test credits")
    account.refresh_from_db()
    return account


def worker_environment(tmp_path: Path) -> dict[str, str]:
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "studio.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "STUDIO_DATA_DIR": str(tmp_path / "worker-data"),
        "STUDIO_HTTPS": "0",
        "STUDIO_OUTBOUND_ALLOW_LOOPBACK": "1",
        "SITE_URL": "http://127.0.0.1:8000",
    })
    return env


class Workers:
    """Real ``celery worker`` processes; each in its own process group so SIGKILL is total."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.processes: list[subprocess.Popen] = []

    def start(self, *, concurrency: int = 2, extra_env: dict[str, str] | None = None
              ) -> subprocess.Popen:
        log = open(self.tmp_path / f"worker-{len(self.processes)}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "studio", "worker", "--loglevel=INFO",
             f"--concurrency={concurrency}", "-Q", "default,render,io", "--without-gossip",
             "--without-mingle", "--without-heartbeat", "-n", f"test{len(self.processes)}@%h"],
            cwd=REPO, env={**worker_environment(self.tmp_path), **(extra_env or {})},
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    def logs(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.tmp_path.glob("worker-*.log")))


def _flush_broker() -> None:
    """Drop this run's queued messages: only keys under its prefix (tests/settings.py), never
    anything else in the Redis database."""
    import redis

    prefix = settings.CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"]
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    keys = list(client.scan_iter(match=f"{prefix}*", count=500))
    if keys:
        client.delete(*keys)


@pytest.fixture
def workers(tmp_path):
    _flush_broker()
    pool = Workers(tmp_path)
    yield pool
    pool.stop_all()
    _flush_broker()


def wait_for(predicate, *, timeout: float, interval: float = 0.2, message: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s: {message}")
