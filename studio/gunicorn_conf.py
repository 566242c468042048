"""Production web server: gunicorn managing uvicorn workers that serve the ASGI app.

    gunicorn -c python:studio.gunicorn_conf studio.asgi:application

Each worker is one process with an event loop: a long-poll or server-sent-event request waits
as a coroutine, so thousands of idle streams cost memory, not threads. Sync views still run
(in Django's thread pool). Values come from the environment like every other setting.
"""

import os

# Each worker borrows from its own small PostgreSQL pool (see DATABASE_POOL_MAX_SIZE in
# studio/settings.py); set before the workers import Django.
os.environ.setdefault("DATABASE_POOL_MAX_SIZE", "8")

bind = os.environ.get("BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "uvicorn_worker.UvicornWorker"
# Streams stay open for minutes; a worker is only recycled if it stops answering heartbeats.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
