"""Leases kept alive by a heartbeat: how a worker holds a piece of work while it runs.

A worker that claims work writes ``lease_until`` a short time ahead and a background thread
pushes it forward while the work runs. When the worker dies (SIGKILL, OOM, a lost machine) the
heartbeat stops with it and the lease runs out within seconds, so a redelivered task or the
sweeper takes the work over instead of waiting for a long fixed time-out.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import connections
from django.utils import timezone

logger = logging.getLogger(__name__)


def lease_expiry(seconds: float, *, now: datetime | None = None) -> datetime:
    return (now or timezone.now()) + timedelta(seconds=seconds)


class Heartbeat:
    """Call ``beat()`` every ``interval`` seconds in a thread while the ``with`` body runs.

    ``beat`` returns False when the lease is no longer ours (taken over or finished); the
    heartbeat then stops and ``lost`` is set. Database errors are logged and retried on the
    next beat: a short outage must not kill the work, and the lease covers several beats.
    """

    def __init__(self, beat: Callable[[], bool], *, interval: float, name: str = "lease"):
        self._beat = beat
        self._interval = max(float(interval), 0.05)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{name}", daemon=True)
        self.lost = False

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join(timeout=self._interval + 5)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self._interval):
                try:
                    if not self._beat():
                        self.lost = True
                        return
                except Exception:
                    logger.warning("heartbeat %s failed; retrying", self._thread.name,
                                   exc_info=True)
                    connections.close_all()
        finally:
            connections.close_all()  # this thread's own connections only
