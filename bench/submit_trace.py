"""Where a submit's time goes: every SQL statement and broker call of one 202, in order.

    python bench/submit_trace.py [--requests 200]

Traces ``submit_job`` called directly and ``POST /v1/ads/generate`` through Django's test
client (the whole request: middleware, key check, rate limit, idempotency record, submit), on
PostgreSQL + Redis. Prints the statements of one request with their times, then for each path
the median wall time over ``--requests`` and how much of it was spent waiting on PostgreSQL and
on Redis; the rest is Python. Nothing consumes the queued jobs; the bench deletes its broker keys.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench._common import ensure_database, funded_workspace  # noqa: E402

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_api")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")
os.environ.setdefault("REDIS_URL", os.environ["CELERY_BROKER_URL"])
os.environ.setdefault("CELERY_BROKER_KEY_PREFIX", f"bench-trace-{os.getpid()}:")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("STUDIO_HTTPS", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
DATA_DIR = Path(tempfile.mkdtemp(prefix="bench-trace-"))
os.environ.setdefault("STUDIO_DATA_DIR", str(DATA_DIR))
os.environ.setdefault("MEDIA_ROOT", str(DATA_DIR / "media"))

BODY = {
    "count": 3, "format": "full",
    "creative": {"copy_angle": "sensory", "brand_tone": "clinical authority",
                 "animation_prompts": ["Serum Droplets", "Lotion Texture"]},
    "webhook_url": "https://yourapp.com/dessert-callback",
}


class Trace:
    """Time spent in PostgreSQL statements and Redis commands while active."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, float]] = []

    def sql(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.events.append(("sql", " ".join(sql.split())[:110],
                                time.perf_counter() - started))

    def total(self, kind: str) -> float:
        return sum(seconds for k, _, seconds in self.events if k == kind)

    def count(self, kind: str) -> int:
        return sum(1 for k, _, _ in self.events if k == kind)


@contextmanager
def traced():
    """Wrap Django's SQL execution and redis-py's command execution."""
    from django.db import connection
    from redis.connection import Connection

    trace = Trace()
    send = Connection.send_packed_command
    read = Connection.read_response

    def send_packed_command(self, command, check_health=True):
        started = time.perf_counter()
        try:
            return send(self, command, check_health)
        finally:
            trace.events.append(("redis", "send", time.perf_counter() - started))

    def read_response(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return read(self, *args, **kwargs)
        finally:
            trace.events.append(("redis", "read", time.perf_counter() - started))

    Connection.send_packed_command = send_packed_command  # type: ignore[method-assign]
    Connection.read_response = read_response  # type: ignore[method-assign]
    try:
        with connection.execute_wrapper(trace.sql):
            yield trace
    finally:
        Connection.send_packed_command = send  # type: ignore[method-assign]
        Connection.read_response = read  # type: ignore[method-assign]


def _measure(label: str, one, requests: int) -> None:
    for _ in range(20):  # warm caches, connections, the broker check
        one()
    walls, sql, redis, sql_count, redis_count = [], [], [], [], []
    for i in range(requests):
        with traced() as trace:
            started = time.perf_counter()
            one()
            walls.append(time.perf_counter() - started)
        sql.append(trace.total("sql"))
        redis.append(trace.total("redis"))
        sql_count.append(trace.count("sql"))
        redis_count.append(sum(1 for k, what, _ in trace.events if k == "redis"
                               and what == "read"))
        if i == requests - 1:
            print(f"\n{label}: the statements of one request")
            for kind, what, seconds in trace.events:
                print(f"  {seconds * 1000:6.2f} ms  {kind:5} {what}")
    wall = statistics.median(walls) * 1000
    print(f"{label}: median of {requests}: {wall:.2f} ms wall; "
          f"PostgreSQL {statistics.median(sql_count):.0f} statements "
          f"{statistics.median(sql) * 1000:.2f} ms; Redis {statistics.median(redis_count):.0f} "
          f"replies {statistics.median(redis) * 1000:.2f} ms; Python and the rest "
          f"{wall - (statistics.median(sql) + statistics.median(redis)) * 1000:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    ensure_database()
    workspace = funded_workspace("Trace", credits=50_000_000)
    from django.test import Client

    from api.keys import api_key_create
    from generations.briefs import AdBrief
    from generations.services import submit_job

    key = api_key_create(workspace=workspace, name="trace",
                         rate_limit_per_minute=10_000_000).plaintext
    client = Client(headers={"Authorization": f"Bearer {key}"})

    def direct() -> None:
        submit_job(workspace=workspace, brief=AdBrief(count=1, format="static"))

    def http() -> None:
        response = client.post("/v1/ads/generate", BODY, content_type="application/json",
                               headers={"Idempotency-Key": uuid.uuid4().hex})
        assert response.status_code == 202, response.content

    try:
        _measure("submit_job()", direct, args.requests)
        _measure("POST /v1/ads/generate", http, args.requests)
    finally:
        import redis

        client_ = redis.Redis.from_url(os.environ["CELERY_BROKER_URL"])
        stale = list(client_.scan_iter(match=f"{os.environ['CELERY_BROKER_KEY_PREFIX']}*"))
        if stale:
            client_.delete(*stale)


if __name__ == "__main__":
    main()
