"""End-to-end pipeline benchmark on PostgreSQL + Redis with 2 worker processes.

Prints every run and the median of 3: submit latency (p50 of 30 submits, ms) and the time from
submit to ``completed`` for count=3 static and count=3 full deliveries, called directly
(``submit_job``) and through the Dessert API (``POST /v1/ads/generate``, Django's test client
in this process), with Dessert's quoted estimates (180 s static, 480 s full) as the baseline.

Submit latency is measured before any worker starts, so no worker can take a job being
measured (each is then cancelled and refunded, and the queue they left is dropped). The timed
jobs run one at a time on an otherwise idle fleet that has answered a ping (warm).
For each timed job the bench also prints the slowest concept's render time and how long the
job took to close after its last concept landed.

    python bench/e2e.py            # DATABASE_URL / CELERY_BROKER_URL override the defaults
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench._common import ensure_database, funded_workspace  # noqa: E402

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_e2e")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/13")
# Only this run's broker keys, so the bench never flushes a shared Redis database.
os.environ.setdefault("CELERY_BROKER_KEY_PREFIX", f"bench-e2e-{os.getpid()}:")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("STUDIO_HTTPS", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
DATA_DIR = Path(tempfile.mkdtemp(prefix="bench-e2e-"))
os.environ.setdefault("STUDIO_DATA_DIR", str(DATA_DIR))
os.environ.setdefault("MEDIA_ROOT", str(DATA_DIR / "media"))

RUNS = 3
SUBMITS = 30
DESSERT_STATIC_S, DESSERT_FULL_S = 180, 480
# The reference's example body, as an integration would send it.
DESSERT_FULL_BODY = {
    "count": 3, "format": "full",
    "creative": {"copy_angle": "sensory", "brand_tone": "clinical authority",
                 "animation_prompts": ["Serum Droplets", "Lotion Texture"]},
}


def _start_workers(count: int) -> list[subprocess.Popen]:
    # INFO: the warm-up's "engine warm" line is how _wait_fleet knows a worker is ready.
    env = {**os.environ}
    return [subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "studio", "worker", "--loglevel=INFO",
         "--concurrency=1", "-Q", "default,render,io", "--without-gossip", "--without-mingle",
         "-n", f"bench{i}@%h"],
        cwd=REPO, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=open(DATA_DIR / f"worker{i}.log", "w"),
    ) for i in range(count)]


def _wait_fleet(count: int, timeout: float = 120) -> float:
    """Wait until ``count`` workers answer a ping and each pool process has logged that its
    engine is warm (``generations.warmup``)."""
    from studio.celery import app

    started = time.monotonic()
    while time.monotonic() - started < timeout:
        warm = sum("engine warm" in (DATA_DIR / f"worker{i}.log").read_text(errors="replace")
                   for i in range(count))
        if warm >= count and len(app.control.ping(timeout=1.0) or []) >= count:
            return time.monotonic() - started
        time.sleep(0.2)
    raise SystemExit(f"{count} workers were not ready in {timeout} s; see {DATA_DIR}")


def _drop_queued(client) -> None:
    """Delete this run's broker keys (the queued tasks of the submit-latency jobs)."""
    stale = list(client.scan_iter(match=f"{os.environ['CELERY_BROKER_KEY_PREFIX']}*"))
    if stale:
        client.delete(*stale)


def _wait_done(job_id: int, timeout: float = 300) -> float:
    from generations.models import TERMINAL_STATUSES, Job

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = Job.objects.filter(pk=job_id).values_list("status", flat=True).get()
        if status in TERMINAL_STATUSES:
            if status != "completed":
                raise SystemExit(f"job {job_id} ended {status}")
            return time.monotonic()
        time.sleep(0.02)
    raise SystemExit(f"job {job_id} did not finish in {timeout} s")


def _job_detail(job_id: int) -> str:
    """The slowest concept's render time and the gap from the last concept to the job's end."""
    from django.db.models import Max

    from generations.models import Job

    job = Job.objects.get(pk=job_id)
    concepts = job.concepts.aggregate(render=Max("render_seconds"), landed=Max("updated_at"))
    close = (job.finished_at - concepts["landed"]).total_seconds() * 1000
    return f"slowest concept {concepts['render']:.2f} s, closed {close:.0f} ms after the last"


