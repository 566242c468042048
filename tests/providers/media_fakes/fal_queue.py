"""fal.ai's queue API for hosted video models (https://docs.fal.ai/model-endpoints/queue and
the Queue API OpenAPI at https://fal.ai/docs/api-reference/inference-api/openapi/queue.json):

- ``POST /{owner}/{app}[/{subpath}]`` → ``{request_id, response_url, status_url, cancel_url,
  queue_position}``;
- ``GET /{owner}/{app}/requests/{id}/status`` → ``IN_QUEUE`` (with ``queue_position``) →
  ``IN_PROGRESS`` (with ``logs``) → ``COMPLETED`` (with ``metrics``, or ``error`` when the
  model failed); status and result paths leave the subpath out;
- ``GET /{owner}/{app}/requests/{id}`` → the model's output (a ``video`` File);
- ``PUT /{owner}/{app}/requests/{id}/cancel`` → 202 ``CANCELLATION_REQUESTED`` or 400
  ``ALREADY_COMPLETED``.

Each status poll moves a request on one step (``polls_to_finish`` of them), so a test proceeds
by the adapter's polling, never by the clock."""

from __future__ import annotations

import base64
import binascii
import io
import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from .media import mp4_clip
from .server import BadRequest, FakeProvider, Fault, Received, Reply

# The input each fal model takes, as its model page documents it.
MODELS: dict[str, dict[str, Any]] = {
    "fal-ai/kling-video/v2.1/pro/image-to-video": {
        "images": ("image_url",), "durations": ("5", "10"), "default": "5"},
    "fal-ai/kling-video/v3/pro/image-to-video": {
        "images": ("start_image_url",), "durations": ("5", "10"), "default": "5"},
    "fal-ai/veo3.1/first-last-frame-to-video": {
        "images": ("first_frame_url", "last_frame_url"), "durations": ("4s", "6s", "8s"),
        "default": "8s"},
}
STATUS_PATH = re.compile(r"^/(?P<owner>[^/]+)/(?P<app>[^/]+)/requests/(?P<id>[^/]+)"
                         r"(?P<rest>/status|/cancel)?$")


@dataclass
class QueuedRequest:
    id: str
    model: str
    owner_app: str
    input: dict[str, Any]
    polls: int = 0
    cancelled: bool = False
    error: str = ""
    logs: list[dict] = field(default_factory=list)


