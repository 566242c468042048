"""GET /api/v1/tasks/{id}/stream (server-sent events, an async view read through Django's
AsyncClient while the pipeline renders in another thread), resuming with Last-Event-ID, and
the installed ``inferencesh`` SDK's task calls against a live server.

The stream reads the task from pooled threads, so these tests commit their rows
(``transactional_db``)."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest
from django.db import connections
from django.test import AsyncClient

from api.surfaces.inference import stream
from generations import pipeline
from generations.models import Job, JobStatus
from tests.api.inference_helpers import RUN_BODY, run_pipeline

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def no_publish(monkeypatch):
    monkeypatch.setattr("generations.tasks.plan_job.delay", lambda *args: None)
    monkeypatch.setattr("generations.tasks.render_concept.delay", lambda *args: None)


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch):
    monkeypatch.setattr(stream, "POLL_SECONDS", 0.02)


def _parse(block: str) -> dict:
    event: dict = {"event": "message", "comment": None}
    for line in block.splitlines():
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "":
            event["comment"] = value
        elif name == "data":
            event["data"] = json.loads(value)
        elif name == "id":
            event["id"] = int(value)
        else:
            event[name] = value
    return event


async def _read(key: str, task_id: str, *, headers: dict | None = None, query: str = "",
                stop_after=None) -> list[dict]:
    """Events of one connection until ``done``/``error`` or ``stop_after(event)``."""
    response = await AsyncClient().get(
        f"/api/v1/tasks/{task_id}/stream{query}",
        headers={"Authorization": f"Bearer {key}", "Accept": "text/event-stream",
                 **(headers or {})})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream"
    assert response["Cache-Control"] == "no-cache"
    events, buffer = [], ""
    async for chunk in response.streaming_content:
        buffer += chunk.decode()
        while "\n\n" in buffer:
            block, buffer = buffer.split("\n\n", 1)
            event = _parse(block)
            events.append(event)
            if event["event"] in ("done", "error") or (stop_after and stop_after(event)):
                return events
    return events


def read(*args, **kwargs) -> list[dict]:
    return asyncio.run(_read(*args, **kwargs))


def updates(events: list[dict]) -> list[dict]:
    return [event for event in events if event["event"] == "update"]


def _submit(api) -> tuple[str, Job]:
    task_id = api.post("/api/v1/run", RUN_BODY).json()["id"]
    return task_id, Job.objects.get(public_id=task_id.removeprefix("task_"))


def _render_in_background(job: Job) -> threading.Thread:
    def work():
        try:
            run_pipeline(job)
        finally:
            connections.close_all()

    thread = threading.Thread(target=work)
    thread.start()
    return thread


def test_a_client_reads_rising_progress_partial_scenes_and_the_final_output(
        api, api_key, workspace, ready_brand, funded, monkeypatch):
    # Every render step reports (not at most one every 0.2 s), so how many steps the stream
    # sees depends on the steps, not on how fast this machine renders them.
    monkeypatch.setattr(pipeline, "CHECKPOINT_SECONDS", 0)
    task_id, job = _submit(api)
    worker = _render_in_background(job)

    events = read(api_key.plaintext, task_id)
    worker.join()

    assert events[0]["retry"] == "2000"
    assert events[-1] == {"event": "done", "comment": None, "data": {}}
    seen = updates(events)
    ids = [event["id"] for event in seen]
    assert ids == sorted(set(ids))  # every event newer than the one before
    progress = [event["data"]["progress"] for event in seen]
    assert progress == sorted(progress)
    assert progress[-1] == 100
    # Progress moves within scenes (frame and encode steps), not only as each one lands.
    assert len({value for value in progress if 10 < value < 100}) >= 8
    landed = [len((event["data"]["output"] or {}).get("result", [])) for event in seen]
    assert landed == sorted(landed)
    assert any(0 < count < 4 for count in landed)  # scenes arrive as they are stored
    final = seen[-1]["data"]
    assert final["status"] == 9
    assert final["id"] == task_id
    assert final["output"] == api.get(f"/api/v1/tasks/{task_id}").json()["output"]
    assert len(final["output"]["result"]) == 4


def test_reconnecting_with_last_event_id_resumes_without_repeating(api, api_key, workspace,
                                                                   ready_brand, funded):
    task_id, job = _submit(api)

    first = read(api_key.plaintext, task_id, stop_after=lambda e: e["event"] == "update")
    queued = updates(first)[-1]
    assert (queued["data"]["status"], queued["data"]["progress"]) == (2, 0)

    concept_ids = pipeline.plan(job_id=job.pk)
    second = read(api_key.plaintext, task_id, headers={"Last-Event-ID": str(queued["id"])},
                  stop_after=lambda e: e["event"] == "update")
    planned = updates(second)
    assert len(planned) == 1
    assert planned[0]["id"] > queued["id"]
    assert (planned[0]["data"]["status"], planned[0]["data"]["progress"]) == (7, 10)

    pipeline.render(concept_id=concept_ids[0])
    third = read(api_key.plaintext, task_id, query=f"?last_event_id={planned[0]['id']}",
                 stop_after=lambda e: e["event"] == "update")
    one_scene = updates(third)
    assert one_scene[0]["id"] > planned[0]["id"]
    assert len(one_scene[0]["data"]["output"]["result"]) == 1

    for concept_id in concept_ids[1:]:
        pipeline.render(concept_id=concept_id)
    fourth = read(api_key.plaintext, task_id, headers={"Last-Event-ID": str(one_scene[0]["id"])})
    assert [event["event"] for event in fourth[1:]] == ["update", "done"]
    assert updates(fourth)[0]["data"]["status"] == 9

    # Everything seen already: only the end of the stream, no update again.
    final_id = updates(fourth)[0]["id"]
    last = read(api_key.plaintext, task_id, headers={"Last-Event-ID": str(final_id)})
    assert [event["event"] for event in last[1:]] == ["done"]


def test_an_idle_stream_sends_heartbeats(api, api_key, workspace, ready_brand, funded,
                                         monkeypatch):
    monkeypatch.setattr(stream, "HEARTBEAT_SECONDS", 0)
    task_id, _ = _submit(api)

    events = read(api_key.plaintext, task_id, stop_after=lambda e: e["comment"] is not None)

    assert [event["event"] for event in events[1:]] == ["update", "message"]
    assert events[-1]["comment"] == "heartbeat"


def test_a_failed_task_ends_with_an_error_event(api, api_key, workspace, ready_brand, funded):
    task_id, job = _submit(api)
    pipeline.fail_job(job_id=job.pk, code="render_failed", message="The encoder was missing.")

    events = read(api_key.plaintext, task_id)

    assert updates(events)[-1]["data"]["status"] == 10
    assert events[-1]["event"] == "error"
    assert events[-1]["data"] == {"error": "The encoder was missing."}


def test_a_cancelled_task_ends_its_stream(api, api_key, workspace, ready_brand, funded):
    task_id, _ = _submit(api)
    api.post(f"/api/v1/tasks/{task_id}/cancel")

    events = read(api_key.plaintext, task_id)

    assert updates(events)[-1]["data"]["status"] == 11
    assert events[-1]["event"] == "done"


def test_the_stream_of_another_workspace_is_a_404_problem(api, other_api, workspace,
                                                          ready_brand, funded):
    task_id, _ = _submit(api)

    response = other_api.get(f"/api/v1/tasks/{task_id}/stream")
    missing = api.get("/api/v1/tasks/task_recNope/stream")
    anonymous = api.client.get(f"/api/v1/tasks/{task_id}/stream")

    for refused, status in ((response, 404), (missing, 404), (anonymous, 401)):
        assert refused.status_code == status
        assert refused["Content-Type"] == "application/problem+json"
        assert refused.json()["status"] == status
    assert response.json()["code"] == "task_not_found"


def test_the_inferencesh_sdk_reads_and_cancels_tasks(live_server, api, api_key, workspace,
                                                     ready_brand, funded):
    from inferencesh import inference
    from inferencesh.client import APIError

    task_id, job = _submit(api)
    client = inference(api_key=api_key.plaintext, base_url=f"{live_server.url}/api/v1")

    task = client.get_task(task_id).data
    assert (task["id"], task["status"]) == (task_id, 2)

    client.cancel(task_id)

    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert client.get_task(task_id).data["status"] == 11
    with pytest.raises(APIError) as refused:
        client.get_task("task_recNope")
    assert refused.value.status_code == 404
    assert "not found" in str(refused.value).lower()
