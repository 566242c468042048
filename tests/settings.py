"""Settings for the test run: the project's one settings module, with environment defaults that
point at this machine's real PostgreSQL and Redis. Anything set in the environment wins."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("STUDIO_HTTPS", "0")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-never-used-in-production")

from studio.settings import *  # noqa: F403
