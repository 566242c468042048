"""Dessert generate under load: 32 concurrent clients for 20 s against the production server.

Starts ``gunicorn -c python:studio.gunicorn_conf studio.asgi:application`` (2 uvicorn workers)
on PostgreSQL + Redis, creates a workspace with a ready brand, credits and a key, then 32
closed-loop clients POST Dessert ``/v1/ads/generate`` bodies (each with its own
Idempotency-Key) as fast as answers come back. Prints throughput and p50/p99 of the 202s.
Target: p50 < 20 ms, p99 < 100 ms.

Also measured in the same run: one client alone (the latency of a request with nothing
queued in front of it) and, by Little's law (clients = throughput x latency for a closed
loop), the throughput the target would need at 32 clients next to the throughput measured.

Then the same load again while ``--streams`` clients (100) hold server-sent-event streams of
inference tasks open (``GET /api/v1/tasks/{id}/stream``, issue 17): the row to compare with the
plain one is the submit p50 with the streams open.

    python bench/api.py [--clients 32] [--seconds 20] [--workers 2] [--streams 100]

DATABASE_URL and CELERY_BROKER_URL / REDIS_URL override the defaults. Nothing consumes the
queued jobs: the run's broker keys (its own prefix) are deleted at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench._common import ensure_database  # noqa: E402

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_api")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")
os.environ.setdefault("REDIS_URL", os.environ["CELERY_BROKER_URL"])
# Only this run's broker keys, so the bench never flushes a shared Redis database.
os.environ.setdefault("CELERY_BROKER_KEY_PREFIX", f"bench-api-{os.getpid()}:")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("STUDIO_HTTPS", "0")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
DATA_DIR = Path(tempfile.mkdtemp(prefix="bench-api-"))
os.environ.setdefault("STUDIO_DATA_DIR", str(DATA_DIR))
os.environ.setdefault("MEDIA_ROOT", str(DATA_DIR / "media"))

BODY = {
    "count": 3, "format": "full",
    "creative": {"copy_angle": "sensory", "brand_tone": "clinical authority",
                 "animation_prompts": ["Serum Droplets", "Lotion Texture"]},
    "webhook_url": "https://yourapp.com/dessert-callback",
}


def _setup() -> str:
    """A funded workspace with a ready default brand; returns an API key without limits."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from api.keys import api_key_create
    from billing import services as ledger
    from billing.services import account_for_workspace
    from brands.models import Brand, Product
    from studio.services import user_get_or_create, workspace_create

    user, _ = user_get_or_create(email=f"bench-{uuid.uuid4().hex[:8]}@example.com",
                                 password=uuid.uuid4().hex)
    workspace = workspace_create(name="API bench", owner=user)
    brand = Brand.objects.create(workspace=workspace, name="Lumen Skin", is_default=True,
                                 status=Brand.Status.READY)
    Product.objects.create(workspace=workspace, brand=brand, name="Glow Serum")
    ledger.grant(account=account_for_workspace(workspace), credits=50_000_000,
                 memo="bench credits")
    return api_key_create(workspace=workspace, name="bench",
                          rate_limit_per_minute=10_000_000).plaintext


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers),
           "ALLOWED_HOSTS": "127.0.0.1,localhost", "SITE_URL": f"http://127.0.0.1:{port}"}
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:studio.gunicorn_conf",
         "studio.asgi:application"], cwd=REPO, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=open(DATA_DIR / "server.log", "w"))


