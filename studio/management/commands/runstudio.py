"""Start the whole studio on one machine: database migrated, web server and a Celery worker."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from billing import services as ledger
from billing.selectors import account_for_workspace
from studio.models import User
from studio.services import user_get_or_create, workspace_create

DEMO_EMAIL = "demo@example.com"
DEMO_CREDITS = 500


class Command(BaseCommand):
    help = (
        "Run Creative Studio: migrate, create the demo account on first run, start the web "
        "server and one Celery worker, stop both on Ctrl-C."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-worker", action="store_true",
                            help="Serve the web app only (run workers elsewhere).")
        parser.add_argument("--concurrency", type=int, default=min(2, os.cpu_count() or 1),
                            help="Worker pool size (default: up to 2).")

    def handle(self, *args, host: str, port: int, no_worker: bool, concurrency: int, **options):
        import uvicorn

        self.stdout.write("Preparing the database…")
        call_command("migrate", interactive=False, verbosity=0)
        self._ensure_demo_account()

        # The socket is bound here, so a taken port is a clear error and --port 0 works.
        listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind((host, port))
        except OSError as exc:
            listener.close()
            raise CommandError(f"Cannot listen on {host}:{port}: {exc}") from exc
        # The production server's protocol (ASGI, see docs/api.md) in one process: long-poll
        # and server-sent-event requests hold a coroutine, not a thread.
        server = uvicorn.Server(uvicorn.Config(
            "studio.asgi:application", lifespan="off", log_level="warning",
            timeout_graceful_shutdown=10))
        worker = None if no_worker else self._start_worker(concurrency)

        def _stop(signum, frame):
            raise KeyboardInterrupt

        # uvicorn shuts down gracefully on SIGTERM, then re-raises it: end up in `finally`.
        signal.signal(signal.SIGTERM, _stop)
        url = f"http://{host}:{listener.getsockname()[1]}/"
        self.stdout.write(self.style.SUCCESS(f"Creative Studio is running at {url}"))
        self.stdout.write(f"Data folder: {settings.STUDIO_DATA_DIR}. Press Ctrl-C to stop.")
        sys.stdout.flush()
        try:
            server.run(sockets=[listener])  # returns on Ctrl-C or SIGTERM
        except KeyboardInterrupt:
            pass
        finally:
            self.stdout.write("Stopping…")
            listener.close()
            if worker is not None:
                self._stop_worker(worker)
            self.stdout.write("Stopped.")

    def _ensure_demo_account(self) -> None:
        """Create the demo user with its workspace once; the password is shown only then."""
        if User.objects.filter(email__iexact=DEMO_EMAIL).exists():
            return
        password = secrets.token_urlsafe(12)
        with transaction.atomic():
            user, _ = user_get_or_create(email=DEMO_EMAIL, password=password)
            workspace = workspace_create(name="Demo studio", owner=user)
            account = account_for_workspace(workspace)
            ledger.grant(account=account, credits=DEMO_CREDITS - account.balance,
                         memo="Demo credits", reference="demo-credits")
        self.stdout.write(self.style.WARNING(
            f"Demo account created: {DEMO_EMAIL} / {password}  (shown once; keep it)"
        ))

    def _start_worker(self, concurrency: int) -> subprocess.Popen:
        command = [
            sys.executable, "-m", "celery", "-A", "studio", "worker",
            "--loglevel=INFO", f"--concurrency={concurrency}", "-Q", "default,render,io",
            "--without-gossip", "--without-mingle",
            # The sweeper's schedule runs inside this one worker.
            "--beat", f"--schedule={settings.STUDIO_DATA_DIR / 'celerybeat-schedule'}",
        ]
        self.stdout.write("Starting the worker…")
        # Own process group: Ctrl-C in the terminal reaches us, and we stop the worker cleanly.
        return subprocess.Popen(command, start_new_session=True)

    def _stop_worker(self, worker: subprocess.Popen) -> None:
        if worker.poll() is not None:
            return
        worker.send_signal(signal.SIGTERM)  # warm shutdown: finish or requeue the current task
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
