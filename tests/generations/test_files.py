"""Private files: nothing served by its path, signed URLs tied to their row and share link."""

import time

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from generations import files
from generations.models import Asset, Concept, Job, JobStatus
from generations.services import job_delete, share_link_create, share_link_revoke


@pytest.fixture
def finished_job(workspace, brand):
    job = Job.objects.create(workspace=workspace, brand=brand, status=JobStatus.COMPLETED,
                             format="static", count=1, credits_charged=5, progress=100,
                             request={"sizes": ["9:16"]})
    concept = Concept.objects.create(job=job, index=0, copy_angle="sensory",
                                     headline="Glow that lasts", template_slug="product-hero",
                                     style_id="soft-gradient", status="completed")
    asset = Asset(job=job, concept=concept, kind="static", aspect="9:16", width=1080,
                  height=1920, mime_type="image/png", size_bytes=9, checksum="x")
    asset.file.save("01-ad-9x16.png", ContentFile(b"\x89PNG-fake"), save=False)
    asset.save()
    return job


@pytest.fixture
def logo_brand(brand):
    brand.logo.save("logo-abc.png", ContentFile(b"\x89PNG-logo"), save=True)
    return brand


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("template", [
    "/media/{name}", "/media//{name}", "/media/./{name}", "/media/brands/%2e%2e/{name}",
    "/media/brands/../{name}", "/media/%2e/{name}", "/media/brands/1/%2e%2e/%2e%2e/{name}",
    "/media/.//{name}", "/media/brands%2f..%2f{name}",
])
def test_rendered_files_are_never_served_by_path(client, owner_client, finished_job, template):
    name = finished_job.assets.get().file.name  # jobs/<job>/<file>.png

    anonymous = client.get(template.format(name=name))
    member = owner_client.get(template.format(name=name))

    assert anonymous.status_code == 404
    assert member.status_code == 404


def test_brand_files_are_served_to_members_only(client, owner_client, outsider, logo_brand):
    path = f"/media/{logo_brand.logo.name}"

    member = owner_client.get(path)
    client.logout()
    anonymous = client.get(path)
    client.force_login(outsider)
    other = client.get(path)

    assert member.status_code == 200
    assert _body(member) == b"\x89PNG-logo"
    assert anonymous.status_code == 404
    assert other.status_code == 404


def test_a_signed_url_names_no_file_and_is_stable_within_its_bucket(finished_job):
    asset = finished_job.assets.get()

    first, second = files.asset_url(asset), files.asset_url(asset)

    assert first == second
    token = first.rsplit("/", 1)[-1]
    assert "jobs" not in token
    assert "01-ad" not in token
    assert asset.job.public_id not in token


def test_a_signed_url_stops_working_when_the_job_is_deleted(client, finished_job,
                                                            django_capture_on_commit_callbacks):
    url = files.asset_url(finished_job.assets.get())
    before = client.get(url)

    with django_capture_on_commit_callbacks(execute=True):
        job_delete(job=finished_job, by=None)
    after = client.get(url)

    assert before.status_code == 200
    assert _body(before) == b"\x89PNG-fake"
    assert after.status_code == 404
    assert Asset.objects.count() == 0


def test_a_url_issued_through_a_share_link_dies_with_the_link(client, finished_job):
    token = share_link_create(job=finished_job)
    shared_page = client.get(reverse("generations:shared", args=[token]))
    url = files.asset_url(finished_job.assets.get(), share_token=token)

    before = client.get(url)
    share_link_revoke(job=finished_job)
    after = client.get(url)

    assert url in shared_page.content.decode()
    assert before.status_code == 200
    assert after.status_code == 404


def test_expired_and_forged_tokens_are_refused(client, finished_job, settings, monkeypatch):
    asset = finished_job.assets.get()
    url = files.asset_url(asset)
    forged = url[:-3] + ("abc" if not url.endswith("abc") else "xyz")
    later = int(time.time()) + 8 * 24 * 3600
    monkeypatch.setattr(files, "_now", lambda: later)

    expired = client.get(url)

    assert expired.status_code == 404
    assert client.get(forged).status_code == 404


def test_a_replaced_logo_retires_the_old_url(owner_client, logo_brand):
    old_url = files.brand_logo_url(logo_brand)
    logo_brand.logo.save("logo-new.png", ContentFile(b"\x89PNG-new"), save=True)
    new_url = files.brand_logo_url(logo_brand)

    assert owner_client.get(old_url).status_code == 404
    assert _body(owner_client.get(new_url)) == b"\x89PNG-new"


def test_a_file_url_is_cacheable_by_the_browser(client, finished_job):
    response = client.get(files.asset_url(finished_job.assets.get()))

    cache = response["Cache-Control"]
    assert cache.startswith("private, max-age=")
    assert int(cache.rsplit("=", 1)[-1]) > 3600


def test_the_zip_is_streamed_not_built_in_memory(owner_client, client, finished_job):
    import io
    import zipfile

    from generations import views

    token = share_link_create(job=finished_job)
    member = owner_client.get(reverse("generations:job_zip", args=[finished_job.public_id]))
    shared = client.get(reverse("generations:shared_zip", args=[token]))

    assert member.streaming is True
    assert shared.streaming is True
    chunks = list(member.streaming_content)
    assert max(len(chunk) for chunk in chunks) <= views.ZIP_CHUNK_BYTES + 1024
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    assert archive.testzip() is None
    assert sorted(archive.namelist()) == ["01/01-ad-9x16.png", "01/copy.txt"]
    assert archive.read("01/01-ad-9x16.png") == b"\x89PNG-fake"
    assert member["Content-Disposition"] == f'attachment; filename="{finished_job.public_id}.zip"'
