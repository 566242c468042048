"""Live pages poll with the version they show: unchanged answers 204, idle pages stop polling,
and a job page's update swaps only what changed."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from PIL import Image

from generations.files import file_url, resolve_token
from generations.models import Concept, Job, JobStatus
from generations.selectors import job_version, queue_version
from generations.thumbnails import thumbnail_get_or_create
from tests.generations.factories import asset_add, job_with_concepts

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_an_idle_queue_does_not_poll(owner_client, workspace, brand):
    job_with_concepts(workspace=workspace, brand=brand)

    body = owner_client.get(reverse("generations:queue")).content.decode()

    assert 'id="queue-rows"' in body
    assert "hx-trigger" not in body


def test_a_running_queue_polls_and_gets_204_while_nothing_changes(owner_client, workspace,
                                                                  brand):
    job_with_concepts(workspace=workspace, brand=brand, status=JobStatus.RENDERING, rendered=1)
    version = queue_version(workspace)

    page = owner_client.get(reverse("generations:queue")).content.decode()
    poll = owner_client.get(reverse("generations:queue"), {"v": version}, **HTMX)

    assert 'hx-trigger="every 2s"' in page
    assert poll.status_code == 204
    assert poll.content == b""


def test_a_queue_poll_after_a_change_sends_rows_that_stop_polling_when_all_finished(
        owner_client, workspace, brand):
    job = job_with_concepts(workspace=workspace, brand=brand, status=JobStatus.RENDERING)
    version = queue_version(workspace)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.COMPLETED, progress=100,
                                         updated_at=timezone.now() + timedelta(seconds=1))

    poll = owner_client.get(reverse("generations:queue"), {"v": version}, **HTMX)

    body = poll.content.decode()
    assert poll.status_code == 200
    assert body.lstrip().startswith('<div id="queue-rows"')
    assert "hx-trigger" not in body
    assert "Completed" in body


def test_queue_thumbnails_are_small_webp_with_the_same_url_every_time(owner_client, workspace,
                                                                      brand):
    job_with_concepts(workspace=workspace, brand=brand, count=1)

    first = owner_client.get(reverse("generations:queue")).content.decode()
    second = owner_client.get(reverse("generations:queue")).content.decode()

    start = first.index('<img src="', first.index('class="thumbs"')) + len('<img src="')
    url = first[start:first.index('"', start)]
    name = resolve_token(url.rstrip("/").rsplit("/", 1)[-1]).name
    assert name.endswith("-96.webp")
    assert url in second
    served = owner_client.get(url)
    assert served["Content-Type"] == "image/webp"


def test_a_thumbnail_is_a_sized_webp_much_smaller_than_the_png(workspace, brand):
    job = job_with_concepts(workspace=workspace, brand=brand, count=1)
    asset = job.assets.get()

    name = thumbnail_get_or_create(asset=asset, width=480)

    from django.core.files.storage import default_storage
    with default_storage.open(name) as fh:
        image = Image.open(fh)
        assert (image.format, image.size) == ("WEBP", (480, 853))
    assert default_storage.size(name) < asset.size_bytes / 4


def test_file_urls_are_stable_and_still_served(client, workspace, brand):
    job = job_with_concepts(workspace=workspace, brand=brand, count=1)
    name = job.assets.get().file.name

    assert file_url(name) == file_url(name)
    assert client.get(file_url(name)).status_code == 200


def test_an_unchanged_job_page_poll_answers_204(owner_client, workspace, brand):
    job = job_with_concepts(workspace=workspace, brand=brand, status=JobStatus.RENDERING,
                            rendered=1)
    job = Job.objects.prefetch_related("concepts").get(pk=job.pk)
    url = reverse("generations:job", args=[job.public_id])

    response = owner_client.get(url, {"v": job_version(job), "n": "2"}, **HTMX)

    assert response.status_code == 204


def test_a_job_poll_swaps_only_the_concept_that_changed(owner_client, workspace, brand):
    job = job_with_concepts(workspace=workspace, brand=brand, status=JobStatus.RENDERING,
                            rendered=1)
    version = job_version(Job.objects.prefetch_related("concepts").get(pk=job.pk))
    first, second = job.concepts.order_by("index")
    Concept.objects.filter(pk=second.pk).update(status="completed",
                                                updated_at=timezone.now() + timedelta(seconds=1))
    asset_add(concept=second)

    response = owner_client.get(reverse("generations:job", args=[job.public_id]),
                                {"v": version, "n": "2"}, **HTMX)

    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="concept-{second.public_id}" hx-swap-oob="true"' in body
    assert f"concept-{first.public_id}" not in body
    assert 'id="job-status" hx-swap-oob="true"' in body


def test_a_finished_job_update_shows_zip_and_delete_and_stops_polling(owner_client, workspace,
                                                                     brand):
    job = job_with_concepts(workspace=workspace, brand=brand, status=JobStatus.QUEUED,
                            rendered=0, count=1)
    Concept.objects.filter(job=job).delete()
    page = owner_client.get(reverse("generations:job", args=[job.public_id])).content.decode()
    version = job_version(Job.objects.prefetch_related("concepts").get(pk=job.pk))
    concept = Concept.objects.create(job=job, index=0, copy_angle="sensory", headline="Glow",
                                     template_slug="product-hero", style_id="soft-gradient",
                                     status="completed")
    asset_add(concept=concept)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.COMPLETED, progress=100,
                                         finished_at=timezone.now(),
                                         updated_at=timezone.now() + timedelta(seconds=1))

    response = owner_client.get(reverse("generations:job", args=[job.public_id]),
                                {"v": version, "n": "0"}, **HTMX)

    body = response.content.decode()
    assert ">Cancel</button>" in page
    assert ">Cancel</button>" not in body
    assert "Download ZIP" in body
    assert ">Delete</button>" in body
    assert 'id="job-concepts" hx-swap-oob="true"' in body
    assert "hx-trigger" not in body


def test_the_job_page_shows_thumbnails_and_names_not_ids(owner_client, workspace, brand):
    job = job_with_concepts(workspace=workspace, brand=brand, count=1)

    body = owner_client.get(reverse("generations:job", args=[job.public_id])).content.decode()

    assert "Lumen Skin · Glow Serum · " in body
    assert "Product Hero" in body
    assert "product-hero ·" not in body
    assert "-480.webp" not in body  # names are inside signed tokens, never in clear
    assert "Regenerate · 5 credits" in body
