"""A scripted local HTTP server for provider fakes: each adapter's tests give it the provider's
documented answers, and it records every request so the tests can check its shape."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict/list: sent as JSON; bytes/str: sent as is
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (a slow provider)


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class FakeProvider:
    """``replies[path]`` is a list of ``Reply`` (used in turn, the last repeats) or a callable
    ``(Seen) -> Reply``. ``base_url`` points at the server."""

    def __init__(self) -> None:
        self.replies: dict[str, list[Reply] | Callable[[Seen], Reply]] = {}
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                seen = Seen(method=self.command, path=self.path,
                            headers={k.lower(): v for k, v in self.headers.items()},
                            body=self.rfile.read(length) if length else b"")
                reply = fake._reply(seen)
                if reply.delay:
                    time.sleep(reply.delay)  # the fake is slow; tests never wait on it
                body = reply.body
                if isinstance(body, (dict, list)):
                    payload = json.dumps(body).encode()
                    content_type = "application/json"
                else:
                    payload = body.encode() if isinstance(body, str) else (body or b"")
                    content_type = reply.headers.get("Content-Type", "application/json")
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(payload)))
                    for key, value in reply.headers.items():
                        if key.lower() != "content-type":
                            self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a time-out test)

            do_GET = do_POST = do_DELETE = do_PUT = _handle

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _reply(self, seen: Seen) -> Reply:
        with self._lock:
            self.seen.append(seen)
            path = seen.path.split("?")[0]
            script = self.replies.get(path)
            if script is None:
                return Reply(404, {"error": {"message": f"no route {path}", "type":
                                             "invalid_request_error"}})
            if callable(script):
                return script(seen)
            return script.pop(0) if len(script) > 1 else script[0]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> FakeProvider:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def provider_settings(base_url: str, **overrides) -> dict:
    """The settings dict ``studio.settings._provider`` builds, pointed at a fake."""
    return {"name": "fake", "enabled": True, "base_url": base_url, "api_key": "sk-test",
            "model": "fake-model", "timeout": 5.0, "connect_timeout": 2.0, "max_retries": 2,
            "concurrency": 4, "paid": True, "cost_per_call_usd": 0.002, **overrides}
