"""Media on a real S3-compatible server (moto's server mode, over HTTP, started by the test):
upload, signed expiring URLs, downloads with a signed Content-Disposition, delete with the job,
and a bucket that stops answering."""

import socket
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import boto3
import httpx
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.urls import reverse

from generations import services
from generations.errors import StorageUnavailable
from generations.files import asset_url
from generations.models import Asset, Concept, Job, JobStatus

BUCKET = "studio-media-test"
PNG = b"\x89PNG\r\n\x1a\n-fake-render"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def _storage_settings(endpoint: str) -> dict:
    return {
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
            "bucket_name": BUCKET, "endpoint_url": endpoint, "region_name": "us-east-1",
            "access_key": "test-access", "secret_key": "test-secret",
            "querystring_auth": True, "querystring_expire": 600, "file_overwrite": False,
            "default_acl": None, "addressing_style": "path", "signature_version": "s3v4",
        }},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def s3(s3_endpoint, settings):
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1",
                          aws_access_key_id="test-access", aws_secret_access_key="test-secret")
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = _storage_settings(s3_endpoint)
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


@pytest.fixture
def finished_job(s3, workspace, brand):
    job = Job.objects.create(workspace=workspace, brand=brand, status=JobStatus.COMPLETED,
                             format="static", count=1, credits_charged=5, progress=100,
                             request={"sizes": ["9:16"]})
    concept = Concept.objects.create(job=job, index=0, copy_angle="sensory",
                                     headline="Glow that lasts", body="Vitamin C serum",
                                     cta="Shop now", template_slug="product-hero",
                                     style_id="soft-gradient", status="completed")
    asset = Asset(job=job, concept=concept, kind="static", aspect="9:16", width=1080,
                  height=1920, mime_type="image/png", size_bytes=len(PNG), checksum="x")
    asset.file.save("01-ad-9x16.png", ContentFile(PNG), save=False)
    asset.save()
    return job


def _keys(client) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_a_render_is_uploaded_to_the_bucket(finished_job, s3):
    name = finished_job.assets.get().file.name

    head = s3.head_object(Bucket=BUCKET, Key=name)

    assert name == f"jobs/{finished_job.public_id}/01-ad-9x16.png"
    assert _keys(s3) == [name]
    assert head["ContentLength"] == len(PNG)
    assert head["ContentType"] == "image/png"


def _bucket_url(client, asset, *, download: bool = False) -> str:
    """Our signed file URL answers with a redirect to the bucket's own signed URL."""
    url = asset_url(asset) + ("?download=1" if download else "")
    answer = client.get(url)
    assert answer.status_code == 302
    assert answer["Cache-Control"] == "private, no-store"
    return answer["Location"]


def test_file_urls_are_signed_expiring_and_serve_the_file(client, finished_job):
    url = _bucket_url(client, finished_job.assets.get())
    query = parse_qs(urlsplit(url).query)
    response = httpx.get(url, timeout=10)

    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == ["600"]
    assert len(query["X-Amz-Signature"][0]) == 64
    assert "response-content-disposition" not in query
    assert response.status_code == 200
    assert response.content == PNG
    assert "content-disposition" not in response.headers


def test_download_urls_sign_the_content_disposition_instead_of_appending_to_the_url(
        client, finished_job):
    asset = finished_job.assets.get()

    url = _bucket_url(client, asset, download=True)
    query = parse_qs(urlsplit(url).query)
    response = httpx.get(url, timeout=10)

    assert query["response-content-disposition"] == ['attachment; filename="01-ad-9x16.png"']
    assert "download" not in query
    # The disposition is inside the signature: the signed query differs from the inline one.
    inline = parse_qs(urlsplit(_bucket_url(client, asset)).query)
    assert query["X-Amz-Signature"] != inline["X-Amz-Signature"]
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="01-ad-9x16.png"'
    assert response.content == PNG


def test_the_job_page_never_links_to_the_bucket_directly(owner_client, finished_job):
    page = owner_client.get(reverse("generations:job", args=[finished_job.public_id]))
    html = page.content.decode()

    assert page.status_code == 200
    assert "X-Amz-Signature" not in html
    assert asset_url(finished_job.assets.get()) + "?download=1" in html


def test_deleting_the_job_deletes_its_objects(owner_client, finished_job, s3):
    assert len(_keys(s3)) == 1

    response = owner_client.post(reverse("generations:job_delete",
                                         args=[finished_job.public_id]))

    assert response.status_code == 302
    assert not Job.objects.filter(pk=finished_job.pk).exists()
    assert _keys(s3) == []


def test_a_bucket_outage_refuses_the_delete_and_keeps_the_job(finished_job, s3, settings):
    name = finished_job.assets.get().file.name
    settings.STORAGES = _storage_settings(f"http://127.0.0.1:{_free_port()}")  # nobody there

    with pytest.raises(StorageUnavailable) as refused:
        services.job_delete(job=finished_job, by=None)

    assert refused.value.status == 503
    assert refused.value.retryable is True
    assert Job.objects.filter(pk=finished_job.pk).exists()
    assert finished_job.assets.count() == 1
    assert _keys(s3) == [name]  # the real bucket still holds the file


def test_a_bucket_outage_is_a_clear_answer_on_the_pages(owner_client, finished_job, s3,
                                                        settings):
    settings.STORAGES = _storage_settings(f"http://127.0.0.1:{_free_port()}")

    deleted = owner_client.post(reverse("generations:job_delete",
                                        args=[finished_job.public_id]), follow=True)
    archive = owner_client.get(reverse("generations:job_zip", args=[finished_job.public_id]))

    assert deleted.status_code == 200
    assert "The file storage is not answering" in deleted.content.decode()
    assert Job.objects.filter(pk=finished_job.pk).exists()
    assert archive.status_code == 503
    assert "The file storage is not answering" in archive.content.decode()
    assert type(storages["default"]).__name__ == "S3Storage"


def test_bucket_settings_switch_media_to_s3(tmp_path):
    code = ("import django; django.setup(); from django.core.files.storage import storages; "
            "s = storages['default']; print(type(s).__name__, s.bucket_name, s.endpoint_url, "
            "s.querystring_expire, s.signature_version)")
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(__import__("pathlib").Path(
            __file__).resolve().parents[2]), "DJANGO_SETTINGS_MODULE": "studio.settings",
             "DEBUG": "1", "STUDIO_DATA_DIR": str(tmp_path), "AWS_STORAGE_BUCKET_NAME": BUCKET,
             "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_QUERYSTRING_EXPIRE": "900"})
    assert out.stdout.split() == ["S3Storage", BUCKET, "http://127.0.0.1:9", "900",
                                  "s3v4"], out.stderr
