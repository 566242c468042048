"""The production entry point behind a TLS proxy (gunicorn with uvicorn workers, as the README
prints it): it trusts the proxy's scheme, so STUDIO_HTTPS does not redirect every request to
itself, and probes work by IP over HTTP."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from django.db import connection

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def production_server(tmp_path):
    db = connection.settings_dict
    port = _free_port()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
           "DJANGO_SETTINGS_MODULE": "studio.settings", "STUDIO_HTTPS": "1",
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "SECRET_KEY": "serve-test-secret-key-0123456789-abcdefghijklmnop",
           "ALLOWED_HOSTS": "studio.example.com", "STUDIO_DATA_DIR": str(tmp_path),
           "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1"}
    process = subprocess.Popen([sys.executable, "-m", "gunicorn",
                                "-c", "python:studio.gunicorn_conf",
                                "studio.asgi:application"], cwd=REPO, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(base + "/healthz", timeout=2)
            break
        except httpx.TransportError:
            assert process.poll() is None, process.stdout.read()
            time.sleep(0.3)
    yield base
    process.terminate()
    process.communicate(timeout=20)


def test_https_behind_the_proxy_is_served_not_redirected(production_server):
    proxied = httpx.get(production_server + "/accounts/login/", timeout=10,
                        headers={"Host": "studio.example.com", "X-Forwarded-Proto": "https"})
    plain = httpx.get(production_server + "/accounts/login/", timeout=10,
                      headers={"Host": "studio.example.com"})

    assert proxied.status_code == 200
    assert "Sign In" in proxied.text
    assert proxied.headers["Strict-Transport-Security"].startswith("max-age=")
    assert plain.status_code == 301
    assert plain.headers["Location"] == "https://studio.example.com/accounts/login/"


def test_probes_answer_by_ip_over_plain_http(production_server):
    health = httpx.get(production_server + "/healthz", timeout=10)
    ready = httpx.get(production_server + "/readyz", timeout=10)

    assert (health.status_code, health.text) == (200, "ok")
    assert ready.status_code in (200, 503)  # 503 only names a dead service; never a redirect
    assert set(ready.json()["checks"]) == {"database", "broker"}