class FalQueueFake(FakeProvider):
    name = "fal-queue"

    def __init__(self, *, api_key: str = "fal-test-key", polls_to_finish: int = 3) -> None:
        super().__init__()
        self.api_key = api_key
        self.polls_to_finish = polls_to_finish
        self.queue: dict[str, QueuedRequest] = {}
        self.files: dict[str, bytes] = {}
        self._ids = itertools.count(1)
        self.fail_model = ""  # the next request ends COMPLETED with this error
        self.clip_seconds: float | None = None  # answer with a clip of another length
        self.clip_bytes: bytes | None = None  # answer with these bytes as the clip

    def counts(self, received: Received) -> bool:
        # Faults hit the submit and the polls; downloads of the finished file answer normally.
        return not received.path.startswith("/files/")

    def error_body(self, status: int, message: str, **extra: Any) -> Any:
        return {"detail": message}

    def fault_message(self, fault: Fault) -> str:
        return "Too many requests" if fault.status == 429 else "Internal Server Error"

    def answer(self, received: Received) -> Reply:
        if received.path.startswith("/files/"):
            name = received.path.rsplit("/", 1)[-1]
            if name not in self.files:
                return Reply(404, b"")
            return Reply(200, self.files[name], {"Content-Type": "video/mp4"})
        if received.headers.get("authorization") != f"Key {self.api_key}":
            raise BadRequest("Unauthorized", status=401)
        match = STATUS_PATH.match(received.path)
        if match:
            return self._request_path(received, match)
        if received.method == "POST":
            return self._submit(received)
        raise BadRequest("Not Found", status=404)

    def _submit(self, received: Received) -> Reply:
        model = received.path.strip("/")
        spec = MODELS.get(model)
        if spec is None:
            raise BadRequest(f"Application '{model}' not found", status=404)
        try:
            data = received.json()
        except ValueError as exc:
            raise BadRequest("Invalid JSON body", status=422) from exc
        problems = []
        if not isinstance(data.get("prompt"), str) or not data["prompt"].strip():
            problems.append(_missing("prompt"))
        for name in spec["images"]:
            if not _is_image_input(data.get(name)):
                problems.append({"loc": ["body", name], "msg": "field required or not an image",
                                 "type": "value_error.missing"})
        duration = str(data.get("duration", spec["default"]))
        if duration not in spec["durations"]:
            problems.append({"loc": ["body", "duration"],
                             "msg": "value is not a valid enumeration member; permitted: "
                             + ", ".join(repr(d) for d in spec["durations"]),
                             "type": "type_error.enum"})
        if problems:
            return Reply.json(422, {"detail": problems})
        owner, app = model.split("/")[:2]
        ident = f"7c1f{next(self._ids):04d}-0000-4000-8000-00000000fa1a"
        queued = QueuedRequest(id=ident, model=model, owner_app=f"{owner}/{app}", input=data,
                               error=self.fail_model)
        self.fail_model = ""
        self.queue[ident] = queued
        return Reply.json(200, {**self._urls(queued), "request_id": ident,
                                "queue_position": 0})

    def _urls(self, queued: QueuedRequest) -> dict[str, str]:
        base = f"{self.base_url}/{queued.owner_app}/requests/{queued.id}"
        return {"response_url": base, "status_url": f"{base}/status",
                "cancel_url": f"{base}/cancel"}

    def _request_path(self, received: Received, match: re.Match) -> Reply:
        queued = self.queue.get(match["id"])
        if queued is None or queued.owner_app != f"{match['owner']}/{match['app']}":
            raise BadRequest("Request not found", status=404)
        rest = match["rest"]
        if rest == "/status" and received.method == "GET":
            return self._status(queued)
        if rest == "/cancel" and received.method == "PUT":
            if queued.polls >= self.polls_to_finish:
                return Reply.json(400, {"status": "ALREADY_COMPLETED"})
            queued.cancelled = True
            queued.polls = self.polls_to_finish
            return Reply.json(202, {"status": "CANCELLATION_REQUESTED"})
        if rest is None and received.method == "GET":
            return self._result(queued)
        raise BadRequest("Method Not Allowed", status=405)

    def _status(self, queued: QueuedRequest) -> Reply:
        queued.polls += 1
        urls = self._urls(queued)
        if queued.polls < self.polls_to_finish - 1:
            return Reply.json(202, {"status": "IN_QUEUE", "request_id": queued.id,
                                    "queue_position": self.polls_to_finish - queued.polls - 1,
                                    **urls})
        if queued.polls < self.polls_to_finish:
            queued.logs.append({"message": "Generating video", "level": "INFO",
                                "source": "user", "timestamp": "2026-12-04T01:00:00Z"})
            return Reply.json(202, {"status": "IN_PROGRESS", "request_id": queued.id,
                                    "logs": queued.logs, **urls})
        body: dict[str, Any] = {"status": "COMPLETED", "request_id": queued.id,
                                "logs": queued.logs, "metrics": {"inference_time": 41.7},
                                **urls}
        if queued.error:
            body.update(error=queued.error, error_type="runner_error")
        if queued.cancelled:
            body.update(error="Request was cancelled", error_type="request_cancelled")
        return Reply.json(200, body)

    def _result(self, queued: QueuedRequest) -> Reply:
        if queued.polls < self.polls_to_finish:
            return Reply.json(400, {"detail": "Request is still in progress"})
        if queued.error:
            return Reply.json(500, {"detail": queued.error})
        if queued.cancelled:
            return Reply.json(400, {"detail": "Request was cancelled"})
        seconds = self.clip_seconds or float(
            str(queued.input.get("duration", MODELS[queued.model]["default"])).rstrip("s"))
        content = self.clip_bytes or mp4_clip(seconds=seconds)
        name = f"{queued.id}.mp4"
        self.files[name] = content
        return Reply.json(200, {"video": {"url": f"{self.base_url}/files/{name}",
                                          "content_type": "video/mp4", "file_name": name,
                                          "file_size": len(content)},
                                "seed": 42})


def _missing(name: str) -> dict[str, Any]:
    return {"loc": ["body", name], "msg": "field required", "type": "value_error.missing"}


def _is_image_input(value: Any) -> bool:
    """A file input: an http(s) URL, or a base64 data URI holding a decodable image."""
    if not isinstance(value, str):
        return False
    if value.startswith(("https://", "http://")):
        return True
    match = re.match(r"^data:image/(png|jpeg|webp);base64,(.+)$", value, re.S)
    if not match:
        return False
    try:
        with Image.open(io.BytesIO(base64.b64decode(match[2], validate=True))) as image:
            image.verify()
    except (binascii.Error, ValueError, OSError):
        return False
    return True
