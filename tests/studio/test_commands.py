import io
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from django.core.management import CommandError, call_command

from studio.models import Membership, Role, User, Workspace

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_createworkspace_creates_owner_and_prints_slug_last():
    out = io.StringIO()

    call_command("createworkspace", "Northwind Coffee", owner="barista@example.com", stdout=out)

    slug = out.getvalue().strip().splitlines()[-1]
    workspace = Workspace.objects.get(slug=slug)
    assert workspace.name == "Northwind Coffee"
    owner = User.objects.get(email="barista@example.com")
    assert Membership.objects.get(workspace=workspace, user=owner).role == Role.OWNER


@pytest.mark.django_db
def test_createworkspace_grants_credits_on_top_of_the_welcome_bonus():
    from billing.models import LedgerEntry
    from billing.selectors import account_for_workspace

    out = io.StringIO()
    call_command("createworkspace", "Acme", owner="ops@example.com", credits=200, stdout=out)

    workspace = Workspace.objects.get(slug=out.getvalue().strip().splitlines()[-1])
    account = account_for_workspace(workspace)
    assert account.balance == 250
    assert sorted(LedgerEntry.objects.filter(account=account).values_list("kind", "amount")) == [
        ("bonus", 50), ("grant", 200)]


@pytest.mark.django_db
def test_createworkspace_refuses_a_bad_email_and_creates_nothing():
    with pytest.raises(CommandError, match="e-mail"):
        call_command("createworkspace", "X", owner="not-an-email", stdout=io.StringIO())

    assert not Workspace.objects.exists()
    assert not User.objects.exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_runstudio_serves_the_studio_and_stops_cleanly(tmp_path):
    """The embedded runtime: no DATABASE_URL, no broker URL, a fresh data folder."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "SECRET_KEY", "DEBUG")}
    env["STUDIO_DATA_DIR"] = str(tmp_path / "data")
    env["DJANGO_SETTINGS_MODULE"] = "studio.settings"
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runstudio", "--port", str(port)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 90
        health = None
        while time.monotonic() < deadline:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stdout.read()
                time.sleep(0.3)
        assert health is not None and health.status_code == 200
        login = httpx.get(f"http://127.0.0.1:{port}/accounts/login/", timeout=5)
        assert login.status_code == 200
        assert "Sign In" in login.text
        ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
        assert ready.json()["checks"] == {"database": "ok", "broker": "ok"}
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=40)
    assert process.returncode == 0, output
    assert "Demo account created: demo@example.com / " in output
    assert f"Creative Studio is running at http://127.0.0.1:{port}/" in output
    assert "Stopped." in output
    assert (tmp_path / "data" / "studio.sqlite3").exists()


def test_production_settings_without_secret_key_fail_with_a_clear_message(tmp_path):
    env = {**os.environ, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
           "DEBUG": "0", "STUDIO_DATA_DIR": str(tmp_path)}
    env.pop("SECRET_KEY", None)

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=REPO, env={**env, "DJANGO_SETTINGS_MODULE": "studio.settings"},
        capture_output=True, text=True, timeout=60,
    )

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
