"""Live pages in a real browser: an idle queue downloads (almost) nothing, a finished job's page
is light, and a job finishing while its page is open reaches its final state without a reload
and without touching a video that is playing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from generations.models import Concept, Job, JobStatus
from tests.browser import DESKTOP, ByteCounter, save_screenshot, sign_in
from tests.generations.factories import full_concept_assets

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _job(workspace, brand, *, status, count, rendered) -> Job:
    job = Job.objects.create(workspace=workspace, brand=brand, status=status, format="full",
                             count=count, credits_charged=15 * count,
                             progress=100 if status == JobStatus.COMPLETED else 40,
                             stage="completed" if status == JobStatus.COMPLETED else "rendering",
                             request={"sizes": ["9:16"], "format": "full", "count": count})
    for index in range(count):
        concept = Concept.objects.create(
            job=job, index=index, copy_angle="sensory", headline=f"Glow that lasts {index + 1}",
            body="Vitamin C serum", cta="Shop now", template_slug="product-hero",
            style_id="soft-gradient", product_name="Glow Serum",
            animation_prompt="Serum Droplets", credits=15,
            status="completed" if index < rendered else "pending")
        if index < rendered:
            full_concept_assets(concept=concept)
    return job


def test_an_idle_queue_downloads_almost_nothing(live_server, page, owner, workspace, brand):
    for _ in range(3):
        _job(workspace, brand, status=JobStatus.COMPLETED, count=2, rendered=2)
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, owner)
    counter = ByteCounter(page)
    page.goto(f"{live_server.url}/queue/")
    page.wait_for_load_state("networkidle")
    first_load = counter.bytes
    counter.reset()

    page.wait_for_timeout(20_000)

    print(f"idle queue: first load {first_load} B, then {counter.bytes} B in 20 s "
          f"({len(counter.urls)} requests)")
    assert counter.bytes < 50_000 / 3  # < 50 KB a minute
    assert counter.urls == []  # nothing runs, so nothing polls
    assert first_load < 400_000  # the page with 12 sized thumbnails, fonts and scripts


def test_a_running_queue_polls_cheaply_while_nothing_changes(live_server, page, owner,
                                                             workspace, brand):
    _job(workspace, brand, status=JobStatus.COMPLETED, count=2, rendered=2)
    _job(workspace, brand, status=JobStatus.RENDERING, count=2, rendered=1)
    sign_in(page, live_server, owner)
    page.goto(f"{live_server.url}/queue/")
    page.wait_for_load_state("networkidle")
    counter = ByteCounter(page)

    page.wait_for_timeout(20_000)

    polls = [url for url in counter.urls if "/queue/?v=" in url]
    print(f"running queue: {counter.bytes} B in 20 s ({len(counter.urls)} requests)")
    assert len(polls) >= 5
    assert set(counter.urls) == set(polls)  # no image is fetched again
    assert counter.bytes < 50_000 / 3


def test_a_completed_job_page_loads_under_3_mb(live_server, page, owner, workspace, brand):
    job = _job(workspace, brand, status=JobStatus.COMPLETED, count=3, rendered=3)
    full_bytes = sum(asset.size_bytes for asset in job.assets.all())
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, owner)
    counter = ByteCounter(page)

    page.goto(f"{live_server.url}/jobs/{job.public_id}/")
    page.wait_for_load_state("networkidle")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_load_state("networkidle")

    print(f"completed job page: {counter.bytes} B (the files themselves: {full_bytes} B)")
    assert counter.bytes < 3_000_000
    assert not [url for url in counter.urls if url.endswith(".png")]
    posters = page.eval_on_selector_all("video", "vs => vs.map(v => v.poster)")
    assert len(posters) == 3 and all(posters)
    save_screenshot(page, "job-completed-1440")


def test_a_job_finishing_while_open_reaches_its_final_state_without_reload(
        live_server, page, owner, workspace, brand, credits):
    job = _job(workspace, brand, status=JobStatus.RENDERING, count=2, rendered=1)
    sign_in(page, live_server, owner)
    page.goto(f"{live_server.url}/jobs/{job.public_id}/")
    assert page.locator("#job-actions button:has-text('Cancel')").count() == 1
    assert page.locator("text=Download ZIP").count() == 0
    page.evaluate("window.__same_page = true")
    playing = page.evaluate("""async () => {
        const v = document.querySelector('video');
        v.__marker = 'first player';
        await v.play();
        return !v.paused;
    }""")
    assert playing

    second = job.concepts.get(index=1)
    full_concept_assets(concept=second, heavy=False)
    now = timezone.now() + timedelta(seconds=1)
    Concept.objects.filter(pk=second.pk).update(status="completed", updated_at=now)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.COMPLETED, stage="completed",
                                         progress=100, finished_at=now, updated_at=now)

    page.wait_for_selector("#job-actions a:has-text('Download ZIP')", timeout=15_000)
    assert page.locator("#job-actions button:has-text('Delete')").count() == 1
    assert page.locator("#job-actions button:has-text('Cancel')").count() == 0
    assert page.locator("#job-status .badge").inner_text() == "Completed"
    assert page.evaluate("window.__same_page") is True  # no reload
    first = page.evaluate("""() => {
        const v = document.querySelector('video');
        return {marker: v.__marker, paused: v.paused, time: v.currentTime};
    }""")
    assert first["marker"] == "first player"  # the playing video was never replaced
    assert first["paused"] is False
    assert page.locator(f"#concept-{second.public_id} video").count() == 1
    page.wait_for_timeout(4_500)
    polls = page.evaluate("performance.getEntriesByType('resource')"
                          ".filter(e => e.name.includes('?v=')).length")
    page.wait_for_timeout(4_500)
    assert page.evaluate("performance.getEntriesByType('resource')"
                         ".filter(e => e.name.includes('?v=')).length") == polls  # stopped
    save_screenshot(page, "job-finished-live-1440")
