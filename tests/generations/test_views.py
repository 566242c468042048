"""Studio pages for jobs: create, queue, job, share, files, ZIP, gallery."""

import io
import os
import zipfile

import pytest
from django.urls import reverse

from billing.models import LedgerEntry
from generations.files import file_url
from generations.models import Job
from tests.generations.factories import finished_job_create


@pytest.fixture
def no_publish(monkeypatch):
    monkeypatch.setattr("generations.tasks.plan_job.delay", lambda job_id: None)


@pytest.fixture
def finished_job(workspace, brand):
    return finished_job_create(workspace=workspace, brand=brand)


def test_create_page_shows_the_brief_form_and_price(owner_client, brand, product):
    response = owner_client.get(reverse("generations:create"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Lumen Skin" in body
    assert "Serum Droplets" in body
    assert "<strong>45</strong> credits" in body  # 3 full ads by default


def test_price_fragment_follows_the_brief(owner_client):
    response = owner_client.get(reverse("generations:create_price"),
                                {"format": "static", "count": "4"})

    assert "<strong>20</strong> credits" in response.content.decode()


def test_submitting_the_brief_queues_a_job(owner_client, workspace, brand, product, credits,
                                           no_publish):
    response = owner_client.post(reverse("generations:create"), {
        "brand": brand.pk, "format": "static", "count": "2", "sizes": ["9:16", "1:1"],
        "copy_angle": "ritual", "animation_prompts": ["Serum Droplets"],
    })

    job = Job.objects.get(workspace=workspace)
    assert response.status_code == 302
    assert response.url == reverse("generations:job", args=[job.public_id])
    assert job.credits_charged == 10
    assert job.request["sizes"] == ["9:16", "1:1"]
    assert job.request["copy_angle"] == "ritual"


def test_an_invalid_brief_shows_the_error_and_charges_nothing(owner_client, workspace, brand,
                                                              credits):
    response = owner_client.post(reverse("generations:create"), {
        "brand": brand.pk, "format": "static", "count": "50", "sizes": ["9:16"],
    })

    assert response.status_code == 200
    assert "less than or equal to 10" in response.content.decode()
    assert not Job.objects.exists()
    assert not LedgerEntry.objects.filter(kind="debit").exists()


def test_not_enough_credits_is_explained_on_the_form(owner_client, workspace, brand, product):
    response = owner_client.post(reverse("generations:create"), {
        "brand": brand.pk, "format": "full", "count": "10", "sizes": ["9:16"],
    })

    assert "Balance 50 credits, need 150." in response.content.decode()
    assert not Job.objects.exists()


def test_queue_and_job_page_show_the_job(owner_client, finished_job):
    queue = owner_client.get(reverse("generations:queue"))
    page = owner_client.get(reverse("generations:job", args=[finished_job.public_id]))

    assert finished_job.public_id in queue.content.decode()
    assert "Glow that lasts" in page.content.decode()
    assert 'hx-trigger="every 2s"' not in page.content.decode()  # finished: no polling


def test_another_workspaces_job_is_404(outsider_client, finished_job):
    for name in ("generations:job", "generations:job_zip"):
        assert outsider_client.get(reverse(name, args=[finished_job.public_id])).status_code \
            == 404
    assert outsider_client.post(
        reverse("generations:job_share", args=[finished_job.public_id])).status_code == 404


def test_signed_file_urls_serve_and_forged_ones_do_not(client, finished_job):
    asset = finished_job.assets.get()

    served = client.get(file_url(asset.file.name))
    forged = client.get(file_url(asset.file.name)[:-3] + "abc")
    direct = client.get(f"/media/{asset.file.name}")

    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == b"\x89PNG-fake"
    assert forged.status_code == 404
    assert direct.status_code == 404


def test_share_link_shows_the_job_until_revoked(owner_client, client, finished_job):
    owner_client.post(reverse("generations:job_share", args=[finished_job.public_id]))
    finished_job.refresh_from_db()
    link = reverse("generations:shared", args=[finished_job.share_token])

    shared = client.get(link)
    owner_client.post(reverse("generations:job_share", args=[finished_job.public_id]),
                      {"action": "revoke"})
    revoked = client.get(link)

    assert shared.status_code == 200
    assert "Glow that lasts" in shared.content.decode()
    assert "Regenerate" not in shared.content.decode()
    assert revoked.status_code == 404


def test_zip_holds_every_file_and_the_copy(owner_client, finished_job):
    response = owner_client.get(reverse("generations:job_zip", args=[finished_job.public_id]))

    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert sorted(archive.namelist()) == ["01/01-ad-9x16.png", "01/copy.txt"]
    assert "Headline: Glow that lasts" in archive.read("01/copy.txt").decode()


def test_deleting_a_job_removes_its_files(owner_client, finished_job, settings,
                                          django_capture_on_commit_callbacks):
    path = finished_job.assets.get().file.path

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("generations:job_delete", args=[finished_job.public_id]))

    assert not Job.objects.filter(pk=finished_job.pk).exists()
    assert not os.path.exists(path)


def test_gallery_lists_the_catalogue_with_filters(owner_client):
    prompts = owner_client.get(reverse("generations:gallery"), {"kind": "animation_prompts"})
    beauty = owner_client.get(reverse("generations:gallery"),
                              {"kind": "animation_prompts", "category": "beauty"})

    assert prompts.content.decode().count('class="card gallery-item"') == 36
    assert "Serum Droplets" in beauty.content.decode()
    assert beauty.content.decode().count('class="card gallery-item"') < 36
