"""Shared by the inference task tests: the reference's bodies, an image host on loopback, and
the eager pipeline (plan, then render every scene, in this process)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from generations import pipeline
from generations.models import Job
from generations.render.samples import dropper_bottle

# The reference's bodies, verbatim (its Python examples' dicts).
RUN_BODY = {"app": "bria/ads-generate", "input": {}}
FILES_BODY = {"app": "bria/ads-generate", "input": {
    "image": "/path/to/local/image.png",
    "audio": "https://example.com/audio.mp3",
}}
WEBHOOK_BODY = {"app": "bria/ads-generate", "input": {},
                "webhook": "https://your-server.com/webhook"}
# inference.sh's app page: the minimal input.
APP_PAGE_BODY = {"app": "bria/ads-generate@59rhfgqz", "input": {"template_id": "1061"}}

SCENE_RESOLUTIONS = [(1080, 1080), (1920, 1080), (1080, 1920), (1080, 1350)]


def run_pipeline(job: Job) -> Job:
    """What a worker does with the task: plan it, then render each scene."""
    for concept_id in pipeline.plan(job_id=job.pk):
        pipeline.render(concept_id=concept_id)
    job.refresh_from_db()
    return job


class ImageHost:
    """A loopback HTTP server: ``/serum.png`` is a product photo, ``/notes.txt`` is text and
    anything else is a 404."""

    def __init__(self):
        photo = dropper_bottle()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/serum.png":
                    body, kind, status = photo, "image/png", 200
                elif self.path == "/notes.txt":
                    body, kind, status = b"not an image", "text/plain", 200
                else:
                    body, kind, status = b"missing", "text/plain", 404
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.photo = photo
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> ImageHost:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
