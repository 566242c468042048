"""Production integrations live in the ``[production]`` extra; configuring one without its
library fails at start-up with the line that installs it."""

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# Hide one package from the settings module, as if the base install were all there is.
HIDE = ("import importlib.util, sys; real = importlib.util.find_spec; "
        "importlib.util.find_spec = lambda name, *a: None if name == {hidden!r} "
        "else real(name, *a); import django; django.setup()")


@pytest.mark.parametrize(("hidden", "env", "because"), [
    ("psycopg", {"DATABASE_URL": "postgres://studio@127.0.0.1:5432/studio"},
     "DATABASE_URL points at PostgreSQL"),
    ("redis", {"CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"},
     "CELERY_BROKER_URL points at Redis"),
    ("redis", {"REDIS_URL": "redis://127.0.0.1:6379/1"}, "REDIS_URL puts the cache in Redis"),
    ("boto3", {"AWS_STORAGE_BUCKET_NAME": "media"},
     "AWS_STORAGE_BUCKET_NAME switches media to S3"),
])
def test_an_integration_without_its_library_names_the_install_line(tmp_path, hidden, env,
                                                                   because):
    result = subprocess.run(
        [sys.executable, "-c", HIDE.format(hidden=hidden)], capture_output=True, text=True,
        timeout=60, cwd=REPO,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "DEBUG": "1",
             "SECRET_KEY": "x" * 50, "DJANGO_SETTINGS_MODULE": "studio.settings",
             "STUDIO_DATA_DIR": str(tmp_path), **env})

    assert result.returncode == 1
    assert (f"{because}, which needs the Python package {hidden!r}: "
            'pip install "creative-studio[production]"') in result.stderr


def test_the_embedded_runtime_needs_no_production_library(tmp_path):
    hide_all = ("import importlib.util; real = importlib.util.find_spec; "
                "importlib.util.find_spec = lambda name, *a: None if name in "
                "('psycopg', 'redis', 'boto3') else real(name, *a); import django; "
                "django.setup(); print('ok')")
    result = subprocess.run(
        [sys.executable, "-c", hide_all], capture_output=True, text=True, timeout=60, cwd=REPO,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO),
             "DJANGO_SETTINGS_MODULE": "studio.settings", "STUDIO_DATA_DIR": str(tmp_path)})

    assert result.stdout.strip() == "ok", result.stderr
