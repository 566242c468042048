"""Settings for the test run: the project's one settings module, with environment defaults that
point at this machine's real PostgreSQL and Redis. Anything set in the environment wins.

The suite shares servers politely: its test database is named after this run
(``test_<name>_<run id>``, so a concurrent run or a developer's ``test_<name>`` is never
dropped), and every broker key it writes carries a per-run prefix, so it deletes only its own
keys and never flushes a Redis database. ``STUDIO_TEST_RUN_ID`` fixes the run id (CI uses it to
clean up); ``CELERY_BROKER_URL`` names the Redis database.
"""

import os
import secrets

RUN_ID = os.environ.setdefault("STUDIO_TEST_RUN_ID", f"{os.getpid()}_{secrets.token_hex(3)}")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("CELERY_BROKER_KEY_PREFIX", f"studio-test-{RUN_ID}:")
os.environ.setdefault("STUDIO_HTTPS", "0")
# No worker runs in most tests: a synchronous images call answers with its job at once.
os.environ.setdefault("PI_SYNC_WAIT_SECONDS", "0")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-never-used-in-production")

from studio.settings import *  # noqa: E402, F403
from studio.settings import DATABASES  # noqa: E402

DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{RUN_ID}"}
