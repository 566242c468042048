import io
import os
import signal
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
    from billing.services import account_for_workspace

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


def _processes_with_env(marker: str) -> list[int]:
    """Pids of live processes whose environment contains ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


@pytest.mark.slow
def test_runstudio_serves_the_studio_and_stops_cleanly_on_sigint(tmp_path):
    """The embedded runtime: no DATABASE_URL, no broker URL, a fresh data folder, started the
    way a script starts a background job (SIGINT ignored), stopped with SIGINT."""
    port = _free_port()
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "SECRET_KEY", "DEBUG",
                        "SITE_URL")}
    env["STUDIO_DATA_DIR"] = str(data)
    env["DJANGO_SETTINGS_MODULE"] = "studio.settings"
    process = subprocess.Popen(
        [sys.executable, str(REPO / "manage.py"), "runstudio", "--port", str(port)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
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
        worker_log = data / "logs" / "worker.log"
        # Beat opens its schedule file a moment after it logs that it started.
        while time.monotonic() < deadline and not list(data.glob("celerybeat-schedule*")):
            time.sleep(0.2)
        assert _processes_with_env(str(data)) != []
        # Links the worker writes (webhooks, file URLs) point at the port actually served.
        assert _processes_with_env(f"SITE_URL=http://127.0.0.1:{port}\0") != []
    finally:
        stop_sent = time.monotonic()
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=40)
    stop_seconds = time.monotonic() - stop_sent
    assert process.returncode == 0, output
    assert stop_seconds < 3, (stop_seconds, output)
    assert _processes_with_env(str(data)) == []  # the worker, its pool and beat are gone
    lines = output.strip().splitlines()
    box = lines[lines.index(next(line for line in lines if line.startswith("┌"))):]
    assert box[1].strip("│ ").startswith(f"Creative Studio is running at http://127.0.0.1:{port}/")
    assert box[2].strip("│ ").startswith("Sign in:  demo@example.com / ")
    assert box[3].strip("│ ") == f"Data folder: {data}"
    assert box[4].strip("│ ") == f"Worker log: {data / 'logs' / 'worker.log'}"
    assert box[5].startswith("│ Press Ctrl-C to stop.")
    assert box[6].startswith("└")
    assert box[7:] == ["Stopping…", "Stopped."]
    assert "No hostname was supplied" not in output + worker_log.read_text()
    assert "celery@" not in output  # the worker's banner went to its log
    assert (data / "studio.sqlite3").exists()
    assert list(data.glob("celerybeat-schedule*")) != []  # beat's state: in the data folder
    assert list(tmp_path.glob("celerybeat-schedule*")) == []


@pytest.mark.django_db
def test_reset_demo_password_gives_the_demo_user_a_new_password_and_nothing_else():
    from billing.models import LedgerEntry
    from studio.management.commands.runstudio import DEMO_EMAIL, Command

    first = Command()._ensure_demo_account(reset=False)
    assert Command()._ensure_demo_account(reset=False) is None
    entries = LedgerEntry.objects.count()

    second = Command()._ensure_demo_account(reset=True)

    user = User.objects.get(email=DEMO_EMAIL)
    assert second not in (None, first)
    assert user.check_password(second)
    assert not user.check_password(first)
    assert User.objects.count() == 1
    assert Workspace.objects.count() == 1
    assert LedgerEntry.objects.count() == entries  # no second round of demo credits


def test_stopping_a_busy_worker_waits_for_its_tasks_then_ends_its_process_group(
        tmp_path, settings):
    import threading

    from studio.management.commands.runstudio import Command

    settings.STUDIO_DATA_DIR = tmp_path
    out = io.StringIO()
    command = Command(stdout=out)
    active = command._activity_dir()
    active.mkdir(parents=True)
    (active / "task-1").touch()
    # Like a worker in warm shutdown: SIGTERM does not end it while it holds a task.
    worker = subprocess.Popen(
        [sys.executable, "-c",
         "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"],
        start_new_session=True)
    time.sleep(0.3)

    def finish_task():
        time.sleep(0.6)
        (active / "task-1").unlink()

    threading.Thread(target=finish_task).start()
    started = time.monotonic()
    command._stop_worker(worker, force=threading.Event())

    assert 0.5 < time.monotonic() - started < 3
    assert worker.returncode == -signal.SIGKILL
    assert "Waiting for 1 running task(s) to finish" in out.getvalue()


def test_stopping_an_idle_worker_is_immediate(tmp_path, settings):
    import threading

    from studio.management.commands.runstudio import Command

    settings.STUDIO_DATA_DIR = tmp_path
    worker = subprocess.Popen(["sleep", "60"], start_new_session=True)
    started = time.monotonic()

    Command()._stop_worker(worker, force=threading.Event())

    assert time.monotonic() - started < 1
    assert worker.returncode == -signal.SIGKILL


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
