"""The suite's network guard (tests/conftest.py): loopback and unix sockets connect, anything
else is refused and recorded so the session fails."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tests import conftest


def test_a_public_address_is_refused_and_recorded():
    before = list(conftest._seen_escapes)
    with pytest.raises(conftest.NonLoopbackConnection):
        socket.create_connection(("192.0.2.10", 80), timeout=1)
    with pytest.raises(conftest.NonLoopbackConnection):
        httpx.get("http://[2001:db8::1]:8080/", timeout=1)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with pytest.raises(conftest.NonLoopbackConnection):
        sock.connect_ex(("203.0.113.5", 443))
    sock.close()
    assert conftest._seen_escapes[len(before):] == [
        "('192.0.2.10', 80)", "('2001:db8::1', 8080, 0, 0)", "('203.0.113.5', 443)"]
    # Recorded escapes fail the session; these were on purpose.
    del conftest._seen_escapes[len(before):]


def test_loopback_and_unix_sockets_connect(tmp_path):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert httpx.get(f"http://127.0.0.1:{server.server_port}/").status_code == 204
        assert httpx.get(f"http://localhost:{server.server_port}/").status_code == 204
    finally:
        server.shutdown()
        server.server_close()
    path = str(tmp_path / "s.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.connect(path)
    client.close()
    listener.close()
    assert conftest._is_loopback(("127.8.9.10", 1)) and conftest._is_loopback(("::1", 1, 0, 0))
    assert conftest._is_loopback(("::ffff:127.0.0.1", 1, 0, 0))
    assert not conftest._is_loopback(("10.0.0.1", 1))
