"""Waiting for a job to finish: the long-poll of GET /jobs/{id} and the synchronous images
call. The database is read again every ``POLL_SECONDS``; on time-out the current state is
returned, never an error."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from generations.models import Job
from generations.selectors import job_get_for_workspace
from studio.models import Workspace

POLL_SECONDS = 0.25
T = TypeVar("T")


def wait_until(fetch: Callable[[], T], done: Callable[[T], bool], *, timeout: float) -> T:
    """``fetch()`` again until ``done`` says so or ``timeout`` seconds pass; the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        remaining = deadline - time.monotonic()
        if done(value) or remaining <= 0:
            return value
        time.sleep(min(POLL_SECONDS, remaining))


def job_wait(*, workspace: Workspace, public_id: str, timeout: float) -> Job:
    return wait_until(lambda: job_get_for_workspace(workspace=workspace, public_id=public_id),
                      lambda job: job.is_terminal, timeout=timeout)
