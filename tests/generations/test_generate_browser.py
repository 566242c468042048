"""A marketer's path: brief → queue shows progress → the job page plays the MP4."""

import pytest

from generations.models import Job, JobStatus
from tests.generations.conftest import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_create_queue_and_play_the_video(live_server, page, screenshot, owner, brand, product,
                                         credits, workers, settings):
    workers.start(concurrency=2, extra_env={"SITE_URL": live_server.url})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", owner.email)
    page.fill("input[name=password]", "correct-horse-battery")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/create/")
    page.check("input[name=format][value=full]")
    page.fill("input[name=count]", "2")
    page.check("input[name=animation_prompts][value='Serum Droplets']")
    page.wait_for_selector("#price strong:has-text('30')")
    screenshot("create-brief")
    page.click("form.brief button[type=submit]")
    page.wait_for_url(f"{live_server.url}/jobs/**")
    job = Job.objects.get(workspace=brand.workspace)
    assert job.credits_charged == 30
    assert job.request["animation_prompts"] == ["Serum Droplets"]

    page.goto(f"{live_server.url}/queue/")
    row = page.locator(f"tr:has(a[href='/jobs/{job.public_id}/'])")
    assert row.count() == 1
    screenshot("queue-progress")

    job = wait_for(lambda: Job.objects.filter(pk=job.pk, status__in=[
        JobStatus.COMPLETED, JobStatus.FAILED]).first(), timeout=120,
        message="job did not finish")
    assert job.status == JobStatus.COMPLETED, workers.logs()
    page.goto(f"{live_server.url}/jobs/{job.public_id}/")
    video = page.locator("video").first
    video.wait_for()
    playing = page.evaluate("""async () => {
        const v = document.querySelector('video');
        await v.play();
        await new Promise(r => setTimeout(r, 800));
        return {time: v.currentTime, width: v.videoWidth, height: v.videoHeight,
                error: v.error && v.error.code};
    }""")
    assert playing["error"] is None
    assert (playing["width"], playing["height"]) in ((1080, 1920), (1080, 1350))
    assert playing["time"] > 0.2
    screenshot("job-page")
