"""A worker gets its render engine ready when it starts, not on its first job."""

import pytest

from generations.warmup import warm_up
from tests.generations.conftest import wait_for


def test_warm_up_renders_without_the_database():
    # Worker processes warm up before they take work, possibly while the database is down:
    # pytest-django refuses any query here, so a warm-up that needed one would fail.
    assert warm_up() > 0


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_each_pool_process_warms_its_engine_at_start(workers):
    workers.start(concurrency=2)

    logs = wait_for(lambda: (lambda text: text if text.count("engine warm in") >= 2 else None)(
        workers.logs()), timeout=90, message="the pool processes did not warm up")

    assert "engine warm-up failed" not in logs
