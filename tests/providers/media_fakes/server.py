"""The machinery every provider fake shares: a threaded HTTP server on 127.0.0.1, a log of the
requests it received, and a queue of scripted faults (429 with Retry-After, 5xx, a slow answer,
a malformed body) that the next requests meet before the fake answers normally.

A fake is a context manager::

    with OpenAIImagesFake() as fake:
        fake.fail_next(Fault.rate_limited(retry_after="0"))
        ...  # point the adapter at fake.base_url
        assert fake.requests[0].path == "/v1/images/generations"

Faults are answered in the provider's own error format (each fake's ``error_body``), so the
adapter under test sees what the real service would send.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Received:
    """One request as the fake saw it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> list[tuple[str, str | None, bytes, str]]:
        """A multipart/form-data body as (name, filename, content, content type) in order."""
        content_type = self.headers.get("content-type", "")
        message = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + self.body)
        if not message.is_multipart():
            raise ValueError("not a multipart body")
        parts = []
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            filename = part.get_param("filename", header="content-disposition")
            parts.append((str(name), str(filename) if filename else None,
                          part.get_payload(decode=True) or b"", part.get_content_type()))
        return parts


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (a slow provider)

    @classmethod
    def json(cls, status: int, data: Any, **headers: str) -> Reply:
        return cls(status, json.dumps(data).encode(),
                   {"Content-Type": "application/json", **headers})


@dataclass
class Fault:
    """What the next request meets instead of the normal answer."""

    kind: str  # rate_limited | server_error | slow | malformed | truncated
    status: int = 0
    retry_after: str | None = None
    delay: float = 0.0

    @classmethod
    def rate_limited(cls, *, retry_after: str | None = "0") -> Fault:
        return cls("rate_limited", status=429, retry_after=retry_after)

    @classmethod
    def server_error(cls, status: int = 500) -> Fault:
        return cls("server_error", status=status)

    @classmethod
    def slow(cls, seconds: float) -> Fault:
        return cls("slow", delay=seconds)

    @classmethod
    def malformed(cls) -> Fault:
        """A 200 whose body is not the documented JSON."""
        return cls("malformed", status=200)


class FakeProvider:
    """Base of every fake: subclasses implement ``answer`` and ``error_body``."""

    name = "fake"

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self._faults: deque[Fault] = deque()
        self._lock = threading.Lock()
        self.fail_ratio: tuple[int, int] | None = None  # (fail, of): every n-th of m fails
        self._served = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                received = Received(method=self.command, path=parts.path,
                                    query=parse_qs(parts.query),
                                    headers={k.lower(): v for k, v in self.headers.items()},
                                    body=body)
                reply = fake._reply(received)
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout test)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # -- lifecycle -----------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- scripting -----------------------------------------------------------------------------
    def fail_next(self, *faults: Fault) -> None:
        with self._lock:
            self._faults.extend(faults)

    def fail_every_other(self) -> None:
        """Every second model call (the 1st, 3rd, ...) answers 503: a provider failing half the
        time, deterministically."""
        with self._lock:
            self.fail_ratio = (1, 2)

    def calls(self, path_suffix: str = "") -> list[Received]:
        return [r for r in self.requests if r.path.endswith(path_suffix)]

    # -- answering -----------------------------------------------------------------------------
    def _reply(self, received: Received) -> Reply:
        with self._lock:
            self.requests.append(received)
            fault = self._faults.popleft() if self._faults and self.counts(received) else None
            if fault is None and self.fail_ratio and self.counts(received):
                self._served += 1
                if (self._served - 1) % self.fail_ratio[1] < self.fail_ratio[0]:
                    fault = Fault.server_error(503)
        if fault is None:
            try:
                return self.answer(received)
            except BadRequest as exc:
                return Reply.json(exc.status, self.error_body(exc.status, exc.message,
                                                              **exc.extra))
        if fault.kind == "slow":
            reply = self.answer(received)
            reply.delay = fault.delay
            return reply
        if fault.kind == "malformed":
            return Reply(200, b'{"created": 17, "data": [', {"Content-Type": "application/json"})
        headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
        return Reply.json(fault.status, self.error_body(fault.status, self.fault_message(fault)),
                          **headers)

    def counts(self, received: Received) -> bool:
        """Whether scripted faults apply to this request (default: every request)."""
        return True

    def answer(self, received: Received) -> Reply:
        raise NotImplementedError

    def error_body(self, status: int, message: str, **extra: Any) -> Any:
        raise NotImplementedError

    def fault_message(self, fault: Fault) -> str:
        if fault.status == 429:
            return "Rate limit reached. Please try again later."
        return "The server had an error while processing your request."


class BadRequest(Exception):
    """Raised inside ``answer``: the request breaks the documented contract."""

    def __init__(self, message: str, *, status: int = 400, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.extra = extra


def require_bearer(received: Received, key: str, *, scheme: str = "Bearer") -> None:
    if received.headers.get("authorization") != f"{scheme} {key}":
        raise BadRequest("Incorrect API key provided.", status=401, code="invalid_api_key")
