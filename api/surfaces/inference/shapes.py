"""inference.sh's task shape built from our rows (vocabulary only: no rule lives here).

A task is a Job of the ``inference`` surface; its id is ``task_`` + the job's public id. Its
output is Bria's ``{"result": [...]}``: one entry per scene (one scene per size) that has
landed, in scene order.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from generations.files import asset_url
from generations.models import AssetKind, ConceptStatus, Job, JobStatus

TASK_PREFIX = "task_"

# inference.sh's numeric task statuses (the REST page and the JS SDK agree on these).
QUEUED, RUNNING, COMPLETED, FAILED, CANCELLED = 2, 7, 9, 10, 11
STATUS_CODES: dict[str, int] = {
    JobStatus.QUEUED: QUEUED, JobStatus.PROCESSING: RUNNING, JobStatus.RENDERING: RUNNING,
    JobStatus.COMPLETED: COMPLETED, JobStatus.FAILED: FAILED, JobStatus.CANCELLED: CANCELLED,
}
WEBHOOK_EVENTS: dict[str, str] = {
    JobStatus.COMPLETED: "task.completed", JobStatus.FAILED: "task.failed",
    JobStatus.CANCELLED: "task.cancelled",
}


def task_id(job: Job) -> str:
    return TASK_PREFIX + job.public_id


def iso(value) -> str | None:
    return value.isoformat(timespec="seconds").replace("+00:00", "Z") if value else None


def scenes(job: Job) -> list[dict]:
    """Bria's ``result`` entries for every scene stored so far."""
    result = []
    editor = settings.SITE_URL + reverse("generations:job", args=[job.public_id])
    concepts = job.concepts.filter(status=ConceptStatus.COMPLETED).prefetch_related(
        "assets").order_by("index")
    for concept in concepts:
        png = next((a for a in concept.assets.all() if a.kind == AssetKind.STATIC
                    and a.mime_type == "image/png"), None)
        if png is None:
            continue
        result.append({
            "id": png.public_id, "name": f"scene_{concept.index + 1}",
            "url": asset_url(png, absolute=True),
            "resolution": {"width": png.width, "height": png.height},
            "editor_iframe": f"{editor}#concept-{concept.public_id}",
        })
    return result


def output(job: Job) -> dict | None:
    landed = scenes(job)
    return {"result": landed} if landed or job.status == JobStatus.COMPLETED else None


def error_text(job: Job) -> str:
    if job.status == JobStatus.CANCELLED:
        return ""
    return job.error_message if job.error_code else ""


def task(job: Job, *, with_input: bool = True) -> dict:
    """GET /tasks/{id} (and the answer of POST /run)."""
    body: dict = {"id": task_id(job), "status": STATUS_CODES[job.status]}
    if with_input:
        body["input"] = job.request.get("extra", {}).get("task_input", {})
    body.update({
        "output": output(job), "error": error_text(job), "session_id": None,
        "created_at": iso(job.created_at), "updated_at": iso(job.updated_at),
    })
    return body


def cancelled(job: Job) -> dict:
    return {"id": task_id(job), "status": CANCELLED, "cancelled": True}


def webhook_event(job: Job) -> tuple[str, dict]:
    """The terminal webhook: the reference's payload (the task without its input)."""
    return WEBHOOK_EVENTS.get(job.status, "task.updated"), task(job, with_input=False)
