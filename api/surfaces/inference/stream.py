"""``GET /tasks/{id}/stream``: server-sent events of a task's progress.

An async view: an open stream is a coroutine on the ASGI server's event loop, not a thread.
Every ``POLL_SECONDS`` it reads the task's row (a short query on a pooled thread, its
connection handed back at once); when anything a client sees changed, it sends an ``update``.

Event ids rise with the task: ``progress * 1000 + scenes landed * 10 + phase`` (phase 0
queued, 1 running, 2 finished). Each part only grows, so a client resuming with
``Last-Event-ID`` (or ``?last_event_id=``) is sent only what is newer than what it saw.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from types import SimpleNamespace

from asgiref.sync import sync_to_async
from django.db import connections
from django.http import HttpRequest, HttpResponseBase, StreamingHttpResponse
from django.views.decorators.http import require_GET

from api.auth import KeyRateThrottle, rate_limit_headers
from api.errors import as_app_error
from api.keys import authenticate_header
from api.models import Scope
from api.surfaces.inference import shapes
from api.surfaces.inference.errors import problem_response
from api.surfaces.inference.services import task_get
from generations.models import Job, JobStatus
from studio.exceptions import Forbidden

POLL_SECONDS = 0.5
HEARTBEAT_SECONDS = 15.0
# A stream closes after this long; clients reconnect with Last-Event-ID and lose nothing.
MAX_STREAM_SECONDS = 30 * 60
RETRY_MILLISECONDS = 2000


@dataclass(frozen=True)
class Snapshot:
    event_id: int
    data: dict
    ending: str | None  # "done", "error" or None while the task runs
    error: str


def _phase(status: str) -> int:
    if status == JobStatus.QUEUED:
        return 0
    return 2 if status in (JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED) else 1


def snapshot(job: Job) -> Snapshot:
    landed = shapes.scenes(job)
    data = {"id": shapes.task_id(job), "status": shapes.STATUS_CODES[job.status],
            "progress": job.progress, "logs": job.stage,
            "output": {"result": landed} if landed else None}
    ending = None
    if job.status == JobStatus.FAILED:
        ending = "error"
    elif job.is_terminal:
        ending = "done"
    return Snapshot(event_id=job.progress * 1000 + len(landed) * 10 + _phase(job.status),
                    data=data, ending=ending, error=shapes.error_text(job))


def _in_pool(function):
    """Run ``function`` on a pooled thread (not one held per stream) and hand its database
    connection back afterwards."""
    def call(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        finally:
            connections.close_all()
    return sync_to_async(call, thread_sensitive=False)


def _open(request: HttpRequest, task_id: str) -> tuple[int, dict[str, str]]:
    """Authenticate, check the scope and rate limit, and find the task (404 if not ours)."""
    api_key = authenticate_header(request.META.get("HTTP_AUTHORIZATION"))
    if Scope.GENERATIONS_READ not in api_key.scopes:
        raise Forbidden(f"This API key lacks the {Scope.GENERATIONS_READ} scope.",
                        code="insufficient_scope")
    KeyRateThrottle().allow_request(SimpleNamespace(auth=api_key, _request=request), None)
    job = task_get(workspace=api_key.workspace, task_id=task_id)
    return job.pk, rate_limit_headers(request)


def _poll(job_pk: int, seen: object) -> tuple[object, Snapshot | None]:
    """The task's snapshot, or None when its row has not changed since ``seen``."""
    updated_at = Job.objects.filter(pk=job_pk).values_list("updated_at", flat=True).first()
    if updated_at is None or updated_at == seen:
        return seen, None
    return updated_at, snapshot(Job.objects.get(pk=job_pk))


def _event(name: str, data: dict, event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def last_event_id(request: HttpRequest) -> int:
    raw = request.headers.get("Last-Event-ID") or request.GET.get("last_event_id") or ""
    return int(raw) if raw.strip().isdigit() and len(raw.strip()) < 12 else -1


async def events(job_pk: int, *, after: int) -> AsyncIterator[str]:
    yield f"retry: {RETRY_MILLISECONDS}\n\n"
    poll, seen = _in_pool(_poll), None
    started = last_sent = time.monotonic()
    while time.monotonic() - started < MAX_STREAM_SECONDS:
        seen, current = await poll(job_pk, seen)
        if current is not None:
            if current.event_id > after:
                after = current.event_id
                last_sent = time.monotonic()
                yield _event("update", current.data, current.event_id)
            if current.ending == "error":
                yield _event("error", {"error": current.error})
                return
            if current.ending == "done":
                yield _event("done", {})
                return
        if time.monotonic() - last_sent >= HEARTBEAT_SECONDS:
            last_sent = time.monotonic()
            yield ": heartbeat\n\n"
        await asyncio.sleep(POLL_SECONDS)


@require_GET
async def task_stream(request: HttpRequest, task_id: str) -> HttpResponseBase:
    try:
        job_pk, limits = await _in_pool(_open)(request, task_id)
    except Exception as exc:  # noqa: BLE001 - every refusal answers in the surface's envelope
        return problem_response(as_app_error(exc, not_found_code="task_not_found"),
                                request_id=getattr(request, "request_id", ""))
    response = StreamingHttpResponse(events(job_pk, after=last_event_id(request)),
                                     content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event through at once
    for name, value in limits.items():
        response[name] = value
    return response
