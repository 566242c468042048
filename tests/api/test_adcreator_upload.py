"""POST /api/platform/upload: multipart ``file`` or the raw image; at most 10 MB; PNG, JPEG or
WebP judged by the content, never by the name or the declared type. A refusal stores nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from generations.models import Upload
from tests.api.adcreator_helpers import image_bytes, png_of_exact_size

URL = "/api/platform/upload"
LIMIT = 10_000_000


def _multipart(api, name: str, content: bytes, content_type: str = "image/jpeg"):
    return Client().post(URL, {"file": SimpleUploadedFile(name, content, content_type)},
                         headers={"Authorization": f"Bearer {api.key}"})


def _stored_files(settings) -> list:
    from pathlib import Path

    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_the_curl_multipart_example_is_201_with_path_and_public_url(api, workspace, settings):
    response = _multipart(api, "product.jpg", image_bytes("JPEG"))

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"path", "publicUrl"}
    upload = Upload.objects.get(workspace=workspace)
    assert body["path"] == upload.file.name
    assert upload.mime_type == "image/jpeg"
    assert upload.original_name == "product.jpg"
    image = Client().get(body["publicUrl"].removeprefix(settings.SITE_URL))
    assert image.status_code == 200
    assert b"".join(image.streaming_content) == image_bytes("JPEG")


@pytest.mark.parametrize("fmt, mime", [("PNG", "image/png"), ("JPEG", "image/jpeg"),
                                       ("WEBP", "image/webp")])
def test_a_raw_body_with_its_content_type_is_stored(api, workspace, fmt, mime):
    response = api.post(URL, raw=image_bytes(fmt), content_type=mime)

    assert response.status_code == 201
    assert Upload.objects.get(workspace=workspace).mime_type == mime


def test_a_png_renamed_jpg_is_accepted_as_png(api, workspace):
    response = _multipart(api, "photo.jpg", image_bytes("PNG"), content_type="image/jpeg")

    assert response.status_code == 201
    upload = Upload.objects.get(workspace=workspace)
    assert upload.mime_type == "image/png"
    assert response.json()["path"].endswith(".png")


@pytest.mark.parametrize("content", [
    b"<!doctype html><html><body><script>alert(1)</script></body></html>",
    b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" '
    b'height="64"/></svg>',
    image_bytes("GIF"),
    b"",
], ids=["html", "svg", "gif", "empty"])
def test_what_is_not_a_png_jpeg_or_webp_is_400_and_nothing_is_stored(api, workspace, settings,
                                                                      content):
    response = _multipart(api, "product.png", content, content_type="image/png")

    assert response.status_code == 400
    assert response.json()["code"] in {"invalid_image", "invalid_upload"}
    assert response.json()["field"] == "file"
    assert not Upload.objects.filter(workspace=workspace).exists()
    assert _stored_files(settings) == []


def test_an_html_body_declared_as_png_is_400(api, workspace):
    response = api.post(URL, raw=b"<html><body>hi</body></html>", content_type="image/png")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_image"
    assert not Upload.objects.exists()


def test_exactly_10_mb_is_accepted(api, workspace):
    response = api.post(URL, raw=png_of_exact_size(LIMIT), content_type="image/png")

    assert response.status_code == 201
    assert Upload.objects.get(workspace=workspace).size_bytes == LIMIT


@pytest.mark.parametrize("send", ["raw", "multipart"])
def test_one_byte_over_10_mb_is_400_and_nothing_is_stored(api, workspace, settings, send):
    content = png_of_exact_size(LIMIT + 1)
    response = (api.post(URL, raw=content, content_type="image/png") if send == "raw"
                else _multipart(api, "big.png", content, content_type="image/png"))

    assert response.status_code == 400
    assert "at most 10 MB" in response.json()["error"]
    assert not Upload.objects.exists()
    assert _stored_files(settings) == []


def test_a_far_larger_body_is_400_before_it_is_read(api, workspace):
    response = api.post(URL, raw=b"\0" * (LIMIT + 200_000), content_type="image/png")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_image"
    assert not Upload.objects.exists()


def test_multipart_without_a_file_field_and_json_bodies_are_400(api, workspace):
    no_file = Client().post(URL, {"image": "x"}, headers={"Authorization": f"Bearer {api.key}"})
    as_json = api.post(URL, {"file": "aGVsbG8="})

    assert no_file.status_code == as_json.status_code == 400
    assert no_file.json()["code"] == as_json.json()["code"] == "invalid_upload"
    assert not Upload.objects.exists()


def test_upload_needs_the_uploads_scope(workspace):
    from api.keys import api_key_create
    from tests.api.conftest import ApiClient

    reader = ApiClient(api_key_create(workspace=workspace, name="read",
                                      scopes=["generations:read"]).plaintext)

    response = reader.post(URL, raw=image_bytes("PNG"), content_type="image/png")

    assert response.status_code == 403
    assert not Upload.objects.exists()
