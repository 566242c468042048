"""Reference images on POST /api/v1/images/generations: URL (through the SSRF-safe client),
data URL or raw base64; the bytes decide the type, never the name; at most 15 MB each; a
refusal stores nothing and charges nothing; an accepted one is the ad's product shot."""

from __future__ import annotations

import base64
import io
import struct
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image, ImageDraw

from generations import pipeline
from generations.models import Asset, Job, Upload
from tests.api.conftest import state

GENERATE = "/api/v1/images/generations"
LIMIT = 15_000_000


def product_photo(fmt: str = "PNG", colour=(230, 0, 180)) -> bytes:
    """A magenta disc on white: a product shot the cut-out keeps."""
    image = Image.new("RGB", (400, 400), "white")
    ImageDraw.Draw(image).ellipse((80, 80, 320, 320), fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def png_of_exactly(size: int) -> bytes:
    """A valid PNG of exactly ``size`` bytes: padded with a private ancillary chunk."""
    base = product_photo()
    head, iend = base[:-12], base[-12:]
    padding = b"\0" * (size - len(base) - 12)
    chunk = (struct.pack(">I", len(padding)) + b"prVt" + padding
             + struct.pack(">I", zlib.crc32(b"prVt" + padding)))
    content = head + chunk + iend
    assert len(content) == size
    return content


class FileServer:
    """Serves fixed bytes at fixed paths on 127.0.0.1, with the content type given."""

    def __init__(self, files: dict[str, tuple[bytes, str]]):
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                content, content_type = files.get(self.path, (b"missing", "text/plain"))
                self.send_response(200 if self.path in files else 404)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def refused_with(api, workspace, body, *, status: int, code: str) -> dict:
    before = state(workspace)
    response = api.post(GENERATE, body)
    assert response.status_code == status, response.json()
    assert response.json()["error"]["code"] == code
    assert state(workspace) == before
    assert Upload.objects.filter(workspace=workspace).count() == 0
    return response.json()["error"]


@pytest.fixture
def loopback_allowed(settings):
    settings.STUDIO_OUTBOUND_ALLOW_LOOPBACK = True


def test_a_data_url_and_raw_base64_are_stored_as_uploads_of_the_job(api, workspace,
                                                                    ready_brand, funded):
    png = base64.b64encode(product_photo()).decode()
    webp = base64.b64encode(product_photo("WEBP")).decode()

    response = api.post(GENERATE, {"prompt": "Serum ad",
                                   "reference_images": [f"data:image/png;base64,{png}", webp]})

    assert response.status_code == 202
    job = Job.objects.get(workspace=workspace)
    uploads = {u.public_id: u for u in Upload.objects.filter(workspace=workspace)}
    assert list(job.request["reference_uploads"]) == sorted(
        uploads, key=job.request["reference_uploads"].index)
    assert sorted(u.mime_type for u in uploads.values()) == ["image/png", "image/webp"]


def test_a_png_named_jpg_is_accepted_as_png(api, workspace, ready_brand, funded,
                                            loopback_allowed):
    with FileServer({"/product.jpg": (product_photo(), "image/jpeg")}) as server:
        response = api.post(GENERATE, {
            "prompt": "Serum ad", "reference_images": [
                f"http://{server.base}/product.jpg",
                "data:image/jpeg;base64," + base64.b64encode(product_photo()).decode()]})

    assert response.status_code == 202
    assert [u.mime_type for u in Upload.objects.filter(workspace=workspace)] == [
        "image/png", "image/png"]


def test_an_html_file_named_png_is_400(api, workspace, ready_brand, funded, loopback_allowed):
    html = b"<!doctype html><html><body><img src=x onerror=alert(1)></body></html>"
    with FileServer({"/banner.png": (html, "image/png")}) as server:
        refused_with(api, workspace, {"prompt": "Ad", "reference_images": [
            f"http://{server.base}/banner.png"]}, status=400, code="invalid_reference_image")
    refused_with(api, workspace, {"prompt": "Ad", "reference_images": [
        "data:image/png;base64," + base64.b64encode(html).decode()]},
        status=400, code="invalid_reference_image")


def test_a_gif_or_svg_is_not_one_of_the_accepted_types(api, workspace, ready_brand, funded):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect ' \
          b'width="64" height="64"/></svg>'
    for content in (product_photo("GIF"), svg):
        refused_with(api, workspace, {"prompt": "Ad", "reference_images": [
            base64.b64encode(content).decode()]}, status=400, code="invalid_reference_image")


@pytest.mark.parametrize("item", ["not base64 at all!", "data:image/png,rawtext",
                                  "ftp://example.com/a.png"])
def test_text_that_is_no_image_reference_is_400(api, workspace, ready_brand, funded, item):
    refused_with(api, workspace, {"prompt": "Ad", "reference_images": [item]}, status=400,
                 code="invalid_reference_image")


def test_a_loopback_url_is_refused_in_production_settings(api, workspace, ready_brand, funded,
                                                          settings):
    settings.STUDIO_OUTBOUND_ALLOW_LOOPBACK = False
    with FileServer({"/product.png": (product_photo(), "image/png")}) as server:
        error = refused_with(api, workspace, {"prompt": "Ad", "reference_images": [
            f"https://{server.base}/product.png"]}, status=400, code="invalid_reference_image")
        refused_with(api, workspace, {"prompt": "Ad", "reference_images": [
            f"http://{server.base}/product.png"]}, status=400, code="invalid_reference_image")
        refused_with(api, workspace, {"prompt": "Ad", "reference_images": [
            "https://localhost/product.png"]}, status=400, code="invalid_reference_image")
    assert "refused" in error["message"]
    assert error["param"] == "reference_images[0]"


def test_fifteen_mb_is_accepted_and_one_byte_more_is_422(api, workspace, ready_brand, funded,
                                                         loopback_allowed):
    files = {"/at-limit.png": (png_of_exactly(LIMIT), "image/png"),
             "/past-limit.png": (png_of_exactly(LIMIT + 1), "image/png")}
    with FileServer(files) as server:
        refused_with(api, workspace, {"prompt": "Ad", "reference_images": [
            f"http://{server.base}/past-limit.png"]}, status=422,
            code="reference_image_too_large")

        response = api.post(GENERATE, {"prompt": "Ad", "reference_images": [
            f"http://{server.base}/at-limit.png"]})

    assert response.status_code == 202
    assert Upload.objects.get(workspace=workspace).size_bytes == LIMIT


def test_six_reference_images_are_accepted_and_seven_are_422(api, workspace, ready_brand,
                                                             funded):
    one = base64.b64encode(product_photo()).decode()
    refused_with(api, workspace, {"prompt": "Ad", "reference_images": [one] * 7}, status=422,
                 code="too_many_reference_images")

    response = api.post(GENERATE, {"prompt": "Ad", "reference_images": [one] * 6})

    assert response.status_code == 202
    assert Upload.objects.filter(workspace=workspace).count() == 6


def test_a_refused_submit_removes_the_reference_files_it_stored(api, workspace, ready_brand,
                                                                settings):
    before = state(workspace)
    one = base64.b64encode(product_photo()).decode()

    response = api.post(GENERATE, {"prompt": "Ad", "n": 10, "size": "1024x1024",
                                   "reference_images": [one],
                                   "brand_id": str(ready_brand.pk)})
    again = api.post(GENERATE, {"prompt": "Ad", "n": 10, "reference_images": [one]})

    assert response.status_code == 202  # the 50-credit welcome bonus pays for ten
    assert again.status_code == 402
    assert Upload.objects.filter(workspace=workspace).count() == 1
    stored = list((settings.MEDIA_ROOT / "uploads").rglob("*.png"))
    assert len(stored) == 1
    assert state(workspace)["jobs"] == before["jobs"] + 1


def _magenta_share(content: bytes) -> float:
    image = Image.open(io.BytesIO(content)).convert("RGB").resize((108, 108))
    pixels = list(image.getdata())
    return sum(r > 180 and g < 60 and b > 130 for r, g, b in pixels) / len(pixels)


def test_the_reference_image_is_the_product_shot_of_the_ad(api, workspace, ready_brand,
                                                           funded):
    photo = base64.b64encode(product_photo()).decode()
    with_reference = api.post(GENERATE, {"prompt": "Serum ad", "reference_images": [photo]})
    without = api.post(GENERATE, {"prompt": "Serum ad"})

    shares = {}
    for response in (with_reference, without):
        job = Job.objects.get(public_id=response.json()["data"]["job_id"])
        for concept_id in pipeline.plan(job_id=job.pk):
            pipeline.render(concept_id=concept_id)
        job.refresh_from_db()
        assert job.status == "completed"
        static = Asset.objects.get(job=job, kind="static", mime_type="image/png")
        shares[response is with_reference] = _magenta_share(static.file.read())

    assert shares[True] > 0.03
    assert shares[False] < 0.005
