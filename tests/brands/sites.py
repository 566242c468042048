"""Serve the fixture websites in ``tests/fixtures/sites/<name>/`` on loopback.

Each site gets its own ``ThreadingHTTPServer`` on an ephemeral 127.0.0.1 port, so ``/`` is the
site's home page and ``/products.json``, ``/robots.txt`` and friends work as on a real shop.
Pretty URLs map to files: ``/about`` → ``about.html`` or ``about/index.html``; ``/x.json`` and
``/wp-json/.../products`` → ``...products.json``. ``{{ORIGIN}}`` in text files becomes the
server's origin. An optional ``_server.json`` makes paths slow (``{"slow": {"/a.css": 3}}``) or
answer an error status (``{"status": {"/about": 500}}``).
"""

from __future__ import annotations

import json
import mimetypes
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

SITES_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "sites"


class _Handler(BaseHTTPRequestHandler):
    root: Path
    config: dict
    protocol_version = "HTTP/1.1"
    # Without this every response waits ~40 ms for a delayed ACK (headers and body are
    # separate writes), which would make the scrape benchmark measure the kernel.
    disable_nagle_algorithm = True

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def _resolve(self, path: str) -> Path | None:
        relative = unquote(path).lstrip("/")
        candidates = [relative] if relative else []
        candidates += [f"{relative.rstrip('/')}/index.html" if relative else "index.html",
                       f"{relative.rstrip('/')}.html", f"{relative.rstrip('/')}.json"]
        for candidate in candidates:
            file = (self.root / candidate).resolve()
            if file.is_file() and self.root in file.parents and not file.name.startswith("_"):
                return file
        return None

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        delay = self.config.get("slow", {}).get(path)
        if delay:
            time.sleep(delay)
        status = self.config.get("status", {}).get(path)
        file = self._resolve(path)
        if status or file is None:
            body = b"<h1>Error</h1>"
            self.send_response(status or 404)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        content = file.read_bytes()
        ctype = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype in ("application/json", "application/xml",
                                                   "image/svg+xml"):
            origin = f"http://{self.server.server_address[0]}:{self.server.server_address[1]}"
            content = content.replace(b"{{ORIGIN}}", origin.encode())
            ctype += "; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # A client that gave up on a deliberately slow response closes the socket mid-write.
        import sys

        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class FixtureSite:
    def __init__(self, name: str, root: Path | None = None):
        root = (root or SITES_DIR / name).resolve()
        config_file = root / "_server.json"
        config = json.loads(config_file.read_text()) if config_file.exists() else {}
        handler = type(f"Handler_{name}", (_Handler,), {"root": root, "config": config})
        self.name = name
        self.server = _QuietServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> FixtureSite:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def site_names() -> list[str]:
    return sorted(p.name for p in SITES_DIR.iterdir() if p.is_dir())


def start_sites(names: list[str] | None = None) -> dict[str, FixtureSite]:
    return {name: FixtureSite(name).start() for name in (names or site_names())}
