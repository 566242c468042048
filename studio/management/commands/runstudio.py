"""Start the whole studio on one machine: database migrated, web server and a Celery worker."""

from __future__ import annotations

import contextlib
import gc
import io
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from studio.celery import ACTIVITY_DIR_ENV
from studio.models import User
from studio.services import user_get_or_create, workspace_create

DEMO_EMAIL = "demo@example.com"
DEMO_CREDITS = 450  # on top of the 50-credit welcome bonus: 500 to play with
# A worker holding tasks gets this long to finish them (warm shutdown) before it is stopped;
# acknowledged-late tasks it still holds then are picked up again by the stale-job sweeper.
WARM_SHUTDOWN_SECONDS = 60


class _Stop(Exception):
    """Raised by the SIGINT/SIGTERM handler to leave the server loop."""


class Command(BaseCommand):
    help = (
        "Run Creative Studio: migrate, create the demo account on first run, start the web "
        "server and one Celery worker, stop both on Ctrl-C or SIGTERM."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-worker", action="store_true",
                            help="Serve the web app only (run workers elsewhere).")
        parser.add_argument("--concurrency", type=int, default=min(2, os.cpu_count() or 1),
                            help="Worker pool size (default: up to 2).")
        parser.add_argument("--reset-demo-password", action="store_true",
                            help=f"Give {DEMO_EMAIL} a new password (shown once), then start.")

    def handle(self, *args, host: str, port: int, no_worker: bool, concurrency: int,
               reset_demo_password: bool, **options):
        import uvicorn

        self.stdout.write("Preparing the database…")
        call_command("migrate", interactive=False, verbosity=0)
        password = self._ensure_demo_account(reset=reset_demo_password)

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
            timeout_graceful_shutdown=2))
        stopping, force = threading.Event(), threading.Event()

        def _stop(signum, frame):
            if stopping.is_set():  # a second Ctrl-C while stopping: stop the worker now
                force.set()
                return
            stopping.set()
            raise _Stop

        # Both, explicitly: a process started in the background by a script inherits SIGINT
        # ignored. uvicorn captures both while it serves, shuts down, then re-raises the signal
        # here, which ends up in ``finally``.
        signal.signal(signal.SIGINT, _stop)
        signal.signal(signal.SIGTERM, _stop)

        url = f"http://{host}:{listener.getsockname()[1]}/"
        if "SITE_URL" not in os.environ:
            # Links in API answers, webhooks and e-mails point at the address actually served
            # (the worker, started next, inherits it).
            os.environ["SITE_URL"] = settings.SITE_URL = url.rstrip("/")
        worker = None if no_worker else self._start_worker(concurrency, stopping)
        self._print_box(url=url, password=password, worker=worker is not None)
        # Everything loaded so far lives until exit: keep it out of the collector, so the
        # final collection at exit (seconds on a busy machine) does not delay the stop.
        gc.freeze()
        try:
            server.run(sockets=[listener])  # returns on Ctrl-C or SIGTERM
        except (_Stop, KeyboardInterrupt):
            pass
        finally:
            stopping.set()
            self.stdout.write("Stopping…")
            listener.close()
            if worker is not None:
                self._stop_worker(worker, force=force)
            self.stdout.write("Stopped.")

    # -----------------------------------------------------------------------------------------
    # The demo account
    # -----------------------------------------------------------------------------------------
    def _ensure_demo_account(self, *, reset: bool) -> str | None:
        """Create the demo user with its workspace once (or give it a new password when asked);
        the password is returned only then, to be shown once."""
        user = User.objects.filter(email__iexact=DEMO_EMAIL).first()
        if user is not None and not reset:
            return None
        password = secrets.token_urlsafe(12)
        if user is not None:
            user.set_password(password)
            user.save(update_fields=["password"])
            return password
        with transaction.atomic():
            user, _ = user_get_or_create(email=DEMO_EMAIL, password=password)
            workspace = workspace_create(name="Demo studio", owner=user)
            # Credits are billing's: its command grants them (studio imports no billing).
            call_command("grantcredits", workspace.slug, str(DEMO_CREDITS),
                         memo="Demo credits", reference="demo-credits",
                         stdout=io.StringIO())
        return password

    def _print_box(self, *, url: str, password: str | None, worker: bool) -> None:
        """The URL and the sign-in are the last lines printed, framed so they don't scroll
        away unnoticed; the worker writes to its log file, not here."""
        if password is not None:
            sign_in = f"Sign in:  {DEMO_EMAIL} / {password}   (shown once; keep it)"
        else:
            sign_in = (f"Sign in:  {DEMO_EMAIL} (lost the password? "
                       "manage.py runstudio --reset-demo-password)")
        lines = [
            f"Creative Studio is running at {url}",
            sign_in,
            f"Data folder: {settings.STUDIO_DATA_DIR}",
            f"Worker log: {self._worker_log()}" if worker else "No worker (--no-worker).",
            "Press Ctrl-C to stop.",
        ]
        width = max(len(line) for line in lines)
        out = ["┌" + "─" * (width + 2) + "┐"]
        out += [f"│ {line.ljust(width)} │" for line in lines]
        out.append("└" + "─" * (width + 2) + "┘")
        self.stdout.write("\n".join(out))
        self.stdout.flush()

    # -----------------------------------------------------------------------------------------
    # The worker
    # -----------------------------------------------------------------------------------------
    @staticmethod
    def _worker_log() -> Path:
        return Path(settings.STUDIO_DATA_DIR) / "logs" / "worker.log"

    @staticmethod
    def _activity_dir() -> Path:
        return Path(settings.STUDIO_DATA_DIR) / "worker" / "active"

    def _start_worker(self, concurrency: int, stopping: threading.Event) -> subprocess.Popen:
        activity = self._activity_dir()
        shutil.rmtree(activity, ignore_errors=True)  # markers of a worker that was killed
        activity.mkdir(parents=True)
        log_path = self._worker_log()
        log_path.parent.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable, "-m", "celery", "-A", "studio", "worker",
            "--loglevel=INFO", f"--concurrency={concurrency}", "-Q", "default,render,io",
            "--without-gossip", "--without-mingle",
            "--beat",  # the sweeper's schedule runs inside this one worker
        ]
        env = {**os.environ, ACTIVITY_DIR_ENV: str(activity)}
        with open(log_path, "ab") as log:
            # Own process group: Ctrl-C in the terminal reaches only us, and we stop the worker.
            worker = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, start_new_session=True)

        def _watch() -> None:
            code = worker.wait()
            if not stopping.is_set():
                self.stderr.write(f"The worker stopped unexpectedly (exit {code}); "
                                  f"see {log_path}. Jobs wait until runstudio is restarted.")

        threading.Thread(target=_watch, name="worker-watch", daemon=True).start()
        return worker

    def _held_tasks(self) -> int:
        try:
            return sum(1 for _ in self._activity_dir().iterdir())
        except FileNotFoundError:
            return 0

    def _stop_worker(self, worker: subprocess.Popen, *, force: threading.Event) -> None:
        """Idle: stopped at once. Holding tasks: warm shutdown, stopped as soon as they are
        done (or after WARM_SHUTDOWN_SECONDS, or on a second Ctrl-C)."""
        if worker.poll() is None and self._held_tasks():
            self.stdout.write(f"Waiting for {self._held_tasks()} running task(s) to finish "
                              "(Ctrl-C again to stop now; they will be retried)…")
            self.stdout.flush()
            worker.send_signal(signal.SIGTERM)  # warm shutdown: no new tasks, finish these
            deadline = time.monotonic() + WARM_SHUTDOWN_SECONDS
            while (worker.poll() is None and self._held_tasks() and not force.is_set()
                   and time.monotonic() < deadline):
                time.sleep(0.1)
        # Nothing held any more: no message is in flight, so ending the whole process group
        # (the worker, its pool and beat) at once loses nothing.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