def _dessert_client(workspace):
    from django.test import Client

    from api.keys import api_key_create

    key = api_key_create(workspace=workspace, name="bench",
                         rate_limit_per_minute=10_000_000).plaintext
    return Client(headers={"Authorization": f"Bearer {key}"})


def _dessert_submit(client, body: dict) -> int:
    from generations.models import Job

    response = client.post("/v1/ads/generate", body, content_type="application/json",
                           headers={"Idempotency-Key": uuid.uuid4().hex})
    if response.status_code != 202:
        raise SystemExit(f"Dessert generate answered {response.status_code}: "
                         f"{response.content[:300]!r}")
    return Job.objects.values_list("pk", flat=True).get(public_id=response.json()["delivery_id"])


def _median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    ensure_database()
    import redis

    client = redis.Redis.from_url(os.environ["CELERY_BROKER_URL"])
    _drop_queued(client)
    workspace = funded_workspace("Bench", credits=10_000_000)
    from generations.briefs import AdBrief
    from generations.models import Job
    from generations.services import cancel_job, submit_job

    dessert = _dessert_client(workspace)
    submits: dict[str, list[float]] = {"submit_job": [], "Dessert API": []}
    submitters = {
        "submit_job": lambda: submit_job(workspace=workspace,
                                         brief=AdBrief(count=1, format="static")).job.pk,
        "Dessert API": lambda: _dessert_submit(dessert, {"count": 1, "format": "static"}),
    }
    for label, submit in submitters.items():
        submit()  # first call pays for imports and connections
        for _run in range(RUNS):
            latencies, job_ids = [], []
            for _ in range(SUBMITS):
                started = time.perf_counter()
                job_ids.append(submit())
                latencies.append((time.perf_counter() - started) * 1000)
            submits[label].append(_median(latencies))
            for job in Job.objects.filter(pk__in=job_ids):
                cancel_job(job=job)  # no worker exists yet, so each is still cancellable
    _drop_queued(client)

    timed: dict[str, list[float]] = {}
    details: dict[str, list[str]] = {}
    cases = [
        ("count=3 static", lambda: submit_job(workspace=workspace,
                                              brief=AdBrief(count=3, format="static")).job.pk),
        ("count=3 full", lambda: submit_job(workspace=workspace,
                                            brief=AdBrief(count=3, format="full")).job.pk),
        ("Dessert count=3 full", lambda: _dessert_submit(dessert, DESSERT_FULL_BODY)),
    ]
    workers = _start_workers(2)
    try:
        ready = _wait_fleet(2)
        print(f"2 workers answered a ping, engine warm, {ready:.1f} s after start")
        for _run in range(RUNS):
            for label, submit in cases:
                started = time.monotonic()
                job_id = submit()
                timed.setdefault(label, []).append(_wait_done(job_id) - started)
                details.setdefault(label, []).append(_job_detail(job_id))
    finally:
        for worker in workers:
            os.killpg(worker.pid, signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=30)
        _drop_queued(client)

    print(f"Pipeline end to end (PostgreSQL + Redis, 2 worker processes), median of {RUNS}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for label, values in submits.items():
        print(f"  {label} submit p50 (of {SUBMITS})".ljust(36)
              + f": {_median(values):7.1f} ms   target < 20 ms; runs "
              f"{[round(v, 1) for v in values]}")
    quotes = {"count=3 static": (DESSERT_STATIC_S, 2), "count=3 full": (DESSERT_FULL_S, 15),
              "Dessert count=3 full": (DESSERT_FULL_S, 15)}
    for label, values in timed.items():
        quote, target = quotes[label]
        print(f"  {label} to completed".ljust(36)
              + f": {_median(values):7.2f} s   target < {target} s; Dessert quotes {quote} s "
              f"-> {quote / _median(values):.0f}x; runs {[round(v, 2) for v in values]}")
        for detail in details[label]:
            print(f"      {detail}")


if __name__ == "__main__":
    main()
