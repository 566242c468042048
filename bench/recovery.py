"""Recovery benchmark: how long after a worker is SIGKILLed every job is terminal again.

Real Celery workers on PostgreSQL and a redis-server of its own (a free port; the machine's
Redis is not touched). Each run submits 3 jobs (2 static concepts in 2 sizes each: small, so
the time measured is recovery, not rendering), waits until rendering has started, SIGKILLs
the worker's whole process group and starts a fresh worker, then times until every job is
terminal, checking the ledger. No beat runs: the workers recover on their
own. A second scenario kills one pool child instead (its worker lives on).

Prints the median of 3 runs of each, against the 300-365 s measured before heartbeat leases.

    python bench/recovery.py            # DATABASE_URL overrides the default database
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench._common import ensure_database, funded_workspace  # noqa: E402

DATA_DIR = Path(tempfile.mkdtemp(prefix="bench-recovery-"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


REDIS_PORT = _free_port()
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_recovery")
os.environ["CELERY_BROKER_URL"] = f"redis://127.0.0.1:{REDIS_PORT}/0"
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("STUDIO_HTTPS", "0")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
os.environ.setdefault("STUDIO_DATA_DIR", str(DATA_DIR))
os.environ.setdefault("MEDIA_ROOT", str(DATA_DIR / "media"))

RUNS = 3
JOBS = 3
BASELINE = "300-365 s"
TARGET_S = 30


def _start_redis() -> subprocess.Popen:
    process = subprocess.Popen(
        [shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(REDIS_PORT),
         "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(DATA_DIR)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", REDIS_PORT), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.05)
    raise SystemExit("redis-server did not start")


def _start_worker(name: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "studio", "worker", "--loglevel=INFO",
         "--concurrency=2", "-Q", "default,render,io", "--without-gossip", "--without-mingle",
         "--without-heartbeat", "-n", f"{name}@%h"],
        cwd=REPO, env={**os.environ}, start_new_session=True, stdout=subprocess.DEVNULL,
        stderr=open(DATA_DIR / f"{name}.log", "w"),
    )


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def _pool_children(worker: subprocess.Popen) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(worker.pid)], capture_output=True,
                         text=True, check=False).stdout
    return [int(pid) for pid in out.split()]


def _wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise SystemExit(f"timed out after {timeout} s waiting for {what}")


def _one_run(workspace, *, scenario: str) -> float:
    import redis

    from billing.models import LedgerEntry
    from billing.services import account_for_workspace
    from generations.briefs import AdBrief
    from generations.models import TERMINAL_STATUSES, Concept, ConceptStatus, Job
    from generations.services import submit_job

    redis.Redis.from_url(os.environ["CELERY_BROKER_URL"]).flushdb()
    worker = _start_worker(f"{scenario}-a-{time.time_ns()}")
    replacement = None
    try:
        jobs = [submit_job(workspace=workspace,
                           brief=AdBrief(count=2, format="static",
                                         sizes=("9:16", "4:5"))).job for _ in range(JOBS)]
        ids = [job.pk for job in jobs]
        _wait(lambda: Concept.objects.filter(job_id__in=ids,
                                             status=ConceptStatus.RENDERING).exists(),
              120, "rendering to start")
        if scenario == "worker":
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
            killed_at = time.monotonic()
            replacement = _start_worker(f"{scenario}-b-{time.time_ns()}")
        else:
            children = _pool_children(worker)
            os.kill(children[0], signal.SIGKILL)
            killed_at = time.monotonic()
        _wait(lambda: Job.objects.filter(pk__in=ids, status__in=TERMINAL_STATUSES).count()
              == len(ids), 300, "every job to finish")
        seconds = time.monotonic() - killed_at
    finally:
        _stop(worker)
        if replacement is not None:
            _stop(replacement)
    account = account_for_workspace(workspace)
    total = sum(LedgerEntry.objects.filter(account=account).values_list("amount", flat=True))
    if account.balance != total:
        raise SystemExit(f"ledger drift: balance {account.balance} != entries {total}")
    statuses = sorted(Job.objects.filter(pk__in=ids).values_list("status", flat=True))
    print(f"  {scenario:6} run: {seconds:6.2f} s, jobs {statuses}", flush=True)
    return seconds


def main() -> None:
    redis_server = _start_redis()
    try:
        ensure_database()
        workspace = funded_workspace("Bench recovery")
        results = {scenario: [_one_run(workspace, scenario=scenario) for _ in range(RUNS)]
                   for scenario in ("worker", "child")}
    finally:
        redis_server.kill()
        redis_server.wait()
    print("Recovery from SIGKILL (PostgreSQL + Redis, real workers, no beat), median of 3")
    print(f"  worker SIGKILLed -> every job terminal : {statistics.median(results['worker']):6.2f}"
          f" s   target < {TARGET_S} s; before: {BASELINE}")
    print(f"  pool child SIGKILLed -> every job terminal: "
          f"{statistics.median(results['child']):6.2f} s   target < {TARGET_S} s; "
          f"before: {BASELINE}")
    print(f"  runs: worker {[round(x, 2) for x in results['worker']]}, "
          f"child {[round(x, 2) for x in results['child']]}; ledger balanced after each")


if __name__ == "__main__":
    main()