def _cpu_seconds(pgid: int) -> float:
    """User + system CPU of every live process in the server's process group (master and
    workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the name: state, ppid, pgrp, ...
            total += int(fields[11]) + int(fields[12])
    return total / tick


def _measured(pgid: int, load):
    """Run ``load`` and return its result with the server's and this process's CPU seconds."""
    server, client = _cpu_seconds(pgid), time.process_time()
    result = asyncio.run(load)
    return (*result, _cpu_seconds(pgid) - server, time.process_time() - client)


async def _wait_ready(base: str, deadline: float) -> None:
    import httpx

    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            try:
                if (await client.get(f"{base}/healthz", timeout=2)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.3)
    raise SystemExit(f"server did not start; see {DATA_DIR / 'server.log'}")


async def _load(base: str, key: str, clients: int, seconds: float, *, path: str,
                body: dict | None):
    """Closed-loop clients for ``seconds``; returns the latencies of 2xx answers."""
    import httpx

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    headers = {"Authorization": f"Bearer {key}"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits,
                                 timeout=60) as http:

        async def send():
            if body is None:
                return await http.get(path)
            return await http.post(path, json=body,
                                   headers={"Idempotency-Key": uuid.uuid4().hex})

        for _ in range(2 * clients):  # warm both workers' connections and caches
            await send()
        stop = time.monotonic() + seconds

        async def client_loop() -> None:
            while time.monotonic() < stop:
                started = time.perf_counter()
                response = await send()
                elapsed = time.perf_counter() - started
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                if 200 <= response.status_code < 300:
                    latencies.append(elapsed)

        began = time.monotonic()
        await asyncio.gather(*(client_loop() for _ in range(clients)))
        wall = time.monotonic() - began
    return latencies, statuses, wall


async def _create_tasks(base: str, key: str, count: int) -> list[str]:
    """``count`` inference tasks (queued: nothing consumes them, so their streams stay open)."""
    import httpx

    async with httpx.AsyncClient(base_url=base, timeout=60,
                                 headers={"Authorization": f"Bearer {key}"}) as http:
        ids = []
        for _ in range(count):
            response = await http.post("/api/v1/run", json={
                "app": "bria/ads-generate", "input": {"template_id": "1061"}})
            response.raise_for_status()
            ids.append(response.json()["id"])
        return ids


async def _with_streams(base: str, key: str, task_ids: list[str], load) -> tuple:
    """Hold one SSE stream per task open while ``load`` runs; returns the load's result and
    how many streams were open (first event received) when it started."""
    import httpx

    opened = 0
    ready = asyncio.Event()
    limits = httpx.Limits(max_connections=len(task_ids) + 1)
    # Heartbeats come every 15 s: a read timeout well above that.
    timeout = httpx.Timeout(30, read=120)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout,
                                 headers={"Authorization": f"Bearer {key}",
                                          "Accept": "text/event-stream"}) as http:

        async def hold(task_id: str) -> None:
            nonlocal opened
            async with http.stream("GET", f"/api/v1/tasks/{task_id}/stream") as response:
                counted = False
                async for _line in response.aiter_lines():
                    if not counted:
                        counted, opened = True, opened + 1
                        if opened == len(task_ids):
                            ready.set()

        holders = [asyncio.create_task(hold(task_id)) for task_id in task_ids]
        with contextlib.suppress(TimeoutError):  # report how many opened, not hang
            await asyncio.wait_for(ready.wait(), timeout=60)
        open_at_start = opened
        result = await load
        for holder in holders:
            holder.cancel()
        await asyncio.gather(*holders, return_exceptions=True)
    return result, open_at_start


def _measured_with_streams(pgid: int, base: str, key: str, task_ids: list[str], load):
    server, client = _cpu_seconds(pgid), time.process_time()
    (latencies, statuses, wall), open_streams = asyncio.run(
        _with_streams(base, key, task_ids, load))
    return (latencies, statuses, wall, _cpu_seconds(pgid) - server,
            time.process_time() - client), open_streams


def _summary(label: str, latencies: list[float], statuses: dict, wall: float,
             server_cpu: float, client_cpu: float) -> str:
    if not latencies:
        return f"{label}: no 2xx answers: {statuses}"
    answers = sum(statuses.values())
    latencies = sorted(latencies)
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    return (f"{label}: {len(latencies) / wall:.0f}/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
            f"CPU per answer: server {server_cpu / answers * 1000:.1f} ms, load client "
            f"{client_cpu / answers * 1000:.1f} ms; statuses {dict(sorted(statuses.items()))}")


def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--streams", type=int, default=100,
                        help="open SSE streams during the second load (0: skip)")
    args = parser.parse_args()

    ensure_database()
    key = _setup()
    port = _free_port()
    server = _start_server(port, args.workers)
    base = f"http://127.0.0.1:{port}"
    try:
        asyncio.run(_wait_ready(base, time.monotonic() + 60))
        # Baseline in the same run: the cheapest answer the same server gives (no database),
        # so a loaded machine shows up in both lines.
        baseline = _measured(server.pid, _load(base, key, args.clients, min(args.seconds, 5),
                                               path="/healthz", body=None))
        single = _measured(server.pid, _load(base, key, 1, min(args.seconds, 10),
                                             path="/v1/ads/generate", body=BODY))
        generate = _measured(server.pid, _load(base, key, args.clients, args.seconds,
                                               path="/v1/ads/generate", body=BODY))
        streamed = None
        if args.streams:
            task_ids = asyncio.run(_create_tasks(base, key, args.streams))
            streamed = _measured_with_streams(
                server.pid, base, key, task_ids,
                _load(base, key, args.clients, args.seconds, path="/v1/ads/generate",
                      body=BODY))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        import redis

        broker = redis.Redis.from_url(os.environ["CELERY_BROKER_URL"])
        stale = list(broker.scan_iter(match=f"{os.environ['CELERY_BROKER_KEY_PREFIX']}*"))
        if stale:
            broker.delete(*stale)
    print(f"server: gunicorn + {args.workers} uvicorn workers, PostgreSQL, Redis; "
          f"{args.clients} clients; load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} CPUs")
    print(_summary("baseline GET /healthz", *baseline))
    print(_summary("POST /v1/ads/generate 202, 1 client", *single))
    print(_summary(f"POST /v1/ads/generate 202, {args.clients} clients ({args.seconds:g} s)",
                   *generate))
    if streamed is not None:
        result, open_streams = streamed
        print(_summary(f"POST /v1/ads/generate 202, {args.clients} clients with "
                       f"{open_streams}/{args.streams} SSE streams open", *result))
    print("target: p50 < 20 ms, p99 < 100 ms for the 202")
    latencies, _statuses, wall = generate[:3]
    if latencies:
        measured = len(latencies) / wall
        needed = args.clients / 0.020
        print(f"Little's law: p50 < 20 ms at {args.clients} closed-loop clients needs about "
              f"{needed:.0f} answers/s; measured {measured:.0f}/s, so the mean latency at this "
              f"throughput is {args.clients / measured * 1000:.0f} ms")


if __name__ == "__main__":
    main()
