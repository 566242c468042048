"""What every Celery worker does besides running tasks: sweep for work whose holder died.

Recovery must not depend on ``celery beat`` running somewhere: each worker process starts a
daemon thread that, every ``STUDIO_WORKER_SWEEP_SECONDS``, moves lost jobs and scrapes on and
hands due webhook deliveries (the outbox) to the sender. Sweeps use conditional updates, so
any number of workers can sweep at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)

_started = threading.Event()
_stop = threading.Event()

# Each app adds its recovery pass in ``AppConfig.ready`` (jobs, scrapes, the webhook outbox):
# the project package runs them without knowing the apps.
SWEEPS: dict[str, Callable[[], object]] = {}


def register_sweep(name: str, step: Callable[[], object]) -> None:
    SWEEPS[name] = step


def sweep_once() -> dict[str, object]:
    """One pass over every kind of lost work; each part runs even if another fails."""
    results: dict[str, object] = {}
    for name, step in SWEEPS.items():
        try:
            results[name] = step()
        except Exception as exc:  # noqa: BLE001 - a dead broker or database: next pass retries
            logger.warning("worker sweep of %s failed: %s", name, exc)
            results[name] = f"{type(exc).__name__}: {exc}"
            connections.close_all()
    return results


def _loop(interval: float) -> None:
    while not _stop.wait(interval):
        try:
            sweep_once()
        finally:
            # Hold no connection between passes: the pool forks new children from this
            # process, and a child must not inherit (and one day close) a live connection.
            connections.close_all()


def start_sweeper(**_kwargs) -> None:
    """Start this process's sweeper thread (once); connected to ``worker_ready``."""
    interval = float(settings.STUDIO_WORKER_SWEEP_SECONDS)
    if interval <= 0 or _started.is_set():
        return
    _started.set()
    _stop.clear()
    try:
        sweep_once()  # a restarted worker recovers what its predecessor left at once
    finally:
        connections.close_all()
    threading.Thread(target=_loop, args=(interval,), name="studio-sweeper", daemon=True).start()


def stop_sweeper(**_kwargs) -> None:
    _stop.set()
