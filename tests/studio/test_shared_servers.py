"""The suite shares PostgreSQL and Redis with other runs: it names its own test database,
prefixes its broker keys and deletes only those; browser tests say what is missing."""

import os

import pytest
import redis
from django.conf import settings
from django.db import connection

from tests.browser import require_chromium
from tests.generations.conftest import _flush_broker


@pytest.mark.django_db
def test_the_test_database_is_named_after_this_run():
    run_id = os.environ["STUDIO_TEST_RUN_ID"]
    base = os.environ["DATABASE_URL"].rsplit("/", 1)[1]
    assert connection.settings_dict["NAME"] == f"test_{base}_{run_id}"


def test_broker_keys_carry_the_run_prefix_and_cleanup_spares_other_keys():
    prefix = settings.CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"]
    assert prefix == os.environ["CELERY_BROKER_KEY_PREFIX"]
    assert os.environ["STUDIO_TEST_RUN_ID"] in prefix
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    someone_else = f"not-this-run-{os.getpid()}:queue"
    client.set(someone_else, "theirs")
    client.set(f"{prefix}default", "ours")
    try:
        _flush_broker()
        assert client.get(someone_else) == b"theirs"
        assert client.exists(f"{prefix}default") == 0
    finally:
        client.delete(someone_else)


def test_a_published_task_lands_under_the_run_prefix():
    from studio.celery import app

    prefix = settings.CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"]
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    try:
        with app.connection_for_write() as conn:
            conn.default_channel.basic_publish(
                conn.default_channel.prepare_message("ping"), exchange="", routing_key="io")
        assert client.llen(f"{prefix}io") == 1
        assert client.exists("io") == 0
    finally:
        _flush_broker()


def test_missing_chromium_skips_locally_with_what_to_install(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="install Debian's chromium"):
        require_chromium("/nonexistent/chromium")


def test_missing_chromium_fails_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="install Debian's chromium"):
        require_chromium("/nonexistent/chromium")


def test_present_chromium_is_accepted(monkeypatch, tmp_path):
    monkeypatch.setenv("CI", "true")
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    assert require_chromium(str(fake)) is None
