"""End-to-end pipeline benchmark on PostgreSQL + Redis with 2 worker processes.

Prints, median of 3 runs: submit latency (p50 of 30 submits, ms) and the time from submit to
``completed`` for count=3 static and count=3 full deliveries, with Dessert's quoted estimates
(180 s static, 480 s full) as the baseline.

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
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
DATA_DIR = Path(tempfile.mkdtemp(prefix="bench-e2e-"))
os.environ.setdefault("STUDIO_DATA_DIR", str(DATA_DIR))
os.environ.setdefault("MEDIA_ROOT", str(DATA_DIR / "media"))

RUNS = 3
SUBMITS = 30
DESSERT_STATIC_S, DESSERT_FULL_S = 180, 480


def _start_workers(count: int) -> list[subprocess.Popen]:
    env = {**os.environ}
    return [subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "studio", "worker", "--loglevel=WARNING",
         "--concurrency=1", "-Q", "default,render,io", "--without-gossip", "--without-mingle",
         "-n", f"bench{i}@%h"],
        cwd=REPO, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=open(DATA_DIR / f"worker{i}.log", "w"),
    ) for i in range(count)]


def _wait_done(job, timeout: float = 300) -> float:
    from generations.models import TERMINAL_STATUSES, Job

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = Job.objects.filter(pk=job.pk).values_list("status", flat=True).get()
        if status in TERMINAL_STATUSES:
            if status != "completed":
                raise SystemExit(f"job {job.public_id} ended {status}")
            return time.monotonic()
        time.sleep(0.05)
    raise SystemExit(f"job {job.public_id} did not finish in {timeout} s")


def main() -> None:
    ensure_database()
    import redis

    client = redis.Redis.from_url(os.environ["CELERY_BROKER_URL"])
    stale = list(client.scan_iter(match=f"{os.environ['CELERY_BROKER_KEY_PREFIX']}*"))
    if stale:
        client.delete(*stale)
    workspace = funded_workspace("Bench")
    from generations.briefs import AdBrief
    from generations.services import cancel_job, submit_job

    workers = _start_workers(2)
    try:
        time.sleep(4)  # workers connect and import the engine
        submit_ms, static_s, full_s = [], [], []
        for _run in range(RUNS):
            latencies = []
            for _ in range(SUBMITS):
                started = time.perf_counter()
                submission = submit_job(workspace=workspace,
                                        brief=AdBrief(count=1, format="static"))
                latencies.append((time.perf_counter() - started) * 1000)
                cancel_job(job=submission.job)  # keep the queue for the timed jobs
            submit_ms.append(statistics.median(latencies))
            for brief, bucket in ((AdBrief(count=3, format="static"), static_s),
                                  (AdBrief(count=3, format="full"), full_s)):
                started = time.monotonic()
                job = submit_job(workspace=workspace, brief=brief).job
                bucket.append(_wait_done(job) - started)
    finally:
        for worker in workers:
            os.killpg(worker.pid, signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=30)

    static, full = statistics.median(static_s), statistics.median(full_s)
    print("Pipeline end to end (PostgreSQL + Redis, 2 worker processes), median of 3 runs")
    print(f"  submit latency p50 (of {SUBMITS}) : {statistics.median(submit_ms):7.1f} ms"
          "   target < 20 ms")
    print(f"  count=3 static to completed   : {static:7.2f} s   target < 2 s;  "
          f"Dessert quotes {DESSERT_STATIC_S} s -> {DESSERT_STATIC_S / static:.0f}x")
    print(f"  count=3 full to completed     : {full:7.2f} s   target < 15 s; "
          f"Dessert quotes {DESSERT_FULL_S} s -> {DESSERT_FULL_S / full:.0f}x")
    print(f"  runs: submit ms {[round(x, 1) for x in submit_ms]}, static s "
          f"{[round(x, 2) for x in static_s]}, full s {[round(x, 2) for x in full_s]}")


if __name__ == "__main__":
    main()
